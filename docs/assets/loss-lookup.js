/* refcheck loss lookup: the widget of docs/losses/lookup.md (an ES module; UI only).
 *
 * Every answer comes from the engine (loss-engine.js) over the generated payload
 * (loss-payload.json); this file only builds the form, reads and writes the address fragment and
 * shows the diagnosis. Other scripts (e.g. a pasted-error matcher) fill the form with `fill`:
 *
 *   import { fill } from "./loss-lookup.js";
 *   fill({ loss: "NLLLoss", shapes: { input: [32, 10], target: [32] }, dtypes: { target: "float32" } });
 *
 * or, without importing, `window.refcheckLossLookup.fill(...)` once the
 * `refcheck-loss-lookup-ready` event has fired on document.
 */
import { makeEngine, UsageError } from "./loss-engine.js";

const PAYLOAD_URL = new URL("loss-payload.json", import.meta.url);
const DEFAULTS = { target: "int64[8]" };
let widget = null; // the mounted widget: { fill }
const pending = [];

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const ch of children) e.append(ch);
  return e;
}

/** Fill the form from {loss, shapes: {arg: [dims]}, dtypes: {arg: dtype}, made, options} and answer. */
export function fill(question) {
  if (widget) widget.fill(question);
  else pending.push(question);
}

function mount(root, engine) {
  const payloadDtypes = engine.dtypes;
  const list = el("datalist", { id: "loss-lookup-names" });
  for (const n of Object.keys(engine.contracts)) list.append(el("option", { value: n }));
  const loss = el("input", { id: "loss-lookup-loss", list: "loss-lookup-names", autocomplete: "off", spellcheck: "false" });
  const firstRow = el("div", { class: "loss-lookup-extras", id: "loss-lookup-first" });
  const extras = el("div", { class: "loss-lookup-extras", id: "loss-lookup-extras" });
  const made = el("select", { id: "loss-lookup-made" },
    el("option", { value: "" }, "not said"), ...engine.messages.made.map((m) => el("option", { value: m }, m)));
  const device = el("select", { id: "loss-lookup-device" }, el("option", { value: "cpu" }, "cpu"), el("option", { value: "cuda" }, "cuda"));
  const reduction = el("select", { id: "loss-lookup-reduction" });
  const opts = el("input", { id: "loss-lookup-options", placeholder: "e.g. ignore_index=0, weight=float32[10]", spellcheck: "false" });
  const result = el("div", { id: "loss-lookup-result", class: "loss-lookup-result", role: "status", "aria-live": "polite" });
  const rules = el("div", { id: "loss-lookup-rules", class: "loss-lookup-rules" });
  const field = (label, control, hint) => el("label", { class: "loss-lookup-field" }, el("span", {}, label), control, hint ? el("small", {}, hint) : "");
  root.append(list, el("div", { class: "loss-lookup-form" },
    field("loss", loss, "class or functional name, e.g. cross_entropy"),
    firstRow,
    extras,
    field("first tensor made as", made, "how the model output was turned into this tensor"),
    field("device", device, "float16/bfloat16 kernels differ per device"),
    field("reduction", reduction),
    field("other options", opts, "KEY=VALUE, comma separated")), result, rules);

  let current = null;
  const boxes = {}; // tensor name -> { text, dtype }
  let state = new URLSearchParams();

  function dtypeSelect(id) {
    return el("select", { id, title: "dtype, when the text gives only a shape" },
      el("option", { value: "" }, "dtype from the text"), ...payloadDtypes.map((d) => el("option", { value: d }, d)));
  }

  function tensorField(a, first) {
    const id = first ? "loss-lookup-input" : `loss-lookup-arg-${a.name}`;
    const old = boxes[a.name];
    const text = el("input", { id, "data-arg": a.name, spellcheck: "false" });
    text.value = old ? old.text.value : state.get(a.name) ?? (first ? state.get("input") : null) ?? (first ? "float32[8,10]" : DEFAULTS[a.name] || "");
    const dtype = dtypeSelect(`${id}-dtype`);
    dtype.value = old ? old.dtype.value : state.get(`${a.name}.dtype`) || "";
    text.addEventListener("input", update);
    dtype.addEventListener("change", update);
    boxes[a.name] = { text, dtype };
    const label = first ? `${a.name} (first tensor)` : a.name;
    return field(label, el("span", { class: "loss-lookup-pair" }, text, dtype), `${a.kind}; e.g. float32[8,10], torch.Size([8, 10]) torch.float32, 8x10 long`);
  }

  function setLoss() {
    let c;
    try {
      c = engine.resolve(loss.value);
    } catch (e) {
      current = null;
      return;
    }
    if (current === c) return;
    current = c;
    const moduleArgs = c.args.filter((x) => x.module);
    firstRow.replaceChildren(tensorField(moduleArgs[0], true));
    extras.replaceChildren(...moduleArgs.slice(1).map((a) => tensorField(a, false)));
    reduction.replaceChildren(...c.reductions.map((r) => el("option", { value: r }, r)));
    reduction.value = c.reductions.includes(state.get("reduction")) ? state.get("reduction") : "mean";
    const head = el("tr", {}, ...["form", ...moduleArgs.map((a) => a.name), "output (none)"].map((h) => el("th", {}, h)));
    const body = el("tbody");
    const table = engine.tables[c.name];
    for (const row of table.rows) {
      body.append(el("tr", {}, el("td", {}, row.form, row.notes ? el("br") : "", row.notes ? el("small", {}, row.notes) : ""),
        ...moduleArgs.map((a) => el("td", {}, el("code", {}, row[a.name]))), el("td", {}, el("code", {}, row[table.out_key]))));
    }
    rules.replaceChildren(el("p", {}, el("strong", {}, c.name), ` (F.${c.functional}): ${c.summary}`), el("table", {}, el("thead", {}, head), body));
  }

  function parseOptions(text) {
    const out = {};
    for (const part of text.split(/,(?![^\[\]()]*[\])])/).map((s) => s.trim()).filter((s) => s)) {
      const i = part.indexOf("=");
      if (i <= 0) throw new UsageError(`option '${part}' must look like KEY=VALUE, e.g. ignore_index=0`);
      out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
    return out;
  }

  function show(cls, ...children) {
    result.className = "loss-lookup-result " + cls;
    result.replaceChildren(...children);
  }

  function remember() {
    const s = new URLSearchParams({ loss: loss.value });
    if (current) {
      for (const a of current.args.filter((x) => x.module)) {
        const b = boxes[a.name];
        if (!b) continue;
        s.set(a.name, b.text.value);
        if (b.dtype.value) s.set(`${a.name}.dtype`, b.dtype.value);
      }
    }
    if (made.value) s.set("made", made.value);
    if (device.value !== "cpu") s.set("device", device.value);
    if (reduction.value && reduction.value !== "mean") s.set("reduction", reduction.value);
    if (opts.value.trim()) s.set("options", opts.value.trim());
    state = s;
    const hash = "#" + s.toString();
    if (window.location.hash !== hash) window.history.replaceState(null, "", hash);
  }

  function specOf(a) {
    const b = boxes[a.name];
    try {
      return engine.parseSpec(b.text.value, b.dtype.value || null);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${a.name}: ${e.message}`);
      throw e;
    }
  }

  function update() {
    setLoss();
    remember();
    if (!current) {
      try {
        engine.resolve(loss.value);
      } catch (e) {
        show("loss-lookup-usage", el("p", {}, e.message));
      }
      return;
    }
    let d;
    try {
      const specs = {};
      for (const a of current.args.filter((x) => x.module)) specs[a.name] = specOf(a);
      const options = parseOptions(opts.value);
      if (reduction.value && reduction.value !== "mean") options.reduction = reduction.value;
      d = engine.diagnose(current, specs, options, made.value || null, device.value);
    } catch (e) {
      if (e instanceof UsageError) {
        show("loss-lookup-usage", el("p", {}, e.message));
        return;
      }
      throw e;
    }
    const red = d.reduction;
    if (d.valid) {
      show("loss-lookup-valid", el("p", {}, el("strong", {}, "✔ valid"), ` (${d.form}): output shape `, el("code", {}, engine.fmtShape(d.output_shape)), ` with reduction='${red}'`));
      return;
    }
    const items = el("ul", {});
    for (const p of d.problems) {
      items.append(el("li", { class: `loss-lookup-problem loss-lookup-${p.stage}` },
        el("div", {}, el("strong", {}, "rule: "), p.rule),
        el("div", {}, el("strong", {}, "got: "), el("code", {}, p.got)),
        el("div", {}, el("strong", {}, "fix: "), el("code", {}, p.fix)),
        el("div", {}, el("strong", {}, "when: "), p.stage_text)));
    }
    const parts = [el("p", {}, el("strong", {}, "✘ invalid"), ` (${d.form}): ${engine.messages.verdict[d.outcome]}`), items];
    if (d.also.length) parts.push(el("p", { class: "loss-lookup-also" }, "Other accepted forms: " + d.also.join("; ")));
    if (d.output_shape !== null) parts.push(el("p", {}, "torch's output shape would be ", el("code", {}, engine.fmtShape(d.output_shape)), ` with reduction='${red}'`));
    show(d.outcome === "ok" ? "loss-lookup-silent" : "loss-lookup-invalid", ...parts);
  }

  /** Set every field from the address: #loss=..&input=..&target=.. (or ?loss= from the cheatsheet's links). */
  function fromAddress() {
    state = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    const asked = state.get("loss") || new URLSearchParams(window.location.search).get("loss") || "CrossEntropyLoss";
    loss.value = asked;
    for (const k of Object.keys(boxes)) delete boxes[k];
    current = null;
    made.value = engine.messages.made.includes(state.get("made")) ? state.get("made") : "";
    device.value = state.get("device") === "cuda" ? "cuda" : "cpu";
    opts.value = state.get("options") || "";
    update();
  }

  function fillFrom(q) {
    let c;
    try {
      c = engine.resolve(q.loss);
    } catch (e) {
      loss.value = q.loss || "";
      update();
      return;
    }
    const s = new URLSearchParams({ loss: c.name });
    for (const a of c.args.filter((x) => x.module)) {
      const dims = (q.shapes || {})[a.name];
      let dtype = (q.dtypes || {})[a.name];
      if (!dtype && boxes[a.name]) {
        try {
          dtype = engine.parseSpec(boxes[a.name].text.value, boxes[a.name].dtype.value || null).dtype; // keep the dtype already there
        } catch (e) {
          dtype = null;
        }
      }
      if (dims) s.set(a.name, dtype ? `${dtype}[${dims.join(",")}]` : `(${dims.join(", ")}${dims.length === 1 ? "," : ""})`);
    }
    if (q.made) s.set("made", q.made);
    if (q.options) s.set("options", Object.entries(q.options).map(([k, v]) => `${k}=${v}`).join(", "));
    window.history.replaceState(null, "", "#" + s.toString());
    fromAddress();
  }

  loss.addEventListener("input", update);
  opts.addEventListener("input", update);
  made.addEventListener("change", update);
  device.addEventListener("change", update);
  reduction.addEventListener("change", update);
  window.addEventListener("hashchange", fromAddress);
  fromAddress();
  return { fill: fillFrom };
}

async function init() {
  const root = document.getElementById("loss-lookup-app");
  if (!root || root.dataset.mounted) return;
  root.dataset.mounted = "1";
  let engine;
  try {
    const response = await fetch(PAYLOAD_URL);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    engine = makeEngine(await response.json());
  } catch (e) {
    root.replaceChildren(el("p", { class: "loss-lookup-result loss-lookup-usage" }, `The lookup could not load its data (${PAYLOAD_URL.pathname}: ${e.message}); the cheatsheet has the same rules.`));
    return;
  }
  widget = mount(root, engine);
  window.refcheckLossLookup = { engine, contracts: engine.contracts, fill };
  for (const q of pending.splice(0)) widget.fill(q);
  document.dispatchEvent(new CustomEvent("refcheck-loss-lookup-ready"));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
