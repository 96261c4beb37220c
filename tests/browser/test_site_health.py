"""The built site's links and search: every internal link and anchor resolves, nothing is loaded from another
host, and search (in real Chromium) finds what a reader pastes.

Every page's load in Chromium (no console error, page error or request leaving localhost, watched for at least
150 ms after its load event, and a title) is checked by test_layout.test_every_page_fits_the_screen_without_errors,
which loads every page anyway, in four cases; the crawl that did it here a fifth time is gone."""

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


@pytest.mark.parametrize(
    ("query", "expected_page"),
    [
        ("CrossEntropyLoss", "losses/"),
        ("reset_classifier returns unpooled features", "features/timm-feature-extraction/"),
        ("all elements of input should be between 0 and 1", "losses/errors/"),
        ("Expected floating point type for target with class probabilities, got Long", "losses/errors/"),
    ],
)
def test_search_finds_loss_names_claim_statements_and_pasted_errors(site_search, query, expected_page):
    hrefs = site_search(query)
    assert any(expected_page in h for h in hrefs), hrefs
