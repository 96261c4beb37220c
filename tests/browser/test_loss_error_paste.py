"""Pasted torch errors in real Chromium: the site search and the lookup's paste box find their entry of the
error index. The messages are produced here by torch, with sizes other than the index's examples (32, not 8)."""

from __future__ import annotations

import re
import warnings

import pytest

# (what torch is asked to do, words that start the title of the entry it must land on)
CASES = [
    ("F.cross_entropy(torch.randn(32, 10), torch.randint(0, 10, (30,)))", "Expected input batch_size"),
    ("F.binary_cross_entropy(torch.rand(32, 1), torch.rand(32))", "Using a target size (torch.Size(["),
    ("F.binary_cross_entropy_with_logits(torch.randn(32, 5), torch.rand(32))", "Target size (torch.Size(["),
    ("F.multilabel_margin_loss(torch.randn(32, 6), torch.randint(0, 6, (32,)))", "inconsistent target size"),
    ("F.cross_entropy(torch.randn(32, 10), torch.randint(0, 10, (32,)), weight=torch.ones(7))", "weight tensor should be defined either for all"),
    ("F.cosine_embedding_loss(torch.randn(32, 5, 2), torch.randn(32, 5, 2), torch.ones(32))", "1D target tensor expects 2D input tensors"),
    ("F.binary_cross_entropy(torch.rand(32), torch.randint(0, 2, (32,)))", "Found dtype"),
    ("F.cross_entropy(torch.randn(32, 10), torch.arange(32) % 12)", "Target "),
    ("F.cross_entropy(torch.randn(32, 10, 16), torch.randint(0, 10, (32, 12)))", "Expected target size ["),
    ("F.binary_cross_entropy(torch.randn(32) * 3, torch.ones(32))", "all elements of input should be between 0 and 1"),
]


def torch_message(code: str) -> str:
    """The first line of what torch raises (or warns) for the call, as a user would paste it."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            eval(code, {"torch": torch, "F": F})  # the fixed calls of CASES
        except Exception as exc:
            return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
    assert caught, f"{code} raised nothing"
    return f"{caught[0].category.__name__}: {caught[0].message}"


@pytest.fixture(scope="module")
def messages() -> list[tuple[str, str]]:
    return [(torch_message(code), title) for code, title in CASES]


def entry_ids(page, title_start: str) -> list[str]:
    """Ids of the error index entries whose heading starts with these words."""
    return page.eval_on_selector_all("article h3[id^='e-']", "(hs, start) => hs.filter((h) => h.textContent.trim().startsWith(start)).map((h) => h.id)",
                                     title_start)


def search(site_search, query: str) -> list[str]:
    """The links of the site search's results for the query, best first, without the ``?h=`` highlight."""
    return [re.sub(r"\?h=[^#]*", "", h) for h in site_search(query)]


def test_site_search_finds_the_entry_of_pasted_errors(page, site_search, messages):
    page.goto(f"{page.base_url}/losses/errors/")
    shown = page.locator("article").inner_text()
    assert sum(bool(re.search(r"\d", m)) and m.split(": ", 1)[1] not in shown for m, _ in messages) >= 8  # sizes unlike the page's
    wanted = {title: entry_ids(page, title) for _, title in messages}
    assert all(wanted.values()), wanted
    for message, title in messages:
        sections = [h for h in search(site_search, message) if "#" in h][:3]
        assert any(h.endswith(f"losses/errors/#{w}") for h in sections for w in wanted[title]), (message, sections)


def test_site_search_splits_function_names(site_search):
    for query in ("nll_loss", "F.nll_loss"):
        cheatsheet = [h for h in search(site_search, query) if "/losses/#" in h]
        assert any(h.endswith("/losses/#nllloss") for h in cheatsheet[:3]), (query, cheatsheet[:3])


def test_lookup_takes_a_pasted_error_and_fills_the_shapes(page, messages):
    page.goto(f"{page.base_url}/losses/lookup/")
    page.wait_for_selector("#loss-errors-input")
    for message, title in messages:
        page.fill("#loss-errors-input", message)
        link = page.locator("#loss-errors-result a.loss-errors-entry")
        assert link.inner_text().startswith(title), (message, link.inner_text())
    page.fill("#loss-errors-input", messages[0][0])  # Expected input batch_size (32) to match target batch_size (30).
    assert page.input_value("#loss-lookup-loss") == "CrossEntropyLoss"
    assert page.input_value("#loss-lookup-input").startswith("float32[32,")
    assert page.input_value("#loss-lookup-arg-target") == "int64[30]"
    assert "target must have shape (32,)" in page.locator("#loss-lookup-result").inner_text()
    page.fill("#loss-errors-input", "KeyError: 'fc.weight'")
    assert "No entry of the error index matches" in page.locator("#loss-errors-result").inner_text()


def test_error_page_paste_box_jumps_to_the_entry(page, messages):
    page.goto(f"{page.base_url}/losses/errors/")
    message, title = messages[3]
    page.fill("#loss-errors-input", message)
    wanted = entry_ids(page, title)
    page.wait_for_function("(ids) => ids.includes(window.location.hash.slice(1))", arg=wanted)
    assert page.locator(f"#{page.evaluate('window.location.hash.slice(1)')}").is_visible()
