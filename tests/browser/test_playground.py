"""The playground page in real Chromium: loads clean, trains, every control reaches the state and the
URL, a URL restores its configuration, pasted CSV trains, exports download, phones work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

# Default configuration (TF Playground's: circle, x1 x2, hidden 4,2, tanh, lr 0.03, batch 10, seed 1).
# Measured under Node for seeds 1-5: test loss 0.004-0.015 at epoch 200, 0.5 at epoch 0; the bound
# leaves a factor >3 of room while still failing any engine that does not learn the circle.
CIRCLE_EPOCHS = 200
CIRCLE_TEST_LOSS = 0.05


def open_playground(page, hash_: str = ""):
    page.goto(f"{page.base_url}/playground/{('#' + hash_) if hash_ else ''}")
    page.wait_for_function("window.playgroundApp && window.playgroundApp.stats.redraws > 0")
    return page


def state(page) -> dict:
    return page.evaluate("window.playgroundApp.state")


def current_hash(page) -> str:
    return page.evaluate("location.hash")


def train_until(page, epochs: int, timeout_ms: int = 60_000):
    page.click("[data-action=play]")
    page.wait_for_function(
        f"window.playgroundApp.epoch >= {epochs} || window.playgroundApp.status.status !== 'ok'", timeout=timeout_ms
    )
    if page.evaluate("window.playgroundApp.status.playing"):
        page.click("[data-action=play]")  # pause
    return page.evaluate("window.playgroundApp.history")


def test_page_loads_clean_and_draws(page):
    # reached from the home page through the site's navigation
    page.goto(f"{page.base_url}/")
    page.locator('a.md-nav__link[href="playground/"]').first.click()
    page.wait_for_function("window.playgroundApp && window.playgroundApp.stats.redraws > 0")
    assert urlparse(page.url).path == "/playground/"
    # the heatmap is drawn (not blank): its pixels take more than one colour
    colours = page.evaluate(
        """() => { const c = document.querySelector('[data-role=heatmap]');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const s = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) s.add(d[i] + ',' + d[i+1] + ',' + d[i+2]); return s.size; }"""
    )
    assert colours > 5
    assert page.locator("[data-neuron]").count() == 6  # hidden 4,2
    assert page.locator("svg.pg-links path.pg-link").count() == 2 * 4 + 4 * 2 + 2 * 1
    # the presets are listed as links
    for name in [
        "vanishing-gradients",
        "residual",
        "batch-norm",
        "small-batch",
        "full-batch",
        "unscaled",
        "standardized",
        "early-stopping",
    ]:
        assert page.locator(f'a[href="#preset={name}"]').count() == 1, name
        # an element with that id exists, so other pages' Markdown links ...index.md#preset=NAME validate
        assert page.evaluate("id => !!document.getElementById(id)", f"preset={name}"), name
    # a hash is written at load: the page's address is a shareable link
    assert "dataset=circle" in current_hash(page)


def test_play_on_circle_reaches_the_stated_test_loss(page):
    open_playground(page)
    assert state(page)["dataset"] == "circle"
    start = float(page.inner_text("[data-out=test-loss]"))
    assert start > 0.3  # an untrained network is far from the bound
    hist = train_until(page, CIRCLE_EPOCHS)
    assert len(hist["test"]) >= CIRCLE_EPOCHS
    at = hist["test"][CIRCLE_EPOCHS - 1]
    assert at < CIRCLE_TEST_LOSS, f"test loss at epoch {CIRCLE_EPOCHS} is {at:.4f}, bound {CIRCLE_TEST_LOSS}"
    # the epoch counter and the loss readout show the run
    assert int(page.inner_text("[data-out=epoch]")) == page.evaluate("window.playgroundApp.epoch")
    shown = float(page.inner_text("[data-out=test-loss]"))
    assert shown == pytest.approx(hist["test"][-1], abs=1e-4)


def _change(page, sel: str) -> None:
    """Change one control to a different valid value, as a user would."""
    loc = page.locator(sel).first
    kind = loc.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
    if kind.startswith("select"):
        current = loc.input_value()
        options = loc.evaluate("e => [...e.options].filter(o => !o.disabled).map(o => o.value)")
        loc.select_option(next(v for v in options if v != current))
    elif kind == "input:checkbox":
        loc.click()
    elif kind == "input:range":
        loc.evaluate(
            """e => { const v = Number(e.value), lo = Number(e.min), hi = Number(e.max), st = Number(e.step) || 1;
            e.value = String(v + st <= hi ? v + st : v - st); e.dispatchEvent(new Event('input', {bubbles: true})); }"""
        )
    elif kind == "input:number":
        loc.fill(str(int(loc.input_value()) + 3))
        loc.press("Enter")
        loc.dispatch_event("change")
    else:
        raise AssertionError(f"unknown control {sel}: {kind}")


def test_every_control_changes_state_and_url(page):
    open_playground(page)
    keys = page.evaluate(
        """() => [...document.querySelectorAll('[data-key]')].map(e => {
            let sel = `[data-key="${e.dataset.key}"]`;
            if (e.dataset.value) sel += `[data-value="${e.dataset.value}"]`;
            if (e.dataset.layer) sel += `[data-layer="${e.dataset.layer}"]`;
            return sel; })"""
    )
    assert len(keys) == 34, keys  # 25 config controls + 7 features + 2 BN toggles (hidden: the +/- buttons)
    seen = set()
    for sel in keys:
        key = sel.split('"')[1]
        seen.add(key)
        if key == "features" and state(page)["features"] == [sel.split('"')[3]]:
            # the last selected input cannot be removed: refused with a message, then add another one
            before = state(page)
            page.locator(sel).click()
            assert state(page) == before
            assert "at least one input" in page.inner_text("[data-out=message]")
            page.locator('[data-key="features"][data-value="x1"]').click()
        if key in ("loss", "discretize") and page.locator(sel).is_disabled():  # classification only
            page.select_option('[data-key="problem"]', "classification")
        before_state, before_hash = state(page), current_hash(page)
        _change(page, sel)
        page.wait_for_function("h => location.hash !== h", arg=before_hash, timeout=5000)
        after = state(page)
        changed = {k for k in after if after[k] != before_state[k]}
        assert key in changed, f"{sel}: state keys changed {changed}"
        assert current_hash(page) != before_hash
    # the structural buttons
    for action, key in [("add-layer", "hidden"), ("remove-layer", "hidden"), ("regenerate", "seed")]:
        before_state, before_hash = state(page), current_hash(page)
        page.click(f"[data-action={action}]")
        assert state(page)[key] != before_state[key], action
        assert current_hash(page) != before_hash, action
    # the dataset buttons (thumbnails) set the dataset too
    page.select_option('[data-key="problem"]', "classification")
    page.click('[data-dataset="xor"]')
    assert state(page)["dataset"] == "xor" and "dataset=xor" in current_hash(page)
    assert page.locator('[data-dataset="plane"]').is_hidden()  # regression sets hide under classification
    for action in ["add-neuron", "remove-neuron"]:
        before = state(page)["hidden"]
        page.locator(f"[data-action={action}][data-layer='0']").click()
        assert state(page)["hidden"] != before, action
    seen.add("hidden")
    all_keys = set(page.evaluate("Object.keys(window.playgroundApp.state)"))
    assert all_keys - seen == set(), f"config keys without a control: {all_keys - seen}"


def test_url_hash_restores_the_configuration(page, browser):
    h = (
        "problem=classification&dataset=spiral&noise=15&trainPct=70&seed=42&features=x1,x2,x1x2,sinx1&hidden=6,5,3"
        "&activation=relu&lr=0.01&batch=7&reg=L2&regRate=0.001&optimizer=adam&schedule=cosine&stepEvery=50&period=300"
        "&init=kaiming&loss=bce&bn=101&bnMode=train&residual=1&unscaled=1&standardize=1&patience=40&restoreBest=0"
        "&showTest=1&discretize=1&logLoss=1"
    )
    open_playground(page, h)
    got = state(page)
    want = {
        "dataset": "spiral",
        "noise": 15,
        "trainPct": 70,
        "seed": 42,
        "features": ["x1", "x2", "x1x2", "sinx1"],
        "hidden": [6, 5, 3],
        "activation": "relu",
        "lr": 0.01,
        "batch": 7,
        "reg": "L2",
        "regRate": 0.001,
        "optimizer": "adam",
        "schedule": "cosine",
        "stepEvery": 50,
        "period": 300,
        "init": "kaiming",
        "loss": "bce",
        "bn": [True, False, True],
        "bnMode": "train",
        "residual": True,
        "unscaled": True,
        "standardize": True,
        "patience": 40,
        "restoreBest": False,
        "showTest": True,
        "discretize": True,
        "logLoss": True,
    }
    assert {k: got[k] for k in want} == want
    assert set(want) | {"problem"} == set(got)  # the hash above sets every key
    # the controls show it
    assert page.locator('[data-key="activation"]').input_value() == "relu"
    assert page.locator('[data-key="bn"][data-layer="1"]').is_checked() is False
    assert page.locator('[data-key="bn"][data-layer="2"]').is_checked() is True
    assert page.locator("[data-neuron]").count() == 14
    # the page rewrites the hash in canonical form; loading that elsewhere gives the same run
    canonical = current_hash(page).lstrip("#")
    hist1 = train_until(page, 20)
    other = browser.new_context().new_page()
    try:
        other.base_url = page.base_url
        open_playground(other, canonical)
        assert state(other) == got
        hist2 = train_until(other, 20)
    finally:
        other.context.close()
    assert hist1["test"][:20] == hist2["test"][:20]  # same seed, same data, same weights, same run
    # a preset link on the page loads its configuration and writes the full hash
    page.click('a[href="#preset=residual"]')
    page.wait_for_function(
        "window.playgroundApp.state.residual === true && window.playgroundApp.state.activation === 'sigmoid'"
    )
    assert "residual=1" in current_hash(page) and "preset=" not in current_hash(page)


def test_presets_show_their_lessons(page):
    open_playground(page, "preset=vanishing-gradients")
    vanish = page.evaluate("window.playgroundApp.diagnostics().gradNorms")
    open_playground(page, "preset=residual")
    page.wait_for_function("window.playgroundApp.state.residual")
    skip = page.evaluate("window.playgroundApp.diagnostics().gradNorms")
    assert len(vanish) == len(skip) == 7
    # sigmoid' <= 1/4 per layer: the first layer's gradient is orders of magnitude below the output's
    assert vanish[0] / vanish[-1] < 1e-3
    assert skip[0] / skip[-1] > 1e-2


def test_copy_link_gives_the_address(page):
    open_playground(page, "preset=batch-norm")
    page.click("[data-action=copy-link]")
    page.wait_for_function("document.querySelector('[data-out=message]').textContent.length > 0")
    msg = page.inner_text("[data-out=message]")
    # copied to the clipboard, or (no clipboard permission) shown to copy by hand
    assert msg == "Link to this configuration copied." or (msg.startswith("Copy this link: ") and "bn=111111" in msg)


def test_divergence_stops_with_a_message(page):
    open_playground(page, "dataset=plane&lr=10&activation=linear")
    train_until(page, 50)
    status = page.evaluate("window.playgroundApp.status")
    assert status["status"] == "diverged" and status["playing"] is False
    msg = page.inner_text("[data-out=message]")
    assert "NaN" in msg and "Lower the learning rate" in msg
    hist = page.evaluate("window.playgroundApp.history")
    assert all(v == v and abs(v) != float("inf") for v in hist["train"] + hist["test"])  # no NaN in the chart


def test_early_stopping_stops_and_restores_best(page):
    open_playground(page, "preset=early-stopping")
    hist = train_until(page, 5000, timeout_ms=90_000)
    status = page.evaluate("window.playgroundApp.status")
    assert status["status"] == "stopped", status
    assert "Early stopping" in page.inner_text("[data-out=message]")
    best = min(range(len(hist["test"])), key=lambda i: hist["test"][i]) + 1
    assert len(hist["test"]) - best == 50  # patience
    # restored weights: the readout's test loss equals the best one
    assert float(page.inner_text("[data-out=test-loss]")) == pytest.approx(hist["test"][best - 1], abs=1e-4)
    assert "best" in page.inner_text("[data-out=losses]")


def _blobs_csv(n: int = 120) -> str:
    import random

    rnd = random.Random(3)
    rows = ["x1,x2,label"]
    for i in range(n):
        label = i % 2
        cx = 2.0 if label else -2.0
        rows.append(f"{cx + rnd.gauss(0, 0.8):.3f},{-cx + rnd.gauss(0, 0.8):.3f},{label}")
    return "\n".join(rows)


def test_pasted_csv_trains(page):
    open_playground(page)
    page.click("summary:has-text('Your own data')")
    page.fill("[data-role=csv]", "x1,x2,label\n1,2,1\n3,oops,0\n")
    page.click("[data-action=use-csv]")
    assert "line 3" in page.inner_text("[data-out=message]")
    assert state(page)["dataset"] == "circle"
    page.fill("[data-role=csv]", _blobs_csv())
    page.click("[data-action=use-csv]")
    s = state(page)
    assert s["dataset"] == "custom" and s["problem"] == "classification"
    assert page.evaluate("window.playgroundApp.sizes") == {"train": 60, "test": 60, "features": 2}
    assert "data=" in current_hash(page)
    start = float(page.inner_text("[data-out=test-loss]"))
    hist = train_until(page, 100)
    assert hist["test"][99] < 0.05 < start
    # the hash carries the data: a reload restores the custom set
    page.reload()
    page.wait_for_function("window.playgroundApp && window.playgroundApp.stats.redraws > 0")
    assert state(page)["dataset"] == "custom"
    assert page.evaluate("window.playgroundApp.sizes")["train"] == 60


def test_export_downloads(page, tmp_path):
    open_playground(page, "hidden=3&bn=1&activation=relu")
    train_until(page, 10)
    with page.expect_download() as info:
        page.click("[data-action=export-json]")
    dl = info.value
    assert dl.suggested_filename.endswith(".json")
    data = json.loads(Path(dl.path()).read_text())
    assert data["format"] == "refcheck-playground/1"
    assert data["epoch"] == page.evaluate("window.playgroundApp.epoch")
    assert [(L["in"], L["out"]) for L in data["layers"]] == [(2, 3), (3, 1)]
    assert data["layers"][0]["batchnorm"] is not None and data["layers"][0]["activation"] == "relu"
    assert data["hash"] == current_hash(page).lstrip("#")
    with page.expect_download() as info:
        page.click("[data-action=export-pytorch]")
    dl = info.value
    assert dl.suggested_filename.endswith(".py")
    script = tmp_path / dl.suggested_filename
    dl.save_as(script)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    preds = json.loads(proc.stdout)
    assert len(preds) == 3 and all(-1 <= p <= 1 for p in preds)


@pytest.fixture
def phone(browser, base_url):
    """A phone-sized touch page with the same clean-page checks as the `page` fixture."""
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    problems: list[str] = []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:", "about:")) or host in {"127.0.0.1", "localhost"}:
            r.continue_()
        else:
            problems.append(f"request left localhost: {r.request.url}")
            r.abort()

    ctx.route("**/*", route)
    pg = ctx.new_page()
    pg.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.base_url = base_url
    yield pg
    ctx.close()
    assert not problems, problems


def test_phone_sized_viewport(phone):
    open_playground(phone)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page scrolls sideways by {overflow}px"
    heat = phone.locator("[data-role=heatmap]").bounding_box()
    assert heat["width"] >= 300 and heat["x"] >= 0 and heat["x"] + heat["width"] <= 391
    for sel in ["[data-action=play]", "[data-action=step]", "[data-key=lr]", "[data-key=dataset]"]:
        box = phone.locator(sel).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 391 and box["height"] >= 24, sel
    phone.tap("[data-action=step]")
    assert phone.evaluate("window.playgroundApp.epoch") == 1
    phone.tap("[data-action=play]")
    phone.wait_for_function("window.playgroundApp.epoch >= 50")
    phone.tap("[data-action=play]")
    # tapping a neuron pins its map on the heatmap
    phone.locator("[data-neuron='0-0']").tap()
    assert "pg-hover" in phone.locator("[data-neuron='0-0']").get_attribute("class")
