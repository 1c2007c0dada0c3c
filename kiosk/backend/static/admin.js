// Admin pages' behaviour. No inline scripts: the Content-Security-Policy allows only files from 'self'.
(function () {
  "use strict";
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  // Store switcher keeps the current page kind (dashboard, catalogue, ...).
  document.querySelectorAll("[data-store-switch]").forEach((sel) => {
    sel.addEventListener("change", () => {
      const parts = location.pathname.split("/");
      parts[2] = sel.value;
      location.href = parts.slice(0, 4).join("/");
    });
  });

  // Shade editor: live swatches, add/remove rows.
  const table = document.querySelector("[data-shade-table] tbody");
  if (table) {
    const wire = (row) => {
      const hex = row.querySelector("[data-hex]");
      const swatch = row.querySelector("[data-swatch]");
      hex.addEventListener("input", () => {
        if (/^#?[0-9a-fA-F]{6}$/.test(hex.value.trim())) swatch.style.background = "#" + hex.value.trim().replace("#", "");
      });
      row.querySelector("[data-remove-row]").addEventListener("click", () => row.remove());
    };
    table.querySelectorAll("[data-shade-row]").forEach(wire);
    document.querySelector("[data-add-shade]").addEventListener("click", () => {
      const template = table.querySelector("[data-shade-row]");
      if (!template) return;
      const row = template.cloneNode(true);
      row.querySelectorAll("input").forEach((i) => (i.value = ""));
      row.querySelector("[data-swatch]").style.background = "#ffffff";
      table.appendChild(row);
      wire(row);
    });
  }

  // Live help queue over server-sent events.
  const queue = document.getElementById("help-queue");
  if (queue) {
    const store = queue.dataset.store;
    const label = (k) => queue.dataset["label" + k[0].toUpperCase() + k.slice(1)];
    const act = (id, what) =>
      fetch(`/api/v1/stores/${store}/help-requests/${id}/${what}`, { method: "POST", headers: { "X-CSRF-Token": csrf() } });
    const render = (items) => {
      queue.replaceChildren();
      if (!items.length) {
        const p = document.createElement("p");
        p.className = "empty";
        p.textContent = label("empty");
        queue.appendChild(p);
        return;
      }
      for (const it of items) {
        const card = document.createElement("div");
        card.className = `card help-item ${it.status}`;
        card.dataset.helpId = it.id;
        const text = document.createElement("div");
        const waited = Math.round((Date.now() - Date.parse(it.created_at)) / 1000);
        text.textContent = `${label("kiosk")}: \u2068${it.kiosk_name}\u2069 · ${label(it.reason)}${it.note ? " · \u2068" + it.note + "\u2069" : ""} · ${label(it.status)} · ${label("waiting")} ${waited} ${label("seconds")}`;
        card.appendChild(text);
        const buttons = document.createElement("div");
        if (it.status === "open") {
          const b = document.createElement("button");
          b.textContent = label("ack");
          b.addEventListener("click", () => act(it.id, "acknowledge"));
          buttons.appendChild(b);
        }
        const r = document.createElement("button");
        r.textContent = label("resolve");
        r.addEventListener("click", () => act(it.id, "resolve"));
        buttons.appendChild(r);
        card.appendChild(buttons);
        queue.appendChild(card);
      }
    };
    const source = new EventSource(`/api/v1/stores/${store}/help-requests/stream`);
    source.addEventListener("queue", (e) => render(JSON.parse(e.data)));
  }

  // Dashboard charts (Chart.js, vendored under /static/vendor).
  const data = document.getElementById("kpi-data");
  if (data && window.Chart) {
    const k = JSON.parse(data.textContent);
    const accent = "#8a1c3c";
    new Chart(document.getElementById("chart-days"), {
      type: "line",
      data: {
        labels: k.per_day.map((d) => d.day),
        datasets: [
          { label: data.dataset.labelSessions, data: k.per_day.map((d) => d.sessions), borderColor: accent },
          { label: data.dataset.labelTryons, data: k.per_day.map((d) => d.tryons), borderColor: "#d08a2e" },
        ],
      },
      options: { animation: false },
    });
    const bar = (id, rows) =>
      new Chart(document.getElementById(id), {
        type: "bar",
        data: { labels: rows.map((r) => r.key), datasets: [{ label: data.dataset.labelTryons, data: rows.map((r) => r.count), backgroundColor: accent }] },
        options: { animation: false, indexAxis: "y", plugins: { legend: { display: false } } },
      });
    bar("chart-products", k.top_products);
    bar("chart-shades", k.top_shades);
  }
})();
