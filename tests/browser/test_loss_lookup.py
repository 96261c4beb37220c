"""The loss lookup, the cheatsheet and the error index in real Chromium (no console errors, no
external requests: the `page` fixture fails the test on either)."""

from __future__ import annotations

import pytest

from refcheck.losses.contracts import CONTRACTS

RESULT = "#loss-lookup-result"


def open_lookup(page, query=""):
    page.goto(f"{page.base_url}/losses/lookup/{query}")
    page.wait_for_selector(f"{RESULT}.loss-lookup-valid, {RESULT}.loss-lookup-invalid, {RESULT}.loss-lookup-usage, {RESULT}.loss-lookup-silent")


def ask(page, loss, input_spec, **others):
    page.fill("#loss-lookup-loss", loss)
    page.fill("#loss-lookup-input", input_spec)
    for name, spec in others.items():
        page.fill(f"#loss-lookup-arg-{name}", spec)
    return page.locator(RESULT)


def test_wrong_target_dtype_gets_the_right_diagnosis(page):
    open_lookup(page)
    result = ask(page, "CrossEntropyLoss", "float32[8,10]", target="float32[8]")
    text = result.inner_text()
    assert "invalid" in text and "target dtype must be int64 or uint8" in text
    assert "target.long()" in text and "torch raises in the forward call" in text
    assert "loss-lookup-invalid" in result.get_attribute("class")

    page.fill("#loss-lookup-arg-target", "int64[8]")
    assert "valid (class indices): output shape ()" in result.inner_text()
    page.select_option("#loss-lookup-reduction", "none")
    assert "output shape (8,) with reduction='none'" in result.inner_text()


def test_traps_in_the_browser(page):
    open_lookup(page)
    result = ask(page, "mse_loss", "float32[8,1]", target="float32[8]")
    assert "only a UserWarning" in result.inner_text() and "target.unsqueeze(-1)" in result.inner_text()
    result = ask(page, "HuberLoss", "float32[8]", target="int64[8]")
    assert "backward() raises" in result.inner_text()
    result = ask(page, "int32 targets", "float32[8]")  # not a loss name
    assert "unknown loss" in result.inner_text()


def test_extra_tensors_get_fields(page):
    open_lookup(page)
    page.fill("#loss-lookup-loss", "GaussianNLLLoss")
    page.fill("#loss-lookup-input", "float32[8,3]")
    page.fill("#loss-lookup-arg-target", "float32[8,3]")
    page.fill("#loss-lookup-arg-var", "float32[8,2]")
    assert "var must have shape" in page.locator(RESULT).inner_text()
    page.fill("#loss-lookup-arg-var", "float32[8,1]")
    assert "valid" in page.locator(RESULT).inner_text()


def test_typos_and_malformed_specs(page):
    open_lookup(page)
    result = ask(page, "CrossEntopyLoss", "float32[8,10]")
    assert "did you mean CrossEntropyLoss" in result.inner_text()
    result = ask(page, "CrossEntropyLoss", "float32[8,")
    assert "malformed tensor spec" in result.inner_text() and "DTYPE[D1,D2,...]" in result.inner_text()
    page.fill("#loss-lookup-input", "float32[8,10]")
    page.fill("#loss-lookup-options", "ignore_index=0")
    page.fill("#loss-lookup-arg-target", "float32[8,10]")
    assert "ignore_index is not supported" in result.inner_text()


def test_query_selects_loss_and_api_is_exposed(page):
    open_lookup(page, "?loss=bce")
    assert page.input_value("#loss-lookup-loss") == "bce"
    assert "BCELoss" in page.locator("#loss-lookup-rules").inner_text()
    names = page.evaluate("Object.keys(window.refcheckLossLookup.contracts)")
    assert sorted(names) == sorted(CONTRACTS)


def test_cheatsheet_table_and_print_style(page):
    page.goto(f"{page.base_url}/losses/")
    rows = page.locator(".loss-cheatsheet table tbody tr")
    assert rows.count() == len(CONTRACTS)
    assert page.locator("#crossentropyloss").count() == 1
    page.emulate_media(media="print")
    assert page.locator(".md-sidebar--primary").first.is_hidden()
    assert page.locator(".md-header").first.is_hidden()
    font = page.evaluate("getComputedStyle(document.querySelector('.loss-cheatsheet table')).fontSize")
    assert float(font.removesuffix("px")) < 10


@pytest.mark.parametrize("message", ["expected target dtype to be Long or Byte, but got Float", "Found dtype Long but expected Float",
                                     "all elements of input should be between 0 and 1"])
def test_error_index_holds_real_messages(page, message):
    page.goto(f"{page.base_url}/losses/errors/")
    assert message in page.locator("article").inner_text()


def test_question_is_kept_in_the_url(page):
    open_lookup(page)
    ask(page, "HuberLoss", "float32[8]", target="int64[8]")
    url = page.url
    assert "loss=HuberLoss" in url and "target=int64%5B8%5D" in url
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_selector(f"{RESULT}.loss-lookup-invalid")
    assert page.input_value("#loss-lookup-arg-target") == "int64[8]"
    assert "backward() raises" in page.locator(RESULT).inner_text()
