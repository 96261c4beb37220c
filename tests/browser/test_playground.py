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


def state_and_hash(page) -> tuple[dict, str]:
    """``state(page), current_hash(page)`` read in one call (one round trip to the browser, not two)."""
    got = page.evaluate("[window.playgroundApp.state, location.hash]")
    return got[0], got[1]


def after_next_frames(page) -> None:
    """Return once the page's frame loop has run: it trains and redraws in one animation frame, so two frames
    after a change whatever it made dirty is drawn (a wait for that state, not a fixed sleep)."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


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
        before_state, before_hash = state_and_hash(page)
        _change(page, sel)
        page.wait_for_function("h => location.hash !== h", arg=before_hash, timeout=5000)
        after, after_hash = state_and_hash(page)
        changed = {k for k in after if after[k] != before_state[k]}
        assert key in changed, f"{sel}: state keys changed {changed}"
        assert after_hash != before_hash
    # the structural buttons
    for action, key in [("add-layer", "hidden"), ("remove-layer", "hidden"), ("regenerate", "seed")]:
        before_state, before_hash = state_and_hash(page)
        page.click(f"[data-action={action}]")
        after, after_hash = state_and_hash(page)
        assert after[key] != before_state[key], action
        assert after_hash != before_hash, action
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


def test_training_export_replays_a_hand_edit_and_retrains(page, tmp_path):
    """A weight edited by clicking its link is in the training script, which retrains to the page's weights."""
    open_playground(page)
    for _ in range(2):
        page.click("[data-action=step]")
    pt = _point_on_link(page, "1-1-3")  # layer 2's weight from neuron 4 of layer 1 to neuron 2 of layer 2
    assert pt, "the link's path cannot be reached by the pointer"
    page.mouse.click(pt["x"], pt["y"])
    page.fill("[data-role=edit-value]", "-2.5")
    page.press("[data-role=edit-value]", "Enter")
    for _ in range(3):
        page.click("[data-action=step]")
    hist = page.evaluate("window.playgroundApp.history")
    with page.expect_download() as info:
        page.click("[data-action=export-training]")
    dl = info.value
    assert dl.suggested_filename == "playground_training.py"
    script = tmp_path / dl.suggested_filename
    dl.save_as(script)
    text = script.read_text()
    # the edit (after epoch 2; weight index = to * n_in + from = 1 * 4 + 3) and a training loop
    edits = next(ln for ln in text.splitlines() if ln.startswith("EDITS = "))
    assert json.loads(edits[len("EDITS = ") :].split("  #")[0]) == [
        {"epoch": 2, "layer": 1, "kind": "weight", "index": 7, "value": -2.5}
    ]
    assert "EPOCHS = 5" in text and "def train(" in text and "loss.backward()" in text and "opt.step()" in text
    # run it: its curve is the page's, and it ends at the page's weights (the edit replayed after epoch 2)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = [ln.split() for ln in proc.stdout.splitlines() if ln.startswith("epoch")]
    assert [int(ln[1]) for ln in lines] == [1, 2, 3, 4, 5]
    assert [float(ln[4]) for ln in lines] == pytest.approx(hist["train"], abs=2e-6)
    assert [float(ln[7]) for ln in lines] == pytest.approx(hist["test"], abs=2e-6)
    assert float(proc.stdout.split("weights at epoch 5: ")[1]) < 1e-9


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


# ---------- TF Playground parity: links, weight and bias editing, legend, loss axes, hashchange

# An address as TF Playground writes it (every key of its state, src/state.ts); values away from defaults.
TF_LINK = (
    "https://playground.tensorflow.org/#activation=relu&regularization=L1&batchSize=3&dataset=spiral"
    "&regDataset=reg-gauss&learningRate=0.3&regularizationRate=0.003&noise=25&networkShape=5,3,2&seed=0.23571"
    "&showTestData=true&discretize=true&percTrainData=70&x=false&y=false&xTimesY=true&xSquared=true&ySquared=true"
    "&cosX=true&sinX=true&cosY=true&sinY=true&collectStats=true&problem=classification&initZero=true&hideText=true"
)
TF_LINK_STATE = {
    "activation": "relu",
    "reg": "L1",
    "batch": 3,
    "dataset": "spiral",
    "lr": 0.3,
    "regRate": 0.003,
    "noise": 25,
    "hidden": [5, 3, 2],
    "seed": 23571,
    "showTest": True,
    "discretize": True,
    "trainPct": 70,
    "problem": "classification",
    "features": ["x1sq", "x2sq", "x1x2", "sinx1", "sinx2"],
}


def _ticks(page, out: str) -> list[str]:
    return page.eval_on_selector_all(f"[data-out={out}] .pg-tick", "els => els.map(e => e.textContent)")


def _num(label: str) -> float:
    return float(label.replace("−", "-"))


def test_pasted_tf_playground_link_opens_the_same_network(page):
    open_playground(page)
    page.click("summary:has-text('TensorFlow Playground link')")
    page.fill("[data-role=tf-link]", "https://example.com/#lr=1")
    page.click("[data-action=import-tf]")
    assert "Not a TensorFlow Playground link" in page.inner_text("[data-out=message]")
    assert state(page)["dataset"] == "circle"
    page.fill("[data-role=tf-link]", TF_LINK)
    page.click("[data-action=import-tf]")
    got = state(page)
    assert {k: got[k] for k in TF_LINK_STATE} == TF_LINK_STATE
    msg = page.inner_text("[data-out=message]")
    assert msg.startswith("Opened a TensorFlow Playground link.")
    for key in ["cosX", "cosY", "initZero", "collectStats", "hideText"]:
        assert key in msg, key
    # the network drawn is the imported one: 5 inputs, 5-3-2 hidden, 1 output
    assert page.locator("[data-neuron]").count() == 10
    assert page.locator("path.pg-link").count() == 5 * 5 + 5 * 3 + 3 * 2 + 2 * 1
    assert page.locator('[data-key="activation"]').input_value() == "relu"
    assert "hidden=5,3,2" in current_hash(page) and "networkShape" not in current_hash(page)
    # the same link opened as the page address (its fragment on this page) gives the same state
    other = page.context.new_page()
    other.base_url = page.base_url
    open_playground(other, TF_LINK.split("#", 1)[1])
    assert state(other) == got
    other.close()


def _point_on_link(page, link: str):
    """A point on a link's path (page pixels) that the link's own hit area receives, or None."""
    return page.evaluate(
        """id => { const p = document.querySelector(`path.pg-link[data-link="${id}"]`);
        const L = p.getTotalLength(), m = p.getScreenCTM();
        for (const f of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
          const q = p.getPointAtLength(L * f); const pt = new DOMPoint(q.x, q.y).matrixTransform(m);
          const hit = document.elementFromPoint(pt.x, pt.y);
          if (hit && hit.dataset && hit.dataset.link === id) return {x: pt.x, y: pt.y};
        } return null; }""",
        link,
    )


def test_click_a_link_to_edit_its_weight_and_a_bias_square_to_edit_the_bias(page):
    open_playground(page)
    link = "1-1-3"  # layer 2's weight from neuron 4 of layer 1 to neuron 2 of layer 2
    w0 = page.evaluate("window.playgroundApp.param(1, 1, 3)")
    pt = _point_on_link(page, link)
    assert pt, "the link's path cannot be reached by the pointer"
    page.mouse.move(pt["x"], pt["y"])
    title = page.locator(f'path.pg-hit[data-link="{link}"] title').text_content()
    assert title.startswith("Weight neuron 4 of layer 1 → neuron 2 of layer 2: ")
    assert float(title.split(": ")[1].split(" ")[0]) == pytest.approx(w0, rel=1e-3)
    loss0 = page.inner_text("[data-out=test-loss]")
    page.mouse.click(pt["x"], pt["y"])
    assert page.locator("[data-role=editor]").is_visible()
    assert float(page.input_value("[data-role=edit-value]")) == pytest.approx(w0, rel=1e-5)
    page.fill("[data-role=edit-value]", "-2.5")
    page.press("[data-role=edit-value]", "Enter")
    assert page.evaluate("window.playgroundApp.param(1, 1, 3)") == -2.5
    assert page.locator("[data-role=editor]").is_hidden()
    page.wait_for_function("l => document.querySelector('[data-out=test-loss]').textContent !== l", arg=loss0)
    stroke = page.locator(f'path.pg-link[data-link="{link}"]')
    assert stroke.get_attribute("stroke") == "#f59322" and float(stroke.get_attribute("stroke-width")) > 4
    # an empty value is refused with a message; the weight stays
    pt = _point_on_link(page, link)  # focusing the editor may have scrolled the page
    page.mouse.click(pt["x"], pt["y"])
    page.fill("[data-role=edit-value]", "")
    page.click("[data-action=edit-set]")
    assert "is not a number" in page.inner_text("[data-out=message]")
    assert page.evaluate("window.playgroundApp.param(1, 1, 3)") == -2.5
    page.click("[data-action=edit-cancel]")
    # a neuron shows its bias on hover; its bias square edits it (hidden and output neurons)
    page.hover("[data-neuron='0-2']")
    assert page.get_attribute("[data-neuron='0-2']", "title") == "neuron 3 of layer 1: bias 0.1000"  # TF init: 0.1
    for bias, args in [("0-2", "0, 2"), ("2-0", "2, 0")]:
        page.click(f"[data-bias='{bias}']")
        assert page.inner_text("[data-out=edit-label]").startswith("Bias of ")
        page.fill("[data-role=edit-value]", "0.75")
        page.press("[data-role=edit-value]", "Enter")
        assert page.evaluate(f"window.playgroundApp.param({args})") == 0.75, bias


def test_heatmap_legend_scale_and_axis_ticks(page):
    open_playground(page, "activation=linear&hidden=2")
    assert _ticks(page, "heat-x-ticks") == ["−5", "0", "5"] == _ticks(page, "heat-y-ticks")
    assert _ticks(page, "legend-ticks") == ["−1", "−0.5", "0", "0.5", "1"]
    # the 0 tick sits in the middle of the heatmap; y ticks run top (+) to bottom (−)
    heat = page.locator("[data-role=heatmap]").bounding_box()
    zero = page.locator("[data-out=heat-x-ticks] .pg-tick", has_text="0").bounding_box()
    assert abs(zero["x"] + zero["width"] / 2 - (heat["x"] + heat["width"] / 2)) < 2
    ys = page.eval_on_selector_all(
        "[data-out=heat-y-ticks] .pg-tick", "els => els.map(e => e.getBoundingClientRect().top)"
    )
    assert ys[0] > ys[-1]  # -5 below 5
    # legend colours: orange at −1, blue at +1
    ends = page.evaluate(
        """() => { const c = document.querySelector('[data-role=heat-legend]'), x = c.getContext('2d');
        const px = (i) => [...x.getImageData(i, c.height / 2, 1, 1).data]; return [px(0), px(c.width - 1)]; }"""
    )
    assert ends[0][0] > ends[0][2] and ends[1][2] > ends[1][0]
    # hovering a linear neuron: the legend spans ±(its largest |value| over the grid)
    a, b, c0 = (page.evaluate(f"window.playgroundApp.param({args})") for args in ["0, 0, 0", "0, 0, 1", "0, 0"])
    grid = [-6 + (j + 0.5) * 12 / 50 for j in range(50)]
    m = max(abs(a * x + b * y + c0) for x in grid for y in grid)
    assert m > 1  # so the scale differs from the output's
    page.hover("[data-neuron='0-0']")
    page.wait_for_function(
        "document.querySelector('[data-out=heat-caption]').textContent.startsWith('Showing neuron 1')"
    )
    ticks = _ticks(page, "legend-ticks")
    assert _num(ticks[-1]) == pytest.approx(m, rel=1e-2) and _num(ticks[0]) == pytest.approx(-m, rel=1e-2)


def test_loss_chart_axes_and_placeholder(page):
    open_playground(page)
    assert page.locator("[data-out=loss-placeholder]").is_visible()
    assert "once training starts" in page.inner_text("[data-out=loss-placeholder]")
    assert _ticks(page, "loss-x-ticks") == [] == _ticks(page, "loss-y-ticks")
    for _ in range(3):
        page.click("[data-action=step]")
    page.wait_for_function("document.querySelectorAll('[data-out=loss-x-ticks] .pg-tick').length === 3")
    assert page.locator("[data-out=loss-placeholder]").is_hidden()
    assert _ticks(page, "loss-x-ticks") == ["1", "2", "3"]
    hist = train_until(page, 200)
    after_next_frames(page)
    n = len(hist["train"])
    xs = [_num(t) for t in _ticks(page, "loss-x-ticks")]
    # at least 3 whole-epoch ticks, evenly spaced, the last within one spacing of the history's end
    # (any length: tests/js/ui_helpers.test.mjs checks epochTicks over n = 1..5000)
    assert len(xs) >= 3 and all(x == int(x) for x in xs), xs
    step = xs[1] - xs[0]
    assert all(b - a == step for a, b in zip(xs, xs[1:])) and 0 <= n - xs[-1] < step, (n, xs)
    ys = [_num(t) for t in _ticks(page, "loss-y-ticks")]
    top = max(hist["train"] + hist["test"])
    assert ys[0] == 0 and top / 2 < ys[-1] <= top
    page.click('[data-key="logLoss"]')
    after_next_frames(page)
    logs = [_num(t) for t in _ticks(page, "loss-y-ticks")]
    lo = min(hist["train"] + hist["test"])
    assert all(lo * 0.999 <= v <= top * 1.001 for v in logs) and len(logs) >= 2


def test_discretize_is_disabled_in_regression(page):
    open_playground(page)
    assert page.locator('[data-key="discretize"]').is_enabled()
    page.select_option('[data-key="problem"]', "regression")
    assert page.locator('[data-key="discretize"]').is_disabled()
    assert page.locator('[data-key="loss"]').is_disabled()
    page.select_option('[data-key="problem"]', "classification")
    assert page.locator('[data-key="discretize"]').is_enabled()


def test_an_emptied_number_box_is_refused_with_a_message(page):
    open_playground(page)
    page.fill('[data-key="seed"]', "")
    page.press('[data-key="seed"]', "Enter")
    assert page.inner_text("[data-out=message]") == (
        "Data seed: is empty; type a whole number from 0 (the value stays 1)."
    )
    assert state(page)["seed"] == 1 and page.input_value('[data-key="seed"]') == "1"


def test_changing_the_fragment_reconfigures_without_reload(page):
    open_playground(page)
    page.evaluate("window.__sameDocument = true")
    page.evaluate("location.hash = 'dataset=xor&hidden=3&activation=relu'")
    page.wait_for_function("window.playgroundApp.state.dataset === 'xor'")
    s = state(page)
    assert s["hidden"] == [3] and s["activation"] == "relu"
    assert page.locator("[data-neuron]").count() == 3
    assert page.locator('[data-key="activation"]').input_value() == "relu"
    assert "hidden=3&" in current_hash(page)  # rewritten in full
    # a TF Playground fragment typed into the address works the same way
    page.evaluate("h => { location.hash = h; }", TF_LINK.split("#", 1)[1])
    page.wait_for_function("window.playgroundApp.state.dataset === 'spiral'")
    assert state(page)["hidden"] == [5, 3, 2]
    assert "Opened a TensorFlow Playground link" in page.inner_text("[data-out=message]")
    assert page.evaluate("window.__sameDocument") is True  # no reload happened


def test_desktop_hint_points_right(page):
    open_playground(page)
    hint = page.inner_text("[data-out=net-hint]")
    assert "map on the right" in hint and "below" not in hint
    assert page.evaluate("window.playgroundApp.scale") == 1


def test_phone_6x8_network_fits_and_hints_match(phone):
    open_playground(phone, "hidden=8,8,8,8,8,8")
    assert phone.locator("[data-neuron]").count() == 48
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page scrolls sideways by {overflow}px"
    scale = phone.evaluate("window.playgroundApp.scale")
    assert 0.6 <= scale < 1
    # the output node and the last layer are on screen, not clipped by the network's box
    out = phone.locator(".pg-netinner > .pg-col:last-child .pg-node").bounding_box()
    box = phone.locator(".pg-netscroll").bounding_box()
    assert out["x"] >= 0 and out["x"] + out["width"] <= min(390, box["x"] + box["width"]) + 0.5
    assert (
        phone.evaluate(
            "(() => { const s = document.querySelector('.pg-netscroll'); return s.scrollWidth - s.clientWidth; })()"
        )
        <= 1
    )
    # links still join the nodes: the output's incoming links end at its left edge
    end = phone.evaluate(
        """() => { const p = document.querySelector('path.pg-link[data-link="6-0-7"]'), L = p.getTotalLength();
        const q = p.getPointAtLength(L); const r = new DOMPoint(q.x, q.y).matrixTransform(p.getScreenCTM()); return [r.x, r.y]; }"""
    )
    canvas = phone.locator(".pg-netinner > .pg-col:last-child canvas").bounding_box()
    assert abs(end[0] - canvas["x"]) < 2 and abs(end[1] - (canvas["y"] + canvas["height"] / 2)) < 2
    # the output panel is below the network, and the hint says so
    net = phone.locator(".pg-net").bounding_box()
    heat = phone.locator("[data-role=heatmap]").bounding_box()
    assert heat["y"] >= net["y"] + net["height"] - 1
    hint = phone.inner_text("[data-out=net-hint]")
    assert "below" in hint and "on the right" not in hint
    # a tap on a neuron of the scaled network pins its map
    phone.locator("[data-neuron='5-7']").tap()
    assert "pg-hover" in phone.locator("[data-neuron='5-7']").get_attribute("class")
