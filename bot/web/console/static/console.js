// Live preview of the content editor: asks the server to check and render each draft.
(function () {
  "use strict";
  const holder = document.getElementById("careline-csrf");
  const csrf = (holder && holder.dataset.csrf) || "";
  const timers = new Map();

  async function preview(area) {
    const locale = area.dataset.locale;
    const out = document.getElementById("preview-" + locale);
    const meta = document.getElementById("meta-" + locale);
    const box = out.closest(".preview");
    try {
      const res = await fetch("/console/api/content/preview", {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify({key: area.dataset.key, locale: locale, text: area.value}),
        credentials: "same-origin",
      });
      if (!res.ok) { meta.textContent = "HTTP " + res.status; return; }
      const data = await res.json();
      box.classList.toggle("refused", !data.ok);
      if (data.ok) {
        out.textContent = data.rendered;
        meta.textContent = (meta.dataset.template || "%E %S")
          .replace("%E", data.encoding).replace("%S", String(data.segments));
      } else {
        out.textContent = data.message;
        meta.textContent = "";
      }
    } catch (err) {
      meta.textContent = String(err);
    }
  }

  document.querySelectorAll("textarea[data-key]").forEach(function (area) {
    area.addEventListener("input", function () {
      clearTimeout(timers.get(area));
      timers.set(area, setTimeout(function () { preview(area); }, 250));
    });
    preview(area);
  });
})();
