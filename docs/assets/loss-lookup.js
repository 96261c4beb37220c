/* refcheck loss lookup: diagnose input/target specs in the browser.
 *
 * A port of refcheck/losses/diagnose.py (same function names) over the contracts JSON that the
 * page embeds (<script type="application/json" id="refcheck-loss-contracts">), generated at build
 * time from refcheck/losses/contracts.py. tests/browser/test_loss_lookup.py checks that this file
 * and the Python diagnosis agree on every probe case.
 */
(function () {
  "use strict";

  const STAGE_ORDER = { forward: 0, error: 1, backward: 2, warning: 3, silent: 4 };
  const OUTCOME = { forward: "forward-error", error: "error", backward: "backward-error", warning: "warning" };

  class UsageError extends Error {}

  // ------------------------------------------------------------------------------ python-ish helpers
  function pyRepr(v, kind) {
    if (v === null || v === undefined) return "None";
    if (typeof v === "string") return "'" + v + "'";
    if (typeof v === "boolean") return v ? "True" : "False";
    if (typeof v === "number" && kind === "float" && Number.isInteger(v)) return v.toFixed(1);
    if (Array.isArray(v)) return "[" + v.map((x) => pyRepr(x)).join(", ") + "]";
    return String(v);
  }
  function pyStr(v, kind) {
    return typeof v === "string" ? v : pyRepr(v, kind);
  }
  const eqShape = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  function makeLib(data) {
    const C = data.contracts;
    const FLOATS = data.float_dtypes;
    const TORCH_NAMES = data.torch_names;
    const STAGE_TEXT = data.stage_text;

    // ---------------------------------------------------------------------------- specs
    function dtypeGroup(d) {
      return FLOATS.includes(d) ? "float" : d === "bool" ? "bool" : "int";
    }
    function parseDtype(text) {
      const name = text.trim().toLowerCase().replace(/^torch\./, "");
      if (!(name in data.dtype_aliases)) {
        const near = closest(name, Object.keys(data.dtype_aliases), 1);
        const hint = near.length ? ` (did you mean ${data.dtype_aliases[near[0]]}?)` : "";
        throw new UsageError(`unknown dtype '${text.trim()}'${hint}; expected ${data.grammar}`);
      }
      return data.dtype_aliases[name];
    }
    function parseSpec(text) {
      if (typeof text !== "string" || !text.trim()) throw new UsageError(`empty tensor spec; expected ${data.grammar}`);
      const m = /^\s*(?:torch\.)?([A-Za-z0-9_]+)\s*(?:\[([^\]]*)\]|\(([^)]*)\))\s*$/.exec(text);
      if (!m) throw new UsageError(`malformed tensor spec '${text.trim()}'; expected ${data.grammar}`);
      const dtype = parseDtype(m[1]);
      const raw = m[2] !== undefined ? m[2] : m[3];
      let parts = raw.split(",").map((p) => p.trim());
      if (parts.length === 1 && parts[0] === "") return { dtype, shape: [] };
      if (parts[parts.length - 1] === "" && parts.length > 1 && m[3] !== undefined) parts = parts.slice(0, -1);
      const shape = parts.map((p) => {
        if (!/^-?\d+$/.test(p)) throw new UsageError(`bad dimension '${p}' in '${text.trim()}': dimensions are non-negative integers; expected ${data.grammar}`);
        if (parseInt(p, 10) < 0) throw new UsageError(`negative dimension ${p} in '${text.trim()}': dimensions are non-negative integers; expected ${data.grammar}`);
        return parseInt(p, 10);
      });
      return { dtype, shape };
    }
    const specStr = (s) => `${s.dtype}[${s.shape.join(",")}]`;

    function broadcastShapes(...shapes) {
      const n = Math.max(0, ...shapes.map((s) => s.length));
      const out = [];
      for (let i = 0; i < n; i++) {
        let size = 1;
        for (const s of shapes) {
          const j = s.length - n + i;
          const d = j >= 0 ? s[j] : 1;
          if (d !== 1) {
            if (size !== 1 && size !== d) return null;
            size = d;
          }
        }
        out.push(size);
      }
      return out;
    }

    // ---------------------------------------------------------------------------- names
    const key = (t) =>
      (t || "").toLowerCase().replace(/^torch\./, "").replace(/^nn\./, "").replace(/^functional\./, "").replace(/^f\./, "").replace(/[^a-z0-9]/g, "");
    const INDEX = {};
    for (const c of Object.values(C)) {
      for (const n of [c.name, c.name.replace(/Loss$/, ""), c.functional, ...c.aliases]) if (!(key(n) in INDEX)) INDEX[key(n)] = c.name;
    }
    INDEX[key("nll_loss")] = "NLLLoss";

    function similarity(a, b) {
      // 1 - normalized Levenshtein distance
      const m = a.length, n = b.length;
      if (!m && !n) return 1;
      const d = Array.from({ length: m + 1 }, (_, i) => [i, ...Array(n).fill(0)]);
      for (let j = 1; j <= n; j++) d[0][j] = j;
      for (let i = 1; i <= m; i++)
        for (let j = 1; j <= n; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      return 1 - d[m][n] / Math.max(m, n);
    }
    function closest(word, options, n) {
      return options
        .map((o) => [similarity(word, o), o])
        .filter(([s]) => s >= 0.6)
        .sort((x, y) => y[0] - x[0])
        .slice(0, n)
        .map(([, o]) => o);
    }
    function resolve(name) {
      const k = key(name);
      if (k in INDEX) return C[INDEX[k]];
      let names = [...new Set(closest(k, Object.keys(INDEX), 6).map((x) => INDEX[x]))].slice(0, 3);
      if (!names.length && k) names = Object.keys(C).filter((c) => c.toLowerCase().includes(k)).slice(0, 3);
      const hint = names.length ? `did you mean ${names.join(", ")}?` : "the list shows all losses";
      const err = new UsageError(`unknown loss '${name}'; ${hint}`);
      err.suggestions = names;
      throw err;
    }

    // ---------------------------------------------------------------------------- shapes
    const tokens = (p) => (p.trim() ? p.split(",").map((t) => t.trim()).filter((t) => t) : []);
    function fmtShape(shape) {
      return "(" + shape.join(", ") + (shape.length === 1 ? "," : "") + ")";
    }
    function render(pattern, env) {
      const out = [];
      for (const t of tokens(pattern)) {
        if ("*+".includes(t[0])) {
          if (t.slice(1) in env && (env[t.slice(1)].length || t[0] === "*")) out.push(...env[t.slice(1)].map(String));
          else out.push(t);
        } else if (t in env) out.push(String(env[t]));
        else out.push(t);
      }
      return "(" + out.join(", ") + (out.length === 1 ? "," : "") + ")";
    }
    function match(pattern, shape, env) {
      const toks = tokens(pattern);
      const vari = toks.map((t, i) => ("*+".includes(t[0]) ? i : -1)).filter((i) => i >= 0);
      const fixed = toks.length - vari.length;
      let pairs;
      if (vari.length) {
        const i = vari[0];
        const least = fixed + (toks[i][0] === "+" ? 1 : 0);
        if (shape.length < least) return `needs at least ${least} dims`;
        const head = toks.slice(0, i), tail = toks.slice(i + 1);
        const nVar = shape.length - fixed;
        pairs = head.map((t, j) => [t, shape[j]]);
        if (tail.length) tail.forEach((t, j) => pairs.push([t, shape[shape.length - tail.length + j]]));
        const group = shape.slice(head.length, head.length + nVar);
        const name = toks[i].slice(1);
        if (name in env && !eqShape(env[name], group)) return `dims ${fmtShape(group)} must equal ${fmtShape(env[name])}`;
        env[name] = group;
      } else {
        if (shape.length !== fixed) return `needs ${fixed} dim${fixed !== 1 ? "s" : ""}`;
        pairs = toks.map((t, j) => [t, shape[j]]);
      }
      for (const [t, size] of pairs) {
        if (/^\d+$/.test(t)) {
          if (size !== parseInt(t, 10)) return `dim ${t} expected, got ${size}`;
        } else if (t in env) {
          if (env[t] !== size) return `${t} = ${env[t]} expected, got ${size}`;
        } else env[t] = size;
      }
      return null;
    }
    function shapeFix(got, want, arg) {
      if (want === null) return `reshape ${arg} to the shape above`;
      if (got.length === want.length + 1) {
        for (let i = 0; i < got.length; i++)
          if (got[i] === 1 && eqShape([...got.slice(0, i), ...got.slice(i + 1)], want)) return `${arg}.squeeze(${i < got.length - 1 ? i : -1})`;
      }
      if (want.length === got.length + 1) {
        for (let i = 0; i < want.length; i++)
          if (want[i] === 1 && eqShape([...want.slice(0, i), ...want.slice(i + 1)], got)) return `${arg}.unsqueeze(${i < want.length - 1 ? i : -1})`;
      }
      return `give ${arg} the shape ${fmtShape(want)}`;
    }
    function concrete(pattern, env) {
      const out = [];
      for (const t of tokens(pattern)) {
        if ("*+".includes(t[0])) {
          if (!(t.slice(1) in env)) return null;
          out.push(...env[t.slice(1)]);
        } else if (/^\d+$/.test(t)) out.push(parseInt(t, 10));
        else if (t in env) out.push(env[t]);
        else return null;
      }
      return out;
    }

    // ---------------------------------------------------------------------------- dtypes
    const dtypeOk = (dt, d, first) => dt.accept.includes(d) || dt.accept.includes(dtypeGroup(d)) || (dt.accept.includes("same") && d === first);
    const dtypeStage = (dt, d) => dt.stages[d] || dt.stages[dtypeGroup(d)] || dt.stage;
    function acceptText(dt, first) {
      const words = { float: "floating point", int: "an integer dtype", bool: "bool", same: `exactly the input's dtype (${first})` };
      return dt.accept.map((a) => words[a] || a).join(" or ");
    }
    function dtypeFix(dt, arg, firstArg) {
      if (dt.fix) return dt.fix.startsWith("target") ? dt.fix.split("target").join(arg) : dt.fix.startsWith(".") ? arg + dt.fix : dt.fix;
      const a = dt.accept[0];
      return { float: `${arg}.float()`, same: `${arg}.to(${firstArg}.dtype)`, int64: `${arg}.long()`, int: `${arg}.long()` }[a] || `${arg}.to(torch.${a})`;
    }

    // ---------------------------------------------------------------------------- options
    const option = (c, name) => c.options.find((o) => o.name === name) || null;
    const argOf = (c, name) => c.args.find((a) => a.name === name);
    function parseOption(c, k, value) {
      const opt = option(c, k);
      if (!opt) throw new UsageError(`${c.name} has no option '${k}'; valid options: ${c.options.map((o) => o.name).join(", ")}`);
      if (typeof value !== "string") return value;
      const text = value.trim();
      const bad = () => {
        const want = opt.kind === "bool" ? "true or false" : opt.kind === "int" ? "an integer" : opt.kind === "float" ? "a number" : "integers like 3,4";
        return new UsageError(`option ${k}='${value}': expected ${want}`);
      };
      if (opt.kind === "int") {
        if (text.toLowerCase() === "none") return null;
        if (!/^[+-]?\d+$/.test(text)) throw bad();
        return parseInt(text, 10);
      }
      if (opt.kind === "float") {
        const v = Number(text);
        if (text === "" || Number.isNaN(v)) throw bad();
        return v;
      }
      if (opt.kind === "bool") {
        if (!["true", "false", "1", "0"].includes(text.toLowerCase())) throw bad();
        return ["true", "1"].includes(text.toLowerCase());
      }
      if (opt.kind === "ints") {
        const parts = text.replace(/^[\[\]() ]+|[\[\]() ]+$/g, "").split(/[,\s]+/).filter((x) => x);
        if (!parts.every((x) => /^[+-]?\d+$/.test(x))) throw bad();
        return parts.map((x) => parseInt(x, 10));
      }
      if (opt.kind === "tensor") {
        if (text.toLowerCase() === "none") return null;
        try {
          return specStr(parseSpec(text));
        } catch (e) {
          throw new UsageError(`option ${k}: ${e.message}`);
        }
      }
      return text;
    }

    // ---------------------------------------------------------------------------- forms
    function selected(form, specs) {
      if (!form.select.length) return null;
      const [kind, a, b] = form.select;
      if (kind === "same_shape") return a in specs && b in specs && eqShape(specs[a].shape, specs[b].shape);
      return null;
    }
    const P = (arg, rule, got, fix, stage) => ({ arg, rule, got, fix, stage });

    function checkForm(c, form, specs, options, env0) {
      const env = Object.assign({}, env0);
      const problems = [];
      const names = c.args.map((a) => a.name).filter((n) => n in specs);
      const first = names[0];
      const firstDtype = specs[first].dtype;
      let nShape = 0;
      for (const name of names) {
        const pattern = form.shapes[name];
        if (pattern === undefined) continue;
        const why = match(pattern, specs[name].shape, env);
        if (why) {
          nShape += 1;
          const want = concrete(pattern, env);
          problems.push(P(name, `${name} must have shape ${render(pattern, env)} (${form.name}): ${why}`, fmtShape(specs[name].shape), shapeFix(specs[name].shape, want, name), "forward"));
        }
      }
      let bshape = null;
      const present = form.broadcast.filter((n) => n in specs);
      if (present.length) {
        const shapes = present.map((n) => specs[n].shape);
        bshape = broadcastShapes(...shapes);
        const base = specs[present[0]].shape;
        const got = present.map((n) => `${n} ${fmtShape(specs[n].shape)}`).join(", ");
        const ndims = new Set(shapes.map((s) => s.length));
        if (form.mode === "same_ndim" && ndims.size > 1) {
          nShape += 1;
          const odd = present.find((n) => specs[n].shape.length !== base.length);
          problems.push(P(odd, `${present.join(", ")} must have the same number of dims`, got,
            base.length ? shapeFix(specs[odd].shape, base, odd) : `give all of them ${base.length} dims`, "forward"));
        } else if (bshape === null) {
          nShape += 1;
          const other = present[1];
          problems.push(P(other, `${present.join(" and ")} must have broadcastable shapes (normally equal)`, got, shapeFix(specs[other].shape, base, other), "forward"));
        } else if (form.mode === "to_input" && !eqShape(bshape, base)) {
          nShape += 1;
          problems.push(P(present[1], `${present[1]} must broadcast to ${present[0]}'s shape ${fmtShape(base)}; together they broadcast to ${fmtShape(bshape)}`,
            got, shapeFix(specs[present[1]].shape, base, present[1]), "forward"));
        } else if (form.mode === "warn" && shapes.some((s) => !eqShape(s, base))) {
          problems.push(P(present[1], `${present[1]} must have ${present[0]}'s shape ${fmtShape(base)}: torch broadcasts them to ${fmtShape(bshape)} with only a UserWarning` +
            (!eqShape(bshape, base) ? ", so the loss compares every prediction with every target" : ""), got, shapeFix(specs[present[1]].shape, base, present[1]), "warning"));
        } else if ((form.mode === "silent" || form.mode === "same_ndim") && !eqShape(bshape, base)) {
          problems.push(P(present[1], `${present.join(", ")} broadcast silently to ${fmtShape(bshape)}, larger than ${present[0]}'s ${fmtShape(base)}: probably not what you meant`,
            got, shapeFix(specs[present[1]].shape, base, present[1]), "silent"));
        }
      }
      for (const name of names) {
        const dt = form.dtypes[name];
        if (!dt || dtypeOk(dt, specs[name].dtype, firstDtype)) continue;
        const d = specs[name].dtype;
        const stage = dtypeStage(dt, d);
        let rule = `${name} dtype must be ${acceptText(dt, firstDtype)} (${c.forms.length > 1 ? form.name : argOf(c, name).kind})`;
        if (argOf(c, name).grad && dtypeGroup(d) !== "float" && stage === "backward") rule += "; an integer tensor cannot require grad, so backward() fails";
        problems.push(P(name, rule, `${d} (torch calls it ${TORCH_NAMES[d]})`, dtypeFix(dt, name, first), stage));
      }
      if (!names.some((n) => dtypeGroup(specs[n].dtype) === "float") && !problems.some((p) => p.stage === "forward" || p.stage === "error")) {
        problems.push(P(first, "at least one tensor must be floating point: with only integer/bool tensors torch cannot compute a differentiable loss",
          names.map((n) => `${n} ${specs[n].dtype}`).join(", "), `${first}.float()`, "error"));
      }
      const gradNames = names.filter((n) => argOf(c, n).grad);
      const internal = c.args.some((a) => a.grad && !a.module);
      if (gradNames.length && !internal && !gradNames.some((n) => dtypeGroup(specs[n].dtype) === "float") && !problems.some((p) => gradNames.includes(p.arg))) {
        problems.push(P(gradNames[0], `${gradNames.join(" or ")} must be floating point to receive a gradient: integer tensors cannot require grad`,
          gradNames.map((n) => `${n} ${specs[n].dtype}`).join(", "), `${gradNames[0]}.float() (model outputs are floating point)`, "backward"));
      } else if (!internal) {
        for (const n of gradNames) {
          if (dtypeGroup(specs[n].dtype) !== "float" && !problems.some((p) => p.arg === n))
            problems.push(P(n, `${n} is ${specs[n].dtype}: torch computes the loss, but no gradient can reach an integer tensor`, specs[n].dtype, `${n}.float() if it is a model output`, "silent"));
        }
      }
      for (const opt of c.options) {
        const value = options[opt.name] === undefined ? null : options[opt.name];
        if (opt.kind === "tensor" && value !== null) {
          const spec = parseSpec(value);
          if (opt.shape === "~input") {
            const b = broadcastShapes(spec.shape, specs[first].shape);
            if (b === null || !eqShape(b, specs[first].shape))
              problems.push(P(opt.name, `${opt.name} must broadcast to ${first}'s shape ${fmtShape(specs[first].shape)}`, fmtShape(spec.shape),
                `give ${opt.name} shape ${fmtShape(specs[first].shape.slice(-1))}`, "forward"));
          } else if (opt.shape) {
            const why = match(opt.shape, spec.shape, Object.assign({}, env));
            if (why) problems.push(P(opt.name, `${opt.name} must have shape ${render(opt.shape, env)}`, fmtShape(spec.shape), `one weight per class: shape ${render(opt.shape, env)}`, "forward"));
          }
          if (opt.dtype && !dtypeOk(opt.dtype, spec.dtype, firstDtype))
            problems.push(P(opt.name, `${opt.name} dtype must be ${acceptText(opt.dtype, firstDtype)}`, spec.dtype, `${opt.name}.to(${first}.dtype)`, "forward"));
        }
        if (opt.name in form.forbid && value !== null && value !== opt.default)
          problems.push(P(opt.name, form.forbid[opt.name], `${opt.name}=${pyRepr(value, opt.kind)}`, `drop ${opt.name}, or use class-index targets`, "forward"));
      }
      if (form.fails) {
        problems.push(P(names.length > 1 ? names[names.length - 1] : first, form.why, names.map((n) => `${n} ${fmtShape(specs[n].shape)}`).join(", "), form.note || "see the rule", form.fails));
      }
      let out = null;
      if (form.out.startsWith("=broadcast")) {
        if (bshape !== null) out = form.out.endsWith("[:-1]") ? bshape.slice(0, -1) : bshape;
      } else out = concrete(form.out, env);
      return [nShape, problems, env, out];
    }

    function optionProblems(c, options) {
      const problems = [];
      const red = options.reduction === undefined ? "mean" : options.reduction;
      if (!c.reductions.includes(red))
        problems.push(P("reduction", `reduction must be one of ${c.reductions.map((r) => `'${r}'`).join(", ")}`, pyRepr(red), "reduction='mean'", "forward"));
      if (c.name === "KLDivLoss" && red === "mean")
        problems.push(P("reduction", "reduction='mean' averages over every element, not over the batch: torch warns, and the value is not the KL divergence",
          "reduction='mean'", "reduction='batchmean'", "warning"));
      for (const opt of c.options) {
        const v = options[opt.name];
        if (v === undefined || v === null || opt.kind !== "float") continue;
        if ((opt.low !== null && v < opt.low) || (opt.high !== null && v > opt.high)) {
          const rng = opt.high !== null ? `[${pyStr(opt.low, "float")}, ${pyStr(opt.high, "float")}]` : `>= ${pyStr(opt.low, "float")}`;
          problems.push(P(opt.name, `${opt.name} must be in ${rng}`, pyRepr(v, "float"), `${opt.name}=${pyStr(opt.default, opt.kind)}`, "forward"));
        }
      }
      return problems;
    }

    function diagnose(c, specsIn, optionsIn) {
      const parsed = {};
      for (const [name, s] of Object.entries(specsIn)) {
        if (s === null || s === undefined || s === "") continue;
        if (!argOf(c, name)) throw new UsageError(`${c.name} takes no tensor '${name}'; its tensors are ${c.args.map((a) => a.name).join(", ")}`);
        try {
          parsed[name] = typeof s === "string" ? parseSpec(s) : s;
        } catch (e) {
          throw new UsageError(`${name}: ${e.message}`);
        }
      }
      const moduleArgs = c.args.filter((a) => a.module);
      const missing = moduleArgs.filter((a) => !(a.name in parsed)).map((a) => a.name);
      if (missing.length) throw new UsageError(`${c.name} needs ${moduleArgs.map((a) => a.name).join(", ")}; missing ${missing.join(", ")}`);
      const opts = {};
      for (const [k, v] of Object.entries(optionsIn || {})) opts[k] = parseOption(c, k, v);
      const env0 = {};
      for (const o of c.options) {
        if (o.dim && opts[o.name] !== undefined && opts[o.name] !== null) env0[o.dim.replace(/^[*+]/, "")] = opts[o.name];
        else if (o.dim.startsWith("*") && o.kind === "ints") env0[o.dim.slice(1)] = o.default.slice ? o.default.slice() : [];
      }
      const chosen = c.forms.filter((f) => selected(f, parsed) === true);
      let candidates = chosen.length ? chosen : c.forms.filter((f) => selected(f, parsed) === null);
      const open = candidates.filter((f) => !f.requires_empty || !(env0[f.requires_empty] || []).length);
      if (open.length) candidates = open;
      let best = null;
      candidates.forEach((form, i) => {
        const [nShape, problems, env, out] = checkForm(c, form, parsed, opts, env0);
        const k = [nShape, problems.length, i];
        if (best === null || k[0] < best.k[0] || (k[0] === best.k[0] && (k[1] < best.k[1] || (k[1] === best.k[1] && k[2] < best.k[2]))))
          best = { k, form, problems, env, out };
      });
      const { form, env, out } = best;
      const problems = optionProblems(c, opts).concat(best.problems);
      problems.sort((a, b) => STAGE_ORDER[a.stage] - STAGE_ORDER[b.stage]); // stable, like Python's sort
      const stages = problems.filter((p) => p.stage !== "silent").map((p) => p.stage);
      const outcome = stages.length ? OUTCOME[stages[0]] : "ok";
      const red = opts.reduction === undefined ? "mean" : opts.reduction;
      let output = null;
      if (["ok", "warning", "backward-error"].includes(outcome)) output = red === "none" && out !== null ? out.slice() : red !== "none" ? [] : null;
      const also = [];
      if (problems.length) {
        for (const f of c.forms) {
          if (f === form || f.fails) continue;
          const shapes = moduleArgs
            .map((a) => a.name)
            .filter((n) => n in f.shapes)
            .map((n) => `${n} ${render(f.shapes[n], env)} ${n in f.dtypes ? f.dtypes[n].accept.join("/") : ""}`.trimEnd())
            .join(", ");
          also.push(`${f.name}: ${shapes}`);
        }
      }
      const specsOut = {};
      for (const [k, v] of Object.entries(parsed)) specsOut[k] = specStr(v);
      return { loss: c.name, specs: specsOut, options: opts, form: form.name, outcome, output_shape: output, problems, bound: env, also, valid: problems.length === 0, stage_text: STAGE_TEXT };
    }

    return { contracts: C, resolve, parseSpec, diagnose, fmtShape, UsageError, STAGE_TEXT };
  }

  // ------------------------------------------------------------------------------ the widget
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else e.setAttribute(k, v);
    }
    for (const ch of children) e.append(ch);
    return e;
  }

  function shapeText(p) {
    if (p === undefined) return "–";
    const t = p.split(",").map((x) => x.trim()).filter((x) => x);
    if (t.length === 1 && t[0][0] === "*") return "any shape";
    return t.length ? "(" + t.join(", ") + ")" : "() scalar";
  }

  function mount(root, lib) {
    const names = Object.keys(lib.contracts);
    const list = el("datalist", { id: "loss-lookup-names" });
    for (const n of names) list.append(el("option", { value: n }));
    // state in the URL: ?loss=NAME from the cheatsheet's links, #loss=..&input=..&target=.. to share a question
    const hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    const asked = hash.get("loss") || new URLSearchParams(window.location.search).get("loss");
    const loss = el("input", { id: "loss-lookup-loss", list: "loss-lookup-names", value: asked || "CrossEntropyLoss", autocomplete: "off", spellcheck: "false" });
    const input = el("input", { id: "loss-lookup-input", value: hash.get("input") || "float32[8,10]", spellcheck: "false" });
    const extras = el("div", { class: "loss-lookup-extras", id: "loss-lookup-extras" });
    const reduction = el("select", { id: "loss-lookup-reduction" });
    const opts = el("input", { id: "loss-lookup-options", placeholder: "e.g. ignore_index=0, weight=float32[10]", spellcheck: "false", value: hash.get("options") || "" });
    const result = el("div", { id: "loss-lookup-result", class: "loss-lookup-result", role: "status", "aria-live": "polite" });
    const rules = el("div", { id: "loss-lookup-rules", class: "loss-lookup-rules" });
    const field = (label, control, hint) => el("label", { class: "loss-lookup-field" }, el("span", {}, label), control, hint ? el("small", {}, hint) : "");
    root.append(list, el("div", { class: "loss-lookup-form" },
      field("loss", loss, "class or functional name, e.g. cross_entropy"),
      field("input (first tensor)", input, "dtype[shape], e.g. float32[8,10]"),
      extras,
      field("reduction", reduction),
      field("other options", opts, "KEY=VALUE, comma separated")), result, rules);

    let current = null;
    const extraInputs = {};
    const defaults = { target: "int64[8]" };

    function setLoss() {
      let c;
      try {
        c = lib.resolve(loss.value);
      } catch (e) {
        current = null;
        return;
      }
      if (current === c) return;
      current = c;
      extras.replaceChildren();
      for (const a of c.args.filter((x) => x.module).slice(1)) {
        const prev = extraInputs[a.name] ? extraInputs[a.name].value : hash.get(a.name) || defaults[a.name] || "";
        const box = el("input", { id: `loss-lookup-arg-${a.name}`, "data-arg": a.name, value: prev, spellcheck: "false" });
        box.addEventListener("input", update);
        extraInputs[a.name] = box;
        extras.append(field(a.name, box, a.kind));
      }
      reduction.replaceChildren(...c.reductions.map((r) => el("option", { value: r }, r)));
      reduction.value = c.reductions.includes(hash.get("reduction")) ? hash.get("reduction") : "mean";
      const tbl = el("table", {}, el("thead", {}, el("tr", {}, ...["form", ...c.args.filter((a) => a.module).map((a) => a.name), "output (none)"].map((h) => el("th", {}, h)))));
      const body = el("tbody");
      for (const f of c.forms.filter((x) => !x.fails)) {
        body.append(el("tr", {}, el("td", {}, f.name), ...c.args.filter((a) => a.module).map((a) => el("td", {}, el("code", {}, `${shapeText(f.shapes[a.name])} ${(f.dtypes[a.name] || { accept: [] }).accept.join(" | ")}`))),
          el("td", {}, el("code", {}, f.out.startsWith("=") ? "broadcast shape" + (f.out.endsWith("[:-1]") ? " minus last dim" : "") : shapeText(f.out)))));
      }
      tbl.append(body);
      rules.replaceChildren(el("p", {}, el("strong", {}, c.name), ` (F.${c.functional}): ${c.summary}`), tbl);
    }

    function parseOptions(text) {
      const out = {};
      for (const part of text.split(/,(?![^\[\]()]*[\])])/).map((s) => s.trim()).filter((s) => s)) {
        const i = part.indexOf("=");
        if (i <= 0) throw new lib.UsageError(`option '${part}' must look like KEY=VALUE, e.g. ignore_index=0`);
        out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
      }
      return out;
    }

    function show(cls, ...children) {
      result.className = "loss-lookup-result " + cls;
      result.replaceChildren(...children);
    }

    function remember() {
      const state = new URLSearchParams({ loss: loss.value, input: input.value });
      for (const [name, box] of Object.entries(extraInputs)) if (current && current.args.some((a) => a.name === name && a.module)) state.set(name, box.value);
      if (reduction.value && reduction.value !== "mean") state.set("reduction", reduction.value);
      if (opts.value.trim()) state.set("options", opts.value.trim());
      window.history.replaceState(null, "", "#" + state.toString());
    }

    function update() {
      setLoss();
      remember();
      if (!current) {
        try {
          lib.resolve(loss.value);
        } catch (e) {
          show("loss-lookup-usage", el("p", {}, e.message));
        }
        return;
      }
      const specs = { [current.args[0].name]: input.value };
      for (const [name, box] of Object.entries(extraInputs)) if (current.args.some((a) => a.name === name && a.module)) specs[name] = box.value;
      let d;
      try {
        const options = parseOptions(opts.value);
        if (reduction.value && reduction.value !== "mean") options.reduction = reduction.value;
        d = lib.diagnose(current, specs, options);
      } catch (e) {
        if (e instanceof lib.UsageError) {
          show("loss-lookup-usage", el("p", {}, e.message));
          return;
        }
        throw e;
      }
      const red = d.options.reduction === undefined ? "mean" : d.options.reduction;
      if (d.valid) {
        show("loss-lookup-valid", el("p", {}, el("strong", {}, "✔ valid"), ` (${d.form}): output shape `, el("code", {}, lib.fmtShape(d.output_shape)), ` with reduction='${red}'`));
        return;
      }
      const verdict = { ok: "runs without an error, but", warning: "runs with only a warning, but", "forward-error": "torch raises in the forward call:", error: "torch raises:",
        "backward-error": "the forward call succeeds and backward() raises:" }[d.outcome];
      const items = el("ul", {});
      for (const p of d.problems) {
        items.append(el("li", { class: `loss-lookup-problem loss-lookup-${p.stage}` },
          el("div", {}, el("strong", {}, "rule: "), p.rule),
          el("div", {}, el("strong", {}, "got: "), el("code", {}, p.got)),
          el("div", {}, el("strong", {}, "fix: "), el("code", {}, p.fix)),
          el("div", {}, el("strong", {}, "when: "), lib.STAGE_TEXT[p.stage])));
      }
      const parts = [el("p", {}, el("strong", {}, "✘ invalid"), ` (${d.form}): ${verdict}`), items];
      if (d.also.length) parts.push(el("p", { class: "loss-lookup-also" }, "Other accepted forms: " + d.also.join("; ")));
      if (d.output_shape !== null) parts.push(el("p", {}, "torch's output shape would be ", el("code", {}, lib.fmtShape(d.output_shape)), ` with reduction='${red}'`));
      show(d.outcome === "ok" ? "loss-lookup-silent" : "loss-lookup-invalid", ...parts);
    }

    for (const x of [loss, input, opts]) x.addEventListener("input", update);
    reduction.addEventListener("change", update);
    update();
  }

  function init() {
    const node = document.getElementById("refcheck-loss-contracts");
    if (!node) return;
    const lib = makeLib(JSON.parse(node.textContent));
    window.refcheckLossLookup = lib;
    const root = document.getElementById("loss-lookup-app");
    if (root && !root.dataset.mounted) {
      root.dataset.mounted = "1";
      mount(root, lib);
    }
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { makeLib }; // Node: tests/test_losses_js.py compares this port with the Python diagnosis
    return;
  }
  // Material's instant navigation swaps pages without reloading: re-run on each page view.
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
