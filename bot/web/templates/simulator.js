const who = document.getElementById('who'), phoneIn = document.getElementById('phone');
const log = document.getElementById('log');
let lastSig = '';
function phone() { return phoneIn.value.trim() || who.value; }
async function loadPeople() {
  const res = await fetch('/api/simulator/people');
  for (const p of await res.json()) {
    const o = document.createElement('option');
    o.value = p.phone; o.textContent = `${p.name} (${p.role}) ${p.phone}`;
    who.appendChild(o);
  }
  refresh();
}
async function refresh() {
  if (!phone()) return;
  const res = await fetch('/api/simulator/messages?phone=' + encodeURIComponent(phone()));
  if (!res.ok) return;
  const lines = await res.json();
  const sig = JSON.stringify(lines.map(l => [l.id, l.status]));
  if (sig === lastSig) return;
  lastSig = sig; log.innerHTML = '';
  for (const l of lines) {
    const d = document.createElement('div');
    d.className = 'msg ' + l.direction;
    d.textContent = l.text;
    const meta = document.createElement('div'); meta.className = 'meta';
    meta.textContent = new Date(l.at).toLocaleString() + (l.direction === 'out' ? ' · ' + l.status : '');
    d.appendChild(meta);
    if (l.buttons.length) {
      const b = document.createElement('div'); b.className = 'buttons';
      for (const btn of l.buttons) {
        const e = document.createElement('button'); e.type = 'button'; e.textContent = btn.label;
        e.onclick = () => send('', btn.payload);
        b.appendChild(e);
      }
      d.appendChild(b);
    }
    log.appendChild(d);
  }
  log.scrollTop = log.scrollHeight;
}
async function send(text, payload) {
  await fetch('/api/simulator/messages', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({phone: phone(), text: text, payload: payload || null})});
  refresh();
}
document.getElementById('send').onsubmit = (e) => {
  e.preventDefault(); const t = document.getElementById('text');
  if (t.value.trim()) { send(t.value); t.value = ''; }
};
who.onchange = () => { lastSig = ''; refresh(); };
phoneIn.onchange = () => { lastSig = ''; refresh(); };
setInterval(refresh, 1000);
loadPeople();
