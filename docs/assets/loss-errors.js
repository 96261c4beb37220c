/* Paste a torch error: find its entry in the loss error index and pre-fill the lookup with its shapes.
 *
 * The templates come from the page (<script id="refcheck-loss-errors">, built by
 * refcheck/losses/error_site.py from the evidence of the claim losses.errors.index). This module is
 * the JavaScript twin of refcheck/losses/errors.py (normalize, prefill, match: same rules, same
 * names); tests/test_loss_errors.py runs both on generated messages and requires equal answers.
 *
 * Wiring into the lookup: when the page has the lookup form, a match sets its fields
 * (#loss-lookup-loss, #loss-lookup-input, #loss-lookup-arg-NAME, #loss-lookup-reduction,
 * #loss-lookup-options) and fires their input/change events, so the lookup diagnoses the shapes.
 */

// written out, because \s differs between Python and JavaScript (errors.py: WHITESPACE)
const WHITESPACE = /[ \t\n\r\f\v\u00a0]+/g;
const SPEC = /^([A-Za-z0-9_]+)\[([0-9,]*)\]$/;

export function normalize(text) {
  return text.replace(WHITESPACE, " ");
}

function ints(text) {
  return (text.match(/[0-9]+/g) || []).map(Number);
}

function rescale(spec, mapping, shape, dtype) {
  const m = SPEC.exec(spec);
  if (!m) return spec;
  const dims = shape !== undefined ? shape : ints(m[2]).map((d) => (mapping.has(d) ? mapping.get(d) : d));
  return `${dtype || m[1]}[${dims.join(",")}]`;
}

export function prefill(template, groups, dtypeOfWord) {
  const mapping = new Map();
  const shapes = new Map();
  const dtypes = new Map();
  for (let i = 0; i < template.kinds.length; i++) {
    const kind = template.kinds[i], got = groups[i], ex = template.values[i], role = template.roles[i];
    if (role && kind === "size" && !shapes.has(role)) shapes.set(role, ints(got));
    if (role && kind === "dtype" && !dtypes.has(role) && Object.hasOwn(dtypeOfWord, got)) dtypes.set(role, dtypeOfWord[got]);
    let pairs = [];
    if (kind === "size") {
      const a = ints(ex), b = ints(got);
      if (a.length === b.length) pairs = a.map((x, j) => [x, b[j]]);
    } else if (kind === "int") {
      pairs = [[Number(ex), Number(got)]];
    }
    for (const [x, y] of pairs) if (x >= 2 && !mapping.has(x)) mapping.set(x, y);
  }
  const out = {};
  for (const [name, spec] of Object.entries(template.specs)) out[name] = rescale(spec, mapping, shapes.get(name), dtypes.get(name));
  return out;
}

const compiled = new WeakMap();

export function match(text, templates, dtypeOfWord) {
  text = normalize(text);
  let best = null, bestGroups = null;
  for (const t of templates) {
    if (!compiled.has(t)) compiled.set(t, new RegExp(t.pattern));
    const m = compiled.get(t).exec(text);
    if (m && (best === null || t.weight > best.weight)) {
      best = t;
      bestGroups = m.slice(1);
    }
  }
  if (best === null) return null;
  return { id: best.id, loss: best.loss, losses: best.losses, specs: prefill(best, bestGroups, dtypeOfWord), options: best.options };
}

// ------------------------------------------------------------------------------------------ page
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function setField(id, value, event) {
  const box = document.getElementById(id);
  if (!box) return false;
  box.value = value;
  box.dispatchEvent(new Event(event || "input", { bubbles: true }));
  return true;
}

function fillLookup(found) {
  if (!setField("loss-lookup-loss", found.loss)) return false;
  let first = true;
  for (const [name, spec] of Object.entries(found.specs)) {
    if (!setField(`loss-lookup-arg-${name}`, spec) && first) setField("loss-lookup-input", spec);
    first = false;
  }
  const options = Object.entries(found.options).filter(([k]) => k !== "reduction");
  setField("loss-lookup-options", options.map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(",")}]` : v}`).join(", "));
  setField("loss-lookup-reduction", found.options.reduction || "mean", "change");
  return true;
}

function mount(root, data) {
  const templates = data.templates;
  const errorsPage = root.dataset.errorsPage || "";
  const box = el("textarea", { id: "loss-errors-input", rows: "3", spellcheck: "false", style: "width: 100%; font-family: var(--md-code-font-family, monospace)",
    placeholder: "Paste a torch error, e.g. RuntimeError: expected scalar type Long but found Float" });
  const result = el("div", { id: "loss-errors-result", class: "loss-errors-result", role: "status", "aria-live": "polite" });
  root.append(el("label", { class: "loss-lookup-field", for: "loss-errors-input" }, el("span", {}, "paste a torch error")), box, result);

  function show(cls, ...children) {
    result.className = "loss-errors-result " + cls;
    result.replaceChildren(...children);
  }

  function update() {
    const text = box.value;
    if (!text.trim()) return show("");
    if (!templates.length) {
      return show("loss-errors-none", el("p", {}, `The error index is not in the report this site was built from (run 'refcheck verify --only ${data.claim}' and rebuild).`));
    }
    const found = match(text, templates, data.dtype_of_word);
    if (found === null) {
      return show("loss-errors-none", el("p", {}, `No entry of the error index matches this message. The index holds ${templates.length} of torch's loss error messages; `
        + "the site search finds other text, and the lookup checks your shapes."));
    }
    const entry = templates.find((t) => t.id === found.id);
    const filled = errorsPage && fillLookup(found);
    const specs = Object.entries(found.specs).map(([k, v]) => `${k}=${v}`).join(", ");
    show("loss-errors-found",
      el("p", {}, el("strong", {}, "matched: "), el("a", { href: `${errorsPage}#${found.id}`, class: "loss-errors-entry" }, entry.title)),
      el("p", {}, `losses: ${found.losses.join(", ")}` + (filled ? `. The lookup below now holds ${found.loss}` + (specs ? ` with ${specs}` : "") + "." : "")));
    if (!errorsPage) {
      const target = document.getElementById(found.id);
      if (target) {
        window.history.replaceState(null, "", `#${found.id}`);
        const header = document.querySelector(".md-header");  // sticky: keep the heading below it
        window.scrollTo({ top: target.getBoundingClientRect().top + window.scrollY - (header ? header.offsetHeight : 0) - 8 });
      }
    }
  }

  box.addEventListener("input", update);
}

function init() {
  const node = document.getElementById("refcheck-loss-errors");
  const root = document.getElementById("loss-errors-paste");
  if (!node || !root || root.dataset.mounted) return;
  root.dataset.mounted = "1";
  mount(root, JSON.parse(node.textContent));
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
}
