"""Every page at 390, 768 and 1280 px: no element reaches past the viewport or is clipped by its box unless it
sits in a scroll container, no console error, no request leaving localhost, a title, and math rendered as
MathML with a size; in the light theme at every width and in the dark theme at 1280 px. One browser; one
context per width and theme, with one page reused for every address.

Why the dark theme is not laid out again at 390 and 768 px: a colour scheme changes colours, not geometry,
and every run proves that for the site as built. In the dark case, on every page, each CSS rule that the
scheme selects (a selector naming data-md-color-scheme, or a prefers-color-scheme media query), and each rule
whose value reads a custom property that such a rule sets, may only set properties that paint (colour,
background, shadow, filter, opacity), unless its selector matches nothing on the page. The stylesheets hold
the rules of every width (those inside width media queries too), and they are the same in every case. And
the site's own scripts never read the scheme (test_site_scripts_never_read_the_colour_scheme). With that
premise checked, a dark page at 390 or 768 px has the light page's geometry, which is checked; the dark
theme's loading, scripts and requests are checked on every page at 1280 px. (Before: 6 cases of 20 loads,
light and dark at each width; now 4 cases, 80 loads.)

The crawl that test_site_health did (every page loads with no console error, page error or request leaving
localhost, is watched for at least 150 ms after its load event, and has a title) is done here, in every case:
each page stays open at least that long before the next address."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}  # as in conftest.py, whose `page` fixture takes no viewport

WIDTHS = (390, 768, 1280)
THEMES = {"default": "light", "slate": "dark"}  # Material's palette scheme -> the browser preference that selects it

# Elements that are off-canvas by design: the navigation drawer and the search overlay of narrow screens. An
# element inside one of them is skipped with its whole subtree (the walker rejects the subtree, which is what
# testing every element with closest() did, without the per-element selector match).
OVERFLOWS = """() => {
  const vw = document.documentElement.clientWidth;
  const SKIP = '.md-sidebar, .md-search, .md-header__topic, .md-tooltip, .md-tooltip2, [hidden]';
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement)
      parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
    return parts.join(' > ');
  };
  const clippers = new Map();  // element -> its nearest ancestor-or-self that does not let content overflow
  const clipperOf = (a) => {
    if (!a || a === document.body) return null;
    if (!clippers.has(a)) {
      const ox = getComputedStyle(a).overflowX;
      clippers.set(a, ox !== 'visible' ? { el: a, scrolls: ox === 'auto' || ox === 'scroll' } : clipperOf(a.parentElement));
    }
    return clippers.get(a);
  };
  const out = [], reported = [];
  if (document.documentElement.scrollWidth > vw + 1) out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide`);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT,
    { acceptNode: (el) => el.matches(SKIP) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT });
  for (let el = walker.nextNode(); el; el = walker.nextNode()) {
    if (reported.some((p) => p.contains(el))) continue;  // the outermost offender only
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const clipper = clipperOf(el.parentElement);
    if (clipper && clipper.scrolls) continue;  // reachable by scrolling its container
    const box = clipper ? clipper.el.getBoundingClientRect() : { left: 0, right: vw };
    const left = Math.max(box.left, 0), right = Math.min(box.right, vw);
    if (r.right > right + 1 || r.left < left - 1) {
      reported.push(el);
      out.push(`${path(el)}: ${Math.round(r.left)}..${Math.round(r.right)} px, ${clipper ? 'clipped by its box' : 'past the viewport'} ${Math.round(left)}..${Math.round(right)}`);
    }
    if (out.length > 8) break;
  }
  return out;
}"""

# Tables that must show every column without scrolling: the ledger's per-page tables at every width (rows
# become cards on phones), and the loss cheatsheet ("All losses at a glance") on a laptop screen.
MUST_FIT = "(wide) => [...document.querySelectorAll('.refcheck-ledger-page .md-typeset__scrollwrap' + (wide ? ', .loss-cheatsheet .md-typeset__scrollwrap' : ''))].map(s => [s.scrollWidth, s.clientWidth])"

MATH_SIZES = "() => [...document.querySelectorAll('article math')].map(m => { const r = m.getBoundingClientRect(); return [r.width, r.height]; })"


def _pages(site_dir: Path) -> list[str]:
    return sorted("/" + p.parent.relative_to(site_dir).as_posix().removeprefix(".") + "/" for p in site_dir.rglob("index.html")
                  if not p.relative_to(site_dir).parts[0].startswith(("assets", "search")))


@pytest.fixture(scope="module")
def pages(site_dir):
    found = [p.replace("//", "/") for p in _pages(site_dir)]
    assert len(found) >= 20, found
    return found


# The premise that lets the dark theme be laid out at one width only: what the colour scheme selects in CSS
# paints and never moves or sizes a box (see the module docstring). Returns the rules that break it.
SCHEME_RULES = """() => {
  // properties that paint but never move or size a box
  const PAINT = /^(color|background(-color|-image)?|border(-(top|right|bottom|left|block|inline)(-(start|end))?)?-color|outline-color|fill|stroke|box-shadow|text-shadow|filter|caret-color|accent-color|color-scheme|text-decoration-color|column-rule-color|scrollbar-color|-webkit-tap-highlight-color|opacity|mix-blend-mode|stop-color|flood-color|lighting-color)$/;
  const SCHEME = /data-md-color-scheme|prefers-color-scheme/;
  const decls = [];  // [selector, property, value, set by a scheme?]
  const visit = (rules, schemed) => {
    for (const rule of rules) {
      if (rule instanceof CSSStyleRule) {
        const s = schemed || SCHEME.test(rule.selectorText);
        for (const prop of rule.style) decls.push([rule.selectorText, prop, rule.style.getPropertyValue(prop), s]);
        if (rule.cssRules && rule.cssRules.length) visit(rule.cssRules, s);
      } else if (rule.cssRules) {
        visit(rule.cssRules, schemed || SCHEME.test(rule.conditionText || rule.media?.mediaText || ''));
      }
    }
  };
  const out = [];
  for (const sheet of document.styleSheets) {
    try { visit(sheet.cssRules, false); } catch (e) { out.push(`stylesheet not readable: ${sheet.href}`); }
  }
  // custom properties a scheme sets, and those defined from them (to a fixed point)
  const schemedVars = new Set(decls.filter(([, p, , s]) => s && p.startsWith('--')).map(([, p]) => p));
  const uses = (value) => [...value.matchAll(/var\\(\\s*(--[\\w-]+)/g)].some(([, v]) => schemedVars.has(v));
  for (let grown = true; grown;) {
    grown = false;
    for (const [, p, v] of decls) if (p.startsWith('--') && !schemedVars.has(p) && uses(v)) { schemedVars.add(p); grown = true; }
  }
  const strip = (sel) => sel.replace(/\\[data-md-color-scheme=["']?[\\w-]+["']?\\]/g, '').trim();
  for (const [sel, p, v, s] of decls) {
    if (p.startsWith('--') || PAINT.test(p)) continue;
    if (!(s || uses(v))) continue;
    // a layout property that depends on the scheme: harmless only where its selector matches nothing here
    let matched = true;
    try { matched = !strip(sel) || !!document.querySelector(strip(sel)); } catch (e) { matched = true; }
    if (matched) out.push(`${sel} { ${p}: ${v} } depends on the colour scheme`);
  }
  for (const el of document.querySelectorAll('[style*="var(--"]'))
    if (uses(el.getAttribute('style'))) out.push(`inline style ${el.getAttribute('style')} depends on the colour scheme`);
  return {out, rules: decls.filter(([, , , s]) => s).length, vars: schemedVars.size};
}"""

# All that is measured in one case, in one call: the scheme, overflows, the tables that must fit, the formulas'
# sizes, and (in the dark case, with its stylesheets: the same CSS in every case) the rules that would make the
# scheme change geometry.
CHECKS = f"""([wide, dark]) => ({{scheme: document.body.getAttribute('data-md-color-scheme'), overflows: ({OVERFLOWS})(),
  mustFit: ({MUST_FIT})(wide), math: ({MATH_SIZES})(), schemeRules: dark ? ({SCHEME_RULES})() : null}})"""

WATCH_S = 0.15  # how long each page stays watched for late console errors after its load event, at least
CASES = [(width, "default") for width in WIDTHS] + [(1280, "slate")]


def test_site_scripts_never_read_the_colour_scheme(site_dir):
    """The other half of the premise: no script of the site (Material's bundle aside, which only sets the scheme's
    attributes) asks which scheme is on, so no layout computed in script depends on it."""
    scripts = [p for p in (site_dir / "assets").rglob("*.js") if "javascripts" not in p.parts]
    assert len(scripts) >= 5, scripts
    readers = [p.name for p in scripts if any(w in p.read_text() for w in ("color-scheme", "prefers-color", "slate"))]
    assert not readers, readers


@pytest.mark.parametrize(("width", "scheme"), CASES, ids=[f"{w}-{s}" for w, s in CASES])
def test_every_page_fits_the_screen_without_errors(browser, base_url, pages, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=THEMES[scheme])
    problems: list[str] = []

    def route(r):
        if r.request.url.startswith(("data:", "blob:", "about:")) or urlparse(r.request.url).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            problems.append(f"request left localhost: {r.request.url}")
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    current = {"url": ""}
    pg.on("console", lambda m: problems.append(f"{current['url']}: console {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(f"{current['url']}: page error {e}"))
    math_pages = fitted = 0
    scheme_rules: list[int] = []  # per page: how many rules the scheme selects
    try:
        for path in pages:
            current["url"] = path
            pg.goto(base_url + path, wait_until="load")
            loaded = time.monotonic()
            assert pg.title(), f"{path} has no title"
            got = pg.evaluate(CHECKS, [width >= 1280, scheme == "slate"])
            assert got["scheme"] == scheme, path
            where = f"{path} at {width} px ({scheme})"
            problems.extend(f"{where}: {p}" for p in got["overflows"])
            problems.extend(f"{where}: a table needs sideways scrolling ({sw} > {cw} px)" for sw, cw in got["mustFit"] if sw > cw)
            fitted += len(got["mustFit"])
            if got["math"]:
                math_pages += 1
                problems.extend(f"{where}: a formula has no size ({w}x{h})" for w, h in got["math"] if w <= 0 or h <= 0)
            if got["schemeRules"] is not None:
                problems.extend(f"{path}: {p}" for p in got["schemeRules"]["out"])
                scheme_rules.append(got["schemeRules"]["rules"])
            left = WATCH_S - (time.monotonic() - loaded)
            if left > 0:
                pg.wait_for_timeout(left * 1000)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert math_pages >= 5  # BN, init bounds, CE/NLL, steps per epoch and gradient variance, the GAP head
    assert fitted >= 12  # the ledger's groups (and at 1280 px the cheatsheet) were measured
    if scheme == "slate":  # the scheme's rules were read on every page (Material's palette alone has over 100)
        assert len(scheme_rules) == len(pages) and min(scheme_rules) >= 50, scheme_rules


def test_math_is_mathml_rendered_by_the_browser(page):
    """A formula is a MathML element laid out by the browser: taller than one line for a fraction."""
    page.goto(page.base_url + "/training/batch-norm/", wait_until="load")
    formula = page.locator("article math[display=block]").first
    box = formula.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 30
    assert page.evaluate("document.querySelector('article math mfrac') instanceof MathMLElement")
