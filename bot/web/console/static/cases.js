// The hotline queue: a live SLA countdown from each case's ISO deadline, and the table
// refreshed from /console/api/cases every few seconds without reloading the page.
(function () {
  "use strict";
  const table = document.getElementById("queue");
  const REFRESH_MS = 4000;

  function clock(ms) {
    const s = Math.floor(Math.abs(ms) / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const two = (n) => String(n).padStart(2, "0");
    return (h ? h + ":" + two(m) : String(m)) + ":" + two(sec);
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      const left = Date.parse(el.dataset.deadline) - now;
      const late = left <= 0;
      const tpl = (table && table.dataset[late ? "overdue" : "left"]) || el.dataset[late ? "overdue" : "left"] || "%T";
      el.textContent = (late ? "\u26a0 " : "") + tpl.replace("%T", clock(left));
      el.classList.toggle("late", late);
      const row = el.closest("tr");
      if (row) row.classList.toggle("breached", late);
    });
  }

  function cell(row, label, node) {
    const td = document.createElement("td");
    td.dataset.label = label;
    if (typeof node === "string") td.textContent = node; else td.appendChild(node);
    row.appendChild(td);
    return td;
  }

  function span(cls, text) {
    const s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }

  function render(data) {
    const labels = JSON.parse(table.dataset.labels || "{}");
    const heads = Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent);
    const lab = (kind, value) => (labels[kind] && labels[kind][value]) || value;
    const body = document.createElement("tbody");
    data.cases.forEach(function (c) {
      const tr = document.createElement("tr");
      tr.dataset.ref = c.ref;
      if (c.breached) tr.className = "breached";
      const link = document.createElement("a");
      link.href = "/console/cases/" + encodeURIComponent(c.ref);
      link.textContent = c.ref;
      cell(tr, heads[0], link);
      cell(tr, heads[1], span("sev sev-" + c.severity, lab("severity", c.severity)));
      if (c.deadline) {
        const cd = span("countdown", "");
        cd.dataset.deadline = c.deadline;
        cell(tr, heads[2], cd);
      } else {
        cell(tr, heads[2], span("muted", table.dataset.acked));
      }
      cell(tr, heads[3], lab("category", c.category));
      cell(tr, heads[4], lab("status", c.status));
      cell(tr, heads[5], c.area);
      const owner = cell(tr, heads[6], c.owner || "\u2014");
      if (c.mine) { owner.appendChild(document.createTextNode(" ")); owner.appendChild(span("badge", labels.me || "")); }
      body.appendChild(tr);
    });
    if (!data.cases.length) {
      const tr = document.createElement("tr");
      tr.className = "empty";
      const td = cell(tr, "", table.dataset.none);
      td.colSpan = 7;
      body.appendChild(tr);
    }
    table.replaceChild(body, table.tBodies[0]);
    document.getElementById("queue-count").textContent = table.dataset.count.replace("%N", String(data.count));
    const upd = document.getElementById("queue-updated");
    upd.textContent = upd.dataset.template.replace("%T", new Date().toLocaleTimeString(document.documentElement.lang || undefined));
    tick();
  }

  async function refresh() {
    try {
      const res = await fetch(table.dataset.api, {credentials: "same-origin", headers: {Accept: "application/json"}});
      if (res.ok) render(await res.json());
    } catch (err) { /* offline for a moment: keep the table, try again */ }
  }

  tick();
  setInterval(tick, 1000);
  if (table) setInterval(refresh, REFRESH_MS);
})();
