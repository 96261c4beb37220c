"""Every page of the built site, read by real Chromium: no console errors, nothing fetched from outside
localhost, every internal link and anchor resolves, and search finds what a reader pastes."""

from __future__ import annotations

import html.parser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest


def pages(site_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(site_dir)) for p in site_dir.rglob("index.html"))


def url_of(rel: str) -> str:
    return "/" + rel.removesuffix("index.html")


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag in ("link", "script", "img") and (a.get("href") or a.get("src")):
            self.hrefs.append(a.get("href") or a.get("src"))


def parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(errors="replace"))
    return p


def test_every_page_loads_clean_in_chromium(page, site_dir):
    problems = {}
    for rel in pages(site_dir):
        before = (len(page.problems.console_errors), len(page.problems.page_errors), len(page.problems.external_requests))
        page.goto(page.base_url + url_of(rel), wait_until="load")
        page.wait_for_timeout(150)
        after = (len(page.problems.console_errors), len(page.problems.page_errors), len(page.problems.external_requests))
        if after != before:
            problems[rel] = page.problems.console_errors[before[0]:] + page.problems.page_errors[before[1]:] + page.problems.external_requests[before[2]:]
        assert page.title(), f"{rel} has no title"
    assert len(pages(site_dir)) >= 10
    assert not problems, problems


def test_internal_links_and_anchors_resolve(site_dir):
    cache: dict[Path, _Links] = {}

    def parsed_page(path: Path) -> _Links:  # each page parsed once (setdefault would parse on every call)
        if path not in cache:
            cache[path] = parse(path)
        return cache[path]

    broken = []
    for rel in pages(site_dir):
        links = parsed_page(site_dir / rel)
        for href in links.hrefs:
            parsed = urlparse(href)
            if parsed.scheme in ("http", "https", "mailto", "data", "blob") or href.startswith("javascript:"):
                continue
            target_url = urljoin(url_of(rel), href)
            path = unquote(urlparse(target_url).path)
            target = site_dir / path.lstrip("/")
            if path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{rel}: {href} -> missing {path}")
                continue
            # a fragment with "=" is application state in the URL hash (the playground), not an anchor
            if parsed.fragment and "=" not in parsed.fragment and target.suffix == ".html":
                ids = parsed_page(target).ids
                if unquote(parsed.fragment) not in ids:
                    broken.append(f"{rel}: {href} -> no element with id {parsed.fragment!r}")
    assert not broken, "\n".join(broken[:50])


def test_external_links_are_plain_links_not_resources(site_dir):
    """Nothing on the site loads from another host: only <a href> may point outside."""
    offenders = []
    for rel in pages(site_dir):
        text = (site_dir / rel).read_text(errors="replace")
        for marker in ("fonts.googleapis", "fonts.gstatic", "unpkg.com", "cdn.jsdelivr", "cdnjs."):
            if marker in text:
                offenders.append(f"{rel}: {marker}")
    assert not offenders, offenders


def search(page, query: str) -> list[str]:
    """Type into Material's search box and return the result links."""
    page.goto(page.base_url + "/", wait_until="load")
    page.locator("input.md-search__input").click()
    page.keyboard.type(query, delay=10)  # Material searches on key events, not on a programmatic fill
    page.wait_for_selector(".md-search-result__item", timeout=30000)
    return page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.getAttribute('href'))")


@pytest.mark.parametrize(
    ("query", "expected_page"),
    [
        ("CrossEntropyLoss", "losses/"),
        ("reset_classifier returns unpooled features", "features/timm-feature-extraction/"),
        ("all elements of input should be between 0 and 1", "losses/errors/"),
        ("Expected floating point type for target with class probabilities, got Long", "losses/errors/"),
    ],
)
def test_search_finds_loss_names_claim_statements_and_pasted_errors(page, query, expected_page):
    hrefs = search(page, query)
    assert any(expected_page in h for h in hrefs), hrefs
