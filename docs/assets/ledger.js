// Claims ledger: filter the rows by status and the page groups by page; the state lives in the address
// (#status=failed&page=training/batch-norm.md). A row's status is the class of the badge in its first
// cell, and a group's page its data-page attribute, both written at build time from the report.
(function () {
  const FILTERS = [
    ["all", "All", () => true],
    ["passed", "Verified", (s) => s === "passed"],
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

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    return { status: params.get("status") || "all", page: params.get("page") || "" };
  }

  function writeHash(status, page) {
    const params = new URLSearchParams();
    if (status !== "all") params.set("status", status);
    if (page) params.set("page", page);
    const text = params.toString().replaceAll("%2F", "/");
    history.replaceState(null, "", text ? `#${text}` : location.pathname);
  }

  function setup() {
    const bar = document.querySelector(".refcheck-ledger-filter");
    if (!bar) return;
    const groups = [...document.querySelectorAll(".refcheck-ledger-page")];
    const rows = groups.flatMap((g) => [...g.querySelectorAll("tbody tr")]);
    const state = readHash();
    if (!FILTERS.some(([n]) => n === state.status)) state.status = "all";
    if (!groups.some((g) => g.dataset.page === state.page)) state.page = "";

    const statusGroup = document.createElement("span");
    statusGroup.className = "refcheck-ledger-status";
    statusGroup.setAttribute("role", "group");
    statusGroup.setAttribute("aria-label", "Status");
    const select = document.createElement("select");
    select.setAttribute("aria-label", "Page");
    select.append(new Option("All pages", ""));
    for (const g of groups) {
      const title = g.querySelector("h3") ? g.querySelector("h3").textContent.replace("¶", "").trim() : g.dataset.page;
      select.append(new Option(title, g.dataset.page));
    }

    const apply = () => {
      const [, , keep] = FILTERS.find(([n]) => n === state.status);
      rows.forEach((row) => row.classList.toggle("refcheck-hidden", !keep(rowStatus(row))));
      for (const g of groups) {
        const anyRow = g.querySelector("tbody tr:not(.refcheck-hidden)") !== null;
        const empty = g.querySelector("tbody tr") === null;
        const wanted = !state.page || g.dataset.page === state.page;
        g.hidden = !wanted || (!anyRow && !(empty && state.status === "all"));
      }
      statusGroup.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.filter === state.status)));
      select.value = state.page;
    };

    for (const [name, label, keep] of FILTERS) {
      const count = rows.filter((r) => keep(rowStatus(r))).length;
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.filter = name;
      button.textContent = `${label} (${count})`;
      button.addEventListener("click", () => {
        state.status = name;
        apply();
        writeHash(state.status, state.page);
      });
      statusGroup.appendChild(button);
    }
    select.addEventListener("change", () => {
      state.page = select.value;
      apply();
      writeHash(state.status, state.page);
    });
    bar.append(statusGroup, select);
    bar.hidden = false;
    apply();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
