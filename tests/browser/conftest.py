"""Real-browser fixtures: the built site served on 127.0.0.1 and a Chromium page that fails the test
on any console error, page error or request leaving localhost."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("REFCHECK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """The built site: $REFCHECK_SITE_DIR if set (nox verify builds once), else a fresh build."""
    given = os.environ.get("REFCHECK_SITE_DIR")
    if given:
        path = Path(given)
        if not (path / "index.html").exists():
            pytest.fail(f"REFCHECK_SITE_DIR={given} holds no built site (index.html missing)")
        return path
    out = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(out)], cwd=ROOT, check=True)
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="session")
def base_url(site_dir: Path):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (the .ci/run script does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class PageProblems:
    """Console errors, uncaught page errors and non-local requests seen by one page."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.external_requests: list[str] = []

    def assert_clean(self) -> None:
        problems = self.console_errors + self.page_errors + [f"request left localhost: {u}" for u in self.external_requests]
        assert not problems, "browser problems:\n" + "\n".join(problems)


LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def watched_page(context, base_url: str):
    """A new page of ``context`` whose console errors, page errors and requests leaving localhost (blocked) are
    recorded in its ``problems``; ``base_url`` is kept on it."""
    problems = PageProblems()

    def route(r):
        url = r.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlparse(url).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            problems.external_requests.append(url)
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.on("console", lambda msg: problems.console_errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    pg.on("pageerror", lambda err: problems.page_errors.append(f"page error: {err}"))
    pg.problems = problems  # type: ignore[attr-defined]
    pg.base_url = base_url  # type: ignore[attr-defined]
    return pg


@pytest.fixture
def page(browser, base_url):
    """A fresh page; external requests are blocked and recorded; the test fails on any problem."""
    context = browser.new_context(accept_downloads=True)
    pg = watched_page(context, base_url)
    yield pg
    context.close()
    pg.problems.assert_clean()


@pytest.fixture
def phone(browser, base_url):
    """A phone-sized touch page with the same clean-page checks as the `page` fixture."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    pg = watched_page(context, base_url)
    yield pg
    context.close()
    pg.problems.assert_clean()


@pytest.fixture(scope="session")
def _search_page(browser, base_url):
    """One page kept open on the home page for the site-search tests of this worker: Material's search worker
    fetches the index and builds it on every page load, so each query on a fresh page paid for a load and an
    index build. Problems are recorded for the whole session and checked per test by `site_search`."""
    context = browser.new_context()
    pg = watched_page(context, base_url)
    pg.goto(base_url + "/", wait_until="load")
    yield pg
    context.close()
    pg.problems.assert_clean()


SEARCH_INPUT = "input.md-search__input"
SEARCH_META = "() => document.querySelector('.md-search-result__meta').textContent"


@pytest.fixture
def site_search(_search_page):
    """``site_search(query)`` types the query into Material's search box of the shared search page and returns the
    result links, best first. The test fails on any console error, page error or request leaving localhost that
    happens while it runs."""
    page = _search_page
    before = (len(page.problems.console_errors), len(page.problems.page_errors), len(page.problems.external_requests))

    def search(query: str) -> list[str]:
        # Empty the box with the keyboard and wait for Material's answer to the empty query ("Type to start
        # searching"; the first time, this is also the wait for the index to be built), so that the results read
        # below cannot be those of the previous query.
        page.fill(SEARCH_INPUT, "")
        page.locator(SEARCH_INPUT).press("End")  # Material reads the box on keyup
        page.wait_for_function(f"({SEARCH_META})() === 'Type to start searching'", timeout=60_000)
        # Material searches on key events, not on a programmatic fill: the query goes in as a paste would, with
        # its last character typed.
        page.fill(SEARCH_INPUT, query[:-1])
        page.locator(SEARCH_INPUT).press_sequentially(query[-1])
        page.wait_for_function(f"/matching/.test(({SEARCH_META})())", timeout=60_000)
        assert page.input_value(SEARCH_INPUT) == query
        return page.locator(".md-search-result__item a").evaluate_all("els => els.map((a) => a.getAttribute('href'))")

    yield search
    after = (len(page.problems.console_errors), len(page.problems.page_errors), len(page.problems.external_requests))
    new = page.problems.console_errors[before[0]:] + page.problems.page_errors[before[1]:] + page.problems.external_requests[before[2]:]
    assert after == before, "browser problems:\n" + "\n".join(new)
