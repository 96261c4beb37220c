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


def test_error_index_holds_real_messages(page):
    """One load of the error index (its largest page) for all three messages; it was one test and one load each."""
    page.goto(f"{page.base_url}/losses/errors/")
    shown = page.locator("article").inner_text()
    messages = ["expected target dtype to be Long or Byte, but got Float", "Found dtype Long but expected Float",
                "all elements of input should be between 0 and 1"]
    assert [m for m in messages if m not in shown] == []


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


@pytest.mark.parametrize("input_text,target_text", [
    ("torch.Size([8, 10]) torch.float32", "torch.Size([8]) torch.int64"),  # print(x.shape, x.dtype)
    ("(8, 10) float", "(8,) long"),
    ("[8, 10] float32", "[8] torch.long"),
    ("8x10 float32", "8 int64"),
])
def test_pasted_shapes_and_dtypes_are_read(page, input_text, target_text):
    open_lookup(page)
    result = ask(page, "CrossEntropyLoss", input_text, target=target_text)
    assert "valid (class indices): output shape ()" in result.inner_text()


def test_a_shape_alone_takes_the_dtype_chosen_next_to_it(page):
    open_lookup(page)
    result = ask(page, "CrossEntropyLoss", "float32[8,10]", target="torch.Size([8])")
    assert "no dtype in 'torch.Size([8])'" in result.inner_text() and "loss-lookup-usage" in result.get_attribute("class")
    assert "\n" not in result.inner_text().strip()  # one line, naming the accepted forms
    page.select_option("#loss-lookup-arg-target-dtype", "int64")
    assert "valid (class indices)" in result.inner_text()
    page.select_option("#loss-lookup-arg-target-dtype", "float32")
    assert "target dtype must be int64 or uint8" in result.inner_text()


def test_input_provenance_is_asked_and_warned_from(page):
    open_lookup(page)
    result = ask(page, "NLLLoss", "float32[8,10]", target="int64[8]")
    assert "valid" in result.inner_text()
    page.select_option("#loss-lookup-made", "probabilities")
    text = result.inner_text()
    assert "loss-lookup-silent" in result.get_attribute("class")
    assert "softmax probabilities give a wrong, negative loss" in text and "input.log_softmax(dim=1)" in text
    assert "made=probabilities" in page.url
    page.select_option("#loss-lookup-made", "log-probabilities")
    assert "valid" in result.inner_text()
    result = ask(page, "CrossEntropyLoss", "float32[8,10]", target="int64[8]")
    page.select_option("#loss-lookup-made", "probabilities")
    assert "takes raw logits" in result.inner_text()
    page.select_option("#loss-lookup-made", "log-probabilities")  # log_softmax before CE changes nothing
    assert "valid" in result.inner_text()


def test_a_new_address_fragment_on_the_same_page_is_answered(page):
    open_lookup(page)
    page.evaluate("location.hash = '#loss=MSELoss&input=float32[8,1]&target=float32[8]'")
    page.wait_for_function("document.querySelector('#loss-lookup-loss').value === 'MSELoss'")
    assert "only a UserWarning" in page.locator(RESULT).inner_text()
    assert page.input_value("#loss-lookup-arg-target") == "float32[8]"
    page.evaluate("location.hash = '#loss=NLLLoss&input=float32[8,10]&target=int64[8]&made=probabilities'")
    page.wait_for_function("document.querySelector('#loss-lookup-loss').value === 'NLLLoss'")
    assert page.input_value("#loss-lookup-made") == "probabilities"
    assert "softmax probabilities" in page.locator(RESULT).inner_text()


def test_other_scripts_can_fill_the_form(page):
    open_lookup(page)
    page.evaluate("window.refcheckLossLookup.fill({loss: 'nll_loss', shapes: {input: [32, 10], target: [32, 1]}, dtypes: {target: 'int64'}})")
    assert page.input_value("#loss-lookup-loss") == "NLLLoss"
    assert page.input_value("#loss-lookup-input") == "float32[32,10]"  # the dtype already in the field is kept
    assert "target.squeeze(-1)" in page.locator(RESULT).inner_text()


@pytest.mark.parametrize("field,value,words", [
    ("#loss-lookup-options", "ignore_index=x", "option ignore_index='x': expected an integer"),
    ("#loss-lookup-options", "label_smoothing", "must look like KEY=VALUE"),
    ("#loss-lookup-input", "float32[8,x]", "bad dimension 'x'"),
    ("#loss-lookup-input", "8x10 floot32", "did you mean float32"),
])
def test_bad_input_gets_one_line_naming_what_is_valid(page, field, value, words):
    open_lookup(page)
    page.fill(field, value)
    result = page.locator(RESULT)
    assert words in result.inner_text() and "loss-lookup-usage" in result.get_attribute("class")
    assert "\n" not in result.inner_text().strip()


def test_dtype_support_depends_on_the_device(page):
    open_lookup(page)
    result = ask(page, "MultiMarginLoss", "float16[8,4]", target="int64[8]")
    assert "no CPU kernel for float16" in result.inner_text() and "loss-lookup-invalid" in result.get_attribute("class")
    page.select_option("#loss-lookup-device", "cuda")
    assert "valid" in result.inner_text() and "device=cuda" in page.url


def test_rules_table_says_what_to_pass_as_the_cheatsheet_does(page):
    open_lookup(page, "?loss=ctc")
    rules = page.locator("#loss-lookup-rules").inner_text()
    assert "int64 / int32; tolerated, not intended: float*" in rules and "truncated silently" in rules
