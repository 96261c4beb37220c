"""Every page at 390, 768 and 1280 px in the light and the dark theme: no element reaches past the viewport
or is clipped by its box unless it sits in a scroll container, no console error, no request leaving
localhost, and math rendered as MathML with a size. One browser; one context per width and theme, with one
page reused for every address."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}  # as in conftest.py, whose `page` fixture takes no viewport

WIDTHS = (390, 768, 1280)
THEMES = {"default": "light", "slate": "dark"}  # Material's palette scheme -> the browser preference that selects it

# Elements that are off-canvas by design: the navigation drawer and the search overlay of narrow screens.
OVERFLOWS = """() => {
  const vw = document.documentElement.clientWidth;
  const skip = (el) => el.closest('.md-sidebar, .md-search, .md-header__topic, .md-tooltip, .md-tooltip2, [hidden]');
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
  for (const el of document.body.querySelectorAll('*')) {
    if (skip(el) || reported.some((p) => p.contains(el))) continue;  // the outermost offender only
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


@pytest.mark.parametrize("scheme", THEMES)
@pytest.mark.parametrize("width", WIDTHS)
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
    try:
        for path in pages:
            current["url"] = path
            pg.goto(base_url + path, wait_until="load")
            assert pg.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme, path
            problems.extend(f"{path} at {width} px ({scheme}): {p}" for p in pg.evaluate(OVERFLOWS))
            must_fit = pg.evaluate(MUST_FIT, width >= 1280)
            problems.extend(f"{path}: a table needs sideways scrolling at {width} px ({sw} > {cw} px)" for sw, cw in must_fit if sw > cw)
            fitted += len(must_fit)
            sizes = pg.evaluate(MATH_SIZES)
            if sizes:
                math_pages += 1
                problems.extend(f"{path}: a formula has no size ({w}x{h})" for w, h in sizes if w <= 0 or h <= 0)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert math_pages >= 5  # BN, init bounds, CE/NLL, steps per epoch and gradient variance, the GAP head
    assert fitted >= 12  # the ledger's groups (and at 1280 px the cheatsheet) were measured


def test_math_is_mathml_rendered_by_the_browser(page):
    """A formula is a MathML element laid out by the browser: taller than one line for a fraction."""
    page.goto(page.base_url + "/training/batch-norm/", wait_until="load")
    formula = page.locator("article math[display=block]").first
    box = formula.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 30
    assert page.evaluate("document.querySelector('article math mfrac') instanceof MathMLElement")
