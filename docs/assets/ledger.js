// Claims ledger: filter the table by status (all, failed, partly verified, skipped, thin margin).
// The status of a row is the class of the badge in its first cell, written at build time from the report.
(function () {
  const FILTERS = [
    ["all", "All", () => true],
    ["failed", "Failed", (s) => s === "failed"],
    ["partial", "Partly verified", (s) => s === "partial"],
    ["skipped", "Skipped", (s) => s === "skipped" || s === "unverified"],
  ];

  function rowStatus(row) {
    const badge = row.querySelector("td:first-child .refcheck-badge");
    if (!badge) return "unverified";
    const cls = [...badge.classList].find((c) => c.startsWith("refcheck-") && c !== "refcheck-badge");
    return cls ? cls.slice("refcheck-".length) : "unverified";
  }

  function setup() {
    const bar = document.querySelector(".refcheck-ledger-filter");
    if (!bar) return;
    const table = bar.parentElement.querySelector("table") || document.querySelector("article table");
    if (!table) return;
    const rows = [...table.querySelectorAll("tbody tr")];
    const apply = (name) => {
      const [, , keep] = FILTERS.find(([n]) => n === name) || FILTERS[0];
      rows.forEach((row) => row.classList.toggle("refcheck-hidden", !keep(rowStatus(row))));
      bar.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.filter === name)));
    };
    for (const [name, label, keep] of FILTERS) {
      const count = rows.filter((r) => keep(rowStatus(r))).length;
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.filter = name;
      button.textContent = `${label} (${count})`;
      button.addEventListener("click", () => {
        apply(name);
        history.replaceState(null, "", name === "all" ? location.pathname : `#status=${name}`);
      });
      bar.appendChild(button);
    }
    bar.hidden = false;
    const wanted = (location.hash.match(/^#status=([a-z]+)$/) || [])[1] || "all";
    apply(wanted);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
