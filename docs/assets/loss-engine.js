/* refcheck loss engine: the diagnosis of refcheck/losses/ in JavaScript, as an ES module.
 *
 * It mirrors refcheck/losses/{names,spec,diagnose}.py function for function (camelCase names) and
 * reads one JSON payload generated from Python (docs/assets/loss-payload.json, written by
 * `python -m refcheck.losses.payload`): the contracts, the name index, the spec grammar's regular
 * expressions and the message tables. Nothing here is data. tests/test_losses_parity.py runs both
 * engines over a generated grid and requires identical answers.
 */

export class UsageError extends Error {}

// ------------------------------------------------------------------------------ Python's repr
export function pyStrRepr(s) {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) {
    const code = ch.codePointAt(0);
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += ch;
  }
  return quote + out + quote;
}

export function pyFloat(v) {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mant, expText] = v.toExponential().split("e");
  const e = parseInt(expText, 10);
  if (e < -4 || e >= 16) return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  const sign = v < 0 ? "-" : "";
  const digits = mant.replace("-", "").replace(".", "");
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, "0");
  const frac = digits.slice(e + 1);
  return `${sign}${whole}.${frac || "0"}`;
}

/** repr() of an option value; ``kind`` says whether a number is a Python float. */
export function pyRepr(v, kind) {
  if (v === null || v === undefined) return "None";
  if (typeof v === "string") return pyStrRepr(v);
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return kind === "float" ? pyFloat(v) : String(v);
  if (Array.isArray(v)) return "[" + v.map((x) => pyRepr(x, kind)).join(", ") + "]";
  return String(v);
}
/** str() of an option value. */
export function pyStr(v, kind) {
  return typeof v === "string" ? v : pyRepr(v, kind);
}
const eqShape = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The engine over one payload: every function of the Python core, same names in camelCase. */
export function makeEngine(payload) {
  const C = payload.contracts;
  const N = payload.names;
  const S = payload.spec;
  const M = payload.messages;
  const SPEC_RE = new RegExp(S.spec_re);
  const SHAPE_RE = new RegExp(S.shape_re);
  const SPLIT_RE = new RegExp(S.split_re);
  const DIMS_SPLIT_RE = new RegExp(S.dims_split_re);
  const INT_RE = new RegExp(S.int_re);
  const FLOAT_RE = new RegExp(S.float_re);

  // ---------------------------------------------------------------------------- names.py
  function key(text) {
    let t = (text || "").toLowerCase();
    for (const p of N.prefixes) if (t.startsWith(p)) t = t.slice(p.length);
    return t.replace(/[^a-z0-9]/g, "");
  }
  function similarity(a, b) {
    const m = a.length, n = b.length;
    if (!m && !n) return 1;
    let prev = Array.from({ length: n + 1 }, (_, j) => j);
    for (let i = 1; i <= m; i++) {
      const cur = [i, ...Array(n).fill(0)];
      for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] !== b[j - 1] ? 1 : 0));
      prev = cur;
    }
    return 1 - prev[n] / Math.max(m, n);
  }
  function closest(word, options, n) {
    return options
      .map((o) => [similarity(word, o), o])
      .filter(([s]) => s >= N.cutoff)
      .sort((x, y) => y[0] - x[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0))
      .slice(0, n)
      .map(([, o]) => o);
  }
  function suggest(name) {
    const k = key(name);
    let names = [...new Set(closest(k, Object.keys(N.index), 6).map((x) => N.index[x]))].slice(0, 3);
    if (!names.length) names = N.classes.filter((c) => k && c.toLowerCase().includes(k)).slice(0, 3);
    return names;
  }
  function unknownLossText(name, suggestions) {
    const hint = suggestions.length ? `did you mean ${suggestions.join(", ")}?` : "'refcheck loss' lists them";
    return `unknown loss ${pyStrRepr(name)}; ${hint}`;
  }
  function resolve(name) {
    const k = key(name || "");
    if (k in N.index) return C[N.index[k]];
    const suggestions = suggest(name || "");
    const err = new UsageError(unknownLossText(name || "", suggestions));
    err.suggestions = suggestions;
    throw err;
  }

  // ---------------------------------------------------------------------------- spec.py
  const dtypeGroup = (d) => (S.float_dtypes.includes(d) ? "float" : S.complex_dtypes.includes(d) ? "complex" : d === "bool" ? "bool" : "int");
  const differentiable = (d) => dtypeGroup(d) === "float" || dtypeGroup(d) === "complex";
  function parseDtype(text) {
    let name = text.trim().toLowerCase();
    if (name.startsWith("torch.")) name = name.slice(6);
    if (!(name in S.dtype_aliases)) {
      const near = closest(name, Object.keys(S.dtype_aliases), 1);
      const hint = near.length ? ` (did you mean ${S.dtype_aliases[near[0]]}?)` : "";
      throw new UsageError(`unknown dtype ${pyStrRepr(text.trim())}${hint}; expected ${S.grammar}`);
    }
    return S.dtype_aliases[name];
  }
  function parseDims(raw, text, tupleStyle) {
    let parts = raw.split(",").map((p) => p.trim());
    if (parts.length === 1 && parts[0] === "") return [];
    if (parts[parts.length - 1] === "" && parts.length > 1 && tupleStyle) parts = parts.slice(0, -1);
    return parts.map((p) => {
      if (!/^-?[0-9]+$/.test(p))
        throw new UsageError(`bad dimension ${pyStrRepr(p)} in ${pyStrRepr(text.trim())}: dimensions are non-negative integers; expected ${S.grammar}`);
      if (parseInt(p, 10) < 0) throw new UsageError(`negative dimension ${p} in ${pyStrRepr(text.trim())}: dimensions are non-negative integers; expected ${S.grammar}`);
      return parseInt(p, 10);
    });
  }
  function parseShape(text, whole) {
    const m = SHAPE_RE.exec(text.trim());
    if (!m) return null;
    const [, size, listed, tupled, crossed] = m;
    if (crossed !== undefined) return crossed.split(DIMS_SPLIT_RE).map((d) => parseInt(d, 10));
    const raw = [size, listed, tupled].find((g) => g !== undefined);
    return parseDims(raw, whole, true);
  }
  function parseSpec(text, dtype) {
    if (typeof text !== "string" || !text.trim()) throw new UsageError(`empty tensor spec; expected ${S.grammar}`);
    const shape = parseShape(text, text);
    if (shape !== null) {
      if (dtype === undefined || dtype === null)
        throw new UsageError(`no dtype in ${pyStrRepr(text.trim())}: add one, e.g. '${text.trim()} float32'; expected ${S.grammar}`);
      return { dtype: parseDtype(dtype), shape };
    }
    let m = SPEC_RE.exec(text);
    if (m) return { dtype: parseDtype(m[1]), shape: parseDims(m[2] !== undefined ? m[2] : m[3], text, m[3] !== undefined) };
    m = SPLIT_RE.exec(text.trim());
    if (m) {
      const [shapeText, dtypeText] = m[1] !== undefined ? [m[1], m[2]] : [m[4], m[3]];
      const found = parseShape(shapeText, text);
      if (found !== null) return { dtype: parseDtype(dtypeText), shape: found };
    }
    throw new UsageError(`malformed tensor spec ${pyStrRepr(text.trim())}; expected ${S.grammar}`);
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

  // ---------------------------------------------------------------------------- diagnose.py: shapes
  const tokens = (p) => (p.trim() ? p.split(",").map((t) => t.trim()).filter((t) => t) : []);
  const fmtShape = (shape) => "(" + shape.join(", ") + (shape.length === 1 ? "," : "") + ")";
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
      tail.forEach((t, j) => pairs.push([t, shape[shape.length - tail.length + j]]));
      const group = shape.slice(head.length, head.length + nVar);
      const name = toks[i].slice(1);
      if (name in env && !eqShape(env[name], group)) return `dims ${fmtShape(group)} must equal ${fmtShape(env[name])}`;
      env[name] = group;
    } else {
      if (shape.length !== fixed) return `needs ${fixed} dim${fixed !== 1 ? "s" : ""}`;
      pairs = toks.map((t, j) => [t, shape[j]]);
    }
    for (const [t, size] of pairs) {
      if (/^[0-9]+$/.test(t)) {
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
      } else if (/^[0-9]+$/.test(t)) out.push(parseInt(t, 10));
      else if (t in env) out.push(env[t]);
      else return null;
    }
    return out;
  }

  // ---------------------------------------------------------------------------- diagnose.py: dtypes
  const dtypeOk = (dt, d, first) => dt.accept.includes(d) || dt.accept.includes(dtypeGroup(d)) || (dt.accept.includes("same") && d === first);
  const dtypeStage = (dt, d) => dt.stages[d] || dt.stages[dtypeGroup(d)] || dt.stage;
  const acceptText = (dt, first) => dt.accept.map((a) => (a in M.accept_words ? M.accept_words[a].split("{first}").join(first) : a)).join(" or ");
  function dtypeFix(dt, arg, firstArg) {
    if (dt.fix) return dt.fix.startsWith("target") ? dt.fix.split("target").join(arg) : dt.fix.startsWith(".") ? arg + dt.fix : dt.fix;
    const a = dt.accept[0];
    const template = a in M.dtype_fix ? M.dtype_fix[a] : "{arg}.to(torch." + a + ")";
    return template.split("{arg}").join(arg).split("{first}").join(firstArg);
  }

  // ---------------------------------------------------------------------------- diagnose.py: options
  const option = (c, name) => c.options.find((o) => o.name === name) || null;
  const argOf = (c, name) => c.args.find((a) => a.name === name);
  function parseOption(c, k, value) {
    const opt = option(c, k);
    if (!opt) throw new UsageError(`${c.name} has no option ${pyStrRepr(k)}; valid options: ${c.options.map((o) => o.name).join(", ")}`);
    if (typeof value !== "string") return value;
    const text = value.trim();
    const bad = () => {
      const want = opt.kind === "bool" || opt.kind === "legacy" ? "true or false" : opt.kind === "int" ? "an integer" : opt.kind === "float" ? "a number" : "integers like 3,4";
      return new UsageError(`option ${k}=${pyStrRepr(value)}: expected ${want}`);
    };
    if (opt.kind === "int") {
      if (text.toLowerCase() === "none") return null;
      if (!INT_RE.test(text)) throw bad();
      return parseInt(text, 10);
    }
    if (opt.kind === "float") {
      if (!FLOAT_RE.test(text) || !Number.isFinite(Number(text))) throw bad();
      return Number(text);
    }
    if (opt.kind === "bool" || opt.kind === "legacy") {
      if (opt.kind === "legacy" && text.toLowerCase() === "none") return null;
      if (!["true", "false", "1", "0"].includes(text.toLowerCase())) throw bad();
      return ["true", "1"].includes(text.toLowerCase());
    }
    if (opt.kind === "ints") {
      const parts = text.replace(/^[\[\]() ]+|[\[\]() ]+$/g, "").split(/[,\s]+/).filter((x) => x);
      if (!parts.every((x) => INT_RE.test(x))) throw bad();
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

  // ---------------------------------------------------------------------------- diagnose.py: rules of a form
  function selected(form, specs) {
    if (!form.select.length) return null;
    const [kind, a, b] = form.select;
    if (kind === "same_shape") return a in specs && b in specs && eqShape(specs[a].shape, specs[b].shape);
    return null;
  }
  const P = (arg, rule, got, fix, stage) => ({ arg, rule, got, fix, stage });

  function shapeRules(form, specs, names, env) {
    const problems = [];
    for (const name of names) {
      const pattern = form.shapes[name];
      if (pattern === undefined) continue;
      const why = match(pattern, specs[name].shape, env);
      if (why) {
        const want = concrete(pattern, env);
        problems.push(P(name, `${name} must have shape ${render(pattern, env)} (${form.name}): ${why}`, fmtShape(specs[name].shape), shapeFix(specs[name].shape, want, name), "forward"));
      }
    }
    return problems;
  }
  function broadcastRule(form, specs) {
    const present = form.broadcast.filter((n) => n in specs);
    if (!present.length) return [0, [], null];
    const shapes = present.map((n) => specs[n].shape);
    const bshape = broadcastShapes(...shapes);
    const base = specs[present[0]].shape;
    const got = present.map((n) => `${n} ${fmtShape(specs[n].shape)}`).join(", ");
    if (form.mode === "same_ndim" && new Set(shapes.map((s) => s.length)).size > 1) {
      const odd = present.find((n) => specs[n].shape.length !== base.length);
      return [1, [P(odd, `${present.join(", ")} must have the same number of dims`, got, base.length ? shapeFix(specs[odd].shape, base, odd) : `give all of them ${base.length} dims`, "forward")], bshape];
    }
    if (bshape === null) {
      const other = present[1];
      return [1, [P(other, `${present.join(" and ")} must have broadcastable shapes (normally equal)`, got, shapeFix(specs[other].shape, base, other), "forward")], bshape];
    }
    if (form.mode === "to_input" && !eqShape(bshape, base))
      return [1, [P(present[1], `${present[1]} must broadcast to ${present[0]}'s shape ${fmtShape(base)}; together they broadcast to ${fmtShape(bshape)}`,
        got, shapeFix(specs[present[1]].shape, base, present[1]), "forward")], bshape];
    if (form.mode === "warn" && shapes.some((s) => !eqShape(s, base)))
      return [0, [P(present[1], `${present[1]} must have ${present[0]}'s shape ${fmtShape(base)}: torch broadcasts them to ${fmtShape(bshape)} with only a UserWarning` +
        (!eqShape(bshape, base) ? ", so the loss compares every prediction with every target" : ""), got, shapeFix(specs[present[1]].shape, base, present[1]), "warning")], bshape];
    if ((form.mode === "silent" || form.mode === "same_ndim") && !eqShape(bshape, base))
      return [0, [P(present[1], `${present.join(", ")} broadcast silently to ${fmtShape(bshape)}, larger than ${present[0]}'s ${fmtShape(base)}: probably not what you meant`,
        got, shapeFix(specs[present[1]].shape, base, present[1]), "silent")], bshape];
    return [0, [], bshape];
  }
  function dtypeRules(c, form, specs, names) {
    const problems = [];
    const first = names[0];
    const firstDtype = specs[first].dtype;
    for (const name of names) {
      const dt = form.dtypes[name];
      if (dt === undefined || dtypeOk(dt, specs[name].dtype, firstDtype)) continue;
      const d = specs[name].dtype;
      const stage = dtypeStage(dt, d);
      let rule = `${name} dtype must be ${acceptText(dt, firstDtype)} (${c.forms.length > 1 ? form.name : argOf(c, name).kind})`;
      if (argOf(c, name).grad && !differentiable(d) && stage === "backward") rule += "; an integer tensor cannot require grad, so backward() fails";
      problems.push(P(name, rule, `${d} (torch calls it ${S.torch_names[d]})`, dtypeFix(dt, name, first), stage));
    }
    return problems;
  }
  function deviceRule(c, form, specs, names, device) {
    const problems = [];
    for (const name of names) {
      const dt = form.dtypes[name];
      const d = specs[name].dtype;
      if (dt !== undefined && device === "cpu" && (dt.not_on_cpu || []).includes(d) && dtypeOk(dt, d, specs[names[0]].dtype))
        problems.push(P(name, `${c.name} has no CPU kernel for ${d} ${name}: torch raises 'not implemented for ${S.torch_names[d]}' on CPU (CUDA has one)`,
          `${d} on cpu`, `${name}.float() on CPU`, "forward"));
    }
    return problems;
  }
  function toleratedRule(form, specs, names, problems) {
    const out = [];
    for (const name of names) {
      const dt = form.dtypes[name];
      const d = specs[name].dtype;
      if (dt === undefined || !dt.warn_tolerated || dt.intended.includes(d) || dt.intended.includes(dtypeGroup(d)) || problems.some((p) => p.arg === name)) continue;
      if (!dtypeOk(dt, d, specs[names[0]].dtype)) continue;
      const want = dt.intended.join(" / ");
      const template = dt.intended[0] in M.dtype_fix ? M.dtype_fix[dt.intended[0]] : "{arg}.to(torch." + dt.intended[0] + ")";
      const fix = template.split("{arg}").join(name).split("{first}").join(names[0]);
      out.push(P(name, `${name} dtype ${d} is tolerated, not intended (pass ${want}): ${dt.tolerated}`, d, fix, "silent"));
    }
    return out;
  }
  function precisionRule(form, specs, names) {
    const first = names[0], fd = specs[names[0]].dtype;
    const problems = [];
    for (const name of names.slice(1)) {
      const dt = form.dtypes[name];
      const d = specs[name].dtype;
      if (dt !== undefined && dt.out_dtype && d !== fd && d in M.float_bits && fd in M.float_bits && M.float_bits[d] <= M.float_bits[fd])
        problems.push(P(name, `torch computes the loss in ${name}'s dtype: ${d} ${name} with ${fd} ${first} gives a ${d} loss (precision lost)`,
          `${first} ${fd}, ${name} ${d}`, `${name}.to(${first}.dtype)`, "silent"));
    }
    return problems;
  }
  function size1Rule(form, specs) {
    if (!(form.size1_of || []).length || form.size1_of.some((n) => !(n in specs))) return [];
    const [a, b] = form.size1_of;
    const sa = specs[a].shape, sb = specs[b].shape;
    if (sa.length === sb.length && sb.reduce((acc, x, i) => acc + (x !== sa[i] ? sa[i] : 0), 0) === 1) return [];
    return [P(a, `${a} must have ${b}'s number of dims and differ from it in exactly one dim, where ${a} is 1`, fmtShape(sa), `give ${a} the shape ${fmtShape(sb)}`, "forward")];
  }
  function floatRule(specs, names, problems) {
    if (names.some((n) => differentiable(specs[n].dtype)) || problems.some((p) => p.stage === "forward" || p.stage === "error")) return [];
    const first = names[0];
    return [P(first, "at least one tensor must be floating point: with only integer/bool tensors torch cannot compute a differentiable loss",
      names.map((n) => `${n} ${specs[n].dtype}`).join(", "), `${first}.float()`, "error")];
  }
  function gradRule(c, specs, names, problems) {
    const gradNames = names.filter((n) => argOf(c, n).grad);
    if (c.args.some((a) => a.grad && !a.module)) return [];
    if (gradNames.length && !gradNames.some((n) => differentiable(specs[n].dtype)) && !problems.some((p) => gradNames.includes(p.arg)))
      return [P(gradNames[0], `${gradNames.join(" or ")} must be floating point to receive a gradient: integer tensors cannot require grad`,
        gradNames.map((n) => `${n} ${specs[n].dtype}`).join(", "), `${gradNames[0]}.float() (model outputs are floating point)`, "backward")];
    return gradNames
      .filter((n) => !differentiable(specs[n].dtype) && !problems.some((p) => p.arg === n))
      .map((n) => P(n, `${n} is ${specs[n].dtype}: torch computes the loss, but no gradient can reach an integer tensor`, specs[n].dtype, `${n}.float() if it is a model output`, "silent"));
  }
  function tensorOptionRules(c, specs, names, options, env) {
    const problems = [];
    const first = names[0];
    for (const opt of c.options) {
      const value = options[opt.name];
      if (opt.kind !== "tensor" || value === undefined || value === null) continue;
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
      if (opt.dtype && !dtypeOk(opt.dtype, spec.dtype, specs[first].dtype))
        problems.push(P(opt.name, `${opt.name} dtype must be ${acceptText(opt.dtype, specs[first].dtype)}`, spec.dtype, `${opt.name}.to(${first}.dtype)`, "forward"));
    }
    return problems;
  }
  function forbidRule(c, form, options) {
    const problems = [];
    for (const opt of c.options) {
      const value = options[opt.name];
      if (opt.name in form.forbid && value !== undefined && value !== null && value !== opt.default)
        problems.push(P(opt.name, form.forbid[opt.name], `${opt.name}=${pyRepr(value, opt.kind)}`, `drop ${opt.name}, or use class-index targets`, "forward"));
    }
    return problems;
  }
  function trapRule(form, specs, names) {
    if (!form.fails) return [];
    return [P(names.length > 1 ? names[names.length - 1] : names[0], form.why, names.map((n) => `${n} ${fmtShape(specs[n].shape)}`).join(", "), form.note || "see the rule", form.fails)];
  }
  function outputShape(form, env, bshape) {
    if (form.out.startsWith("=broadcast")) {
      if (bshape === null) return null;
      return form.out.endsWith("[:-1]") ? bshape.slice(0, -1) : bshape;
    }
    return concrete(form.out, env);
  }
  function checkForm(c, form, specs, options, env0, device = "cpu") {
    const env = Object.assign({}, env0);
    const names = c.args.map((a) => a.name).filter((n) => n in specs);
    let problems = shapeRules(form, specs, names, env).concat(size1Rule(form, specs));
    let nShape = problems.length;
    const [nBroadcast, more, bshape] = broadcastRule(form, specs);
    nShape += nBroadcast;
    problems = problems.concat(more);
    problems = problems.concat(dtypeRules(c, form, specs, names));
    problems = problems.concat(deviceRule(c, form, specs, names, device));
    problems = problems.concat(precisionRule(form, specs, names));
    problems = problems.concat(floatRule(specs, names, problems));
    problems = problems.concat(gradRule(c, specs, names, problems));
    problems = problems.concat(tensorOptionRules(c, specs, names, options, env));
    problems = problems.concat(forbidRule(c, form, options));
    problems = problems.concat(trapRule(form, specs, names));
    problems = problems.concat(toleratedRule(form, specs, names, problems));
    return [nShape, problems, env, outputShape(form, env, bshape)];
  }

  // ---------------------------------------------------------------------------- diagnose.py: rules of the call
  function effectiveReduction(options) {
    let sizeAverage = options.size_average === undefined ? null : options.size_average;
    let reduce = options.reduce === undefined ? null : options.reduce;
    if (sizeAverage === null && reduce === null) return options.reduction === undefined ? "mean" : options.reduction;
    sizeAverage = sizeAverage === null ? true : sizeAverage;
    reduce = reduce === null ? true : reduce;
    return sizeAverage && reduce ? "mean" : reduce ? "sum" : "none";
  }
  function legacyRule(options) {
    const given = ["size_average", "reduce"].filter((k) => options[k] !== undefined && options[k] !== null);
    if (!given.length) return [];
    const red = effectiveReduction(options);
    const got = given.map((k) => `${k}=${pyRepr(options[k])}`).join(", ");
    return [P(given[0], `size_average and reduce are deprecated: torch warns and uses reduction=${pyRepr(red)} (any reduction argument is ignored)`, got, `reduction=${pyRepr(red)}`, "warning")];
  }
  function reductionRule(c, options) {
    const red = effectiveReduction(options);
    const problems = [];
    if (!c.reductions.includes(red))
      problems.push(P("reduction", `reduction must be one of ${c.reductions.map((r) => pyStrRepr(r)).join(", ")}`, pyRepr(red), "reduction='mean'", "forward"));
    if (c.name === "KLDivLoss" && red === "mean")
      problems.push(P("reduction", "reduction='mean' averages over every element, not over the batch: torch warns, and the value is not the KL divergence",
        "reduction='mean'", "reduction='batchmean'", "warning"));
    return problems;
  }
  function rangeRule(c, options) {
    const problems = [];
    for (const opt of c.options) {
      const v = options[opt.name];
      if (v === undefined || v === null || (opt.kind !== "float" && opt.kind !== "int") || typeof v !== "number") continue;
      const lowBad = opt.low !== null && (opt.low_open ? v <= opt.low : v < opt.low);
      if (lowBad || (opt.high !== null && v > opt.high)) {
        let rng;
        if (opt.low !== null && opt.high !== null) rng = `in [${pyStr(opt.low, opt.kind)}, ${pyStr(opt.high, opt.kind)}]`;
        else if (opt.high !== null) rng = `<= ${pyStr(opt.high, opt.kind)}`;
        else rng = `${opt.low_open ? ">" : ">="} ${pyStr(opt.low, opt.kind)}`;
        problems.push(P(opt.name, `${opt.name} must be ${rng}`, pyRepr(v, opt.kind), `${opt.name}=${pyStr(opt.default, opt.kind)}`, "forward"));
      }
    }
    return problems;
  }
  const optionProblems = (c, options) => legacyRule(options).concat(reductionRule(c, options), rangeRule(c, options));
  function madeRule(c, made) {
    const first = c.args.filter((a) => a.module)[0].name;
    const expected = M.made_expected[c.values[first] || ""];
    if (made === null || made === undefined || expected === undefined || made === expected || (M.made_fine[c.name] || []).includes(made)) return [];
    const [rule, fix, stage] = M.made_rules[`${expected}/${made}`];
    const dim = M.log_softmax_dim[c.name] || "-1";
    return [P(first, rule.split("{loss}").join(c.name), `${first} made as ${made}`, fix.split("{arg}").join(first).split("{dim}").join(dim), stage)];
  }

  /** Check tensor specs (keyed by torch's argument names) and options against contract ``c``. */
  function diagnose(c, specsIn, optionsIn, made, device = "cpu") {
    if (made !== undefined && made !== null && !M.made.includes(made)) throw new UsageError(`made=${pyRepr(made)}: expected one of ${M.made.join(", ")}`);
    const parsed = {};
    for (const [name, s] of Object.entries(specsIn)) {
      if (s === null || s === undefined) continue;
      if (!argOf(c, name)) throw new UsageError(`${c.name} takes no tensor ${pyStrRepr(name)}; its tensors are ${c.args.map((a) => a.name).join(", ")}`);
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
      if (o.dim && opts[o.name] !== undefined && opts[o.name] !== null) env0[o.dim.replace(/^[*+]+/, "")] = opts[o.name];
      else if (o.dim.startsWith("*") && o.kind === "ints") env0[o.dim.slice(1)] = o.default.slice();
    }
    const chosen = c.forms.filter((f) => selected(f, parsed) === true);
    let candidates = chosen.length ? chosen : c.forms.filter((f) => selected(f, parsed) === null);
    const open = candidates.filter((f) => !f.requires_empty || !(env0[f.requires_empty] || []).length);
    if (open.length) candidates = open;
    let best = null;
    candidates.forEach((form, i) => {
      const [nShape, problems, env, out] = checkForm(c, form, parsed, opts, env0, device);
      const k = [nShape, problems.length, i];
      if (best === null || k[0] < best.k[0] || (k[0] === best.k[0] && (k[1] < best.k[1] || (k[1] === best.k[1] && k[2] < best.k[2])))) best = { k, form, problems, env, out };
    });
    const { form, env, out } = best;
    const problems = optionProblems(c, opts).concat(madeRule(c, made), best.problems);
    problems.sort((a, b) => M.stage_order[a.stage] - M.stage_order[b.stage]); // stable, like Python's sort
    const stages = problems.filter((p) => p.stage !== "silent").map((p) => p.stage);
    const outcome = stages.length ? M.outcome[stages[0]] : "ok";
    const red = effectiveReduction(opts);
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
    for (const p of problems) p.stage_text = M.stage_text[p.stage];
    return { loss: c.name, specs: specsOut, options: opts, form: form.name, outcome, output_shape: output, problems, bound: env, also, made: made === undefined ? null : made, reduction: red, valid: problems.length === 0 };
  }

  return {
    contracts: C, messages: M, dtypes: S.dtypes, tables: payload.tables, UsageError,
    key, similarity, closest, suggest, resolve,
    dtypeGroup, differentiable, parseDtype, parseDims, parseShape, parseSpec, specStr, broadcastShapes,
    tokens, fmtShape, render, match, shapeFix, concrete,
    dtypeOk, dtypeStage, acceptText, dtypeFix, parseOption,
    shapeRules, size1Rule, broadcastRule, dtypeRules, deviceRule, precisionRule, floatRule, gradRule, tensorOptionRules, forbidRule, trapRule, toleratedRule, outputShape, checkForm,
    effectiveReduction, legacyRule, reductionRule, rangeRule, optionProblems, madeRule, diagnose,
  };
}
