"""The loss error index without torch: templates, the matcher, its JS twin (generated parity), the page
directives and ``refcheck explain --from-error``. The messages are real: the fixture is evidence written by
the claim ``losses.errors.index``."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from refcheck.losses.errors import (
    CLAIM_ID,
    DTYPE_OF_WORD,
    TOKEN,
    body,
    build_index,
    match,
    normalize,
    payload,
    template_of,
)

from support import ROOT, assert_clean_error, run_cli

FIXTURE = ROOT / "tests" / "fixtures" / "loss_errors_result.json"
JS = ROOT / "docs" / "assets" / "loss-errors.js"


def fixture_result() -> dict:
    return json.loads(FIXTURE.read_text())["result"]


def write_report(directory: Path, results: list[dict]) -> Path:
    """A report (schema 2) holding these claim results, created now, on CPU with the pinned torch."""
    data = json.loads(FIXTURE.read_text())
    report = {
        "device": {"requested": "cpu", "resolved": "cpu", "name": "test fixture"}, "versions": data["versions"],
        "claims": results, "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "seconds": 1.0, "seed": 0,
        "kernel": {"aten": "default", "aten_env": "", "mkl": "native"}, "settings": {}, "schema": 2,
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"report-cpu-torch{data['versions']['torch']}.json"
    path.write_text(json.dumps(report))
    return path


@pytest.fixture(scope="module")
def messages() -> list[dict]:
    return fixture_result()["evidence"]["messages"]


@pytest.fixture(scope="module")
def index(messages) -> list[dict]:
    return build_index(messages)


# ------------------------------------------------------------------------------------------ templates
def test_sizes_numbers_and_dtypes_become_wildcards():
    t = template_of("ValueError: Using a target size (torch.Size([8])) that is different to the input size (torch.Size([8, 1])) is deprecated.")
    assert t["kinds"] == ["size", "size"] and t["values"] == ["8", "8, 1"]
    assert "8" not in t["pattern"]
    t = template_of("RuntimeError: expected scalar type Long but found Float")
    assert t["kinds"] == ["dtype", "dtype"] and t["values"] == ["Long", "Float"]
    t = template_of("ValueError: Expected input batch_size (8) to match target batch_size (7).")
    assert t["kinds"] == ["int", "int"]


def test_each_message_of_an_entry_matches_it(index, messages):
    ids = {m: e["id"] for e in index for m in e["variants"]}
    for m in messages:
        assert match(m["message"], payload(index)["templates"])["id"] == ids[m["message"]], m["message"]


def test_other_sizes_and_a_traceback_find_the_entry_and_fill_the_shapes(index):
    templates = payload(index)["templates"]
    pasted = ('Traceback (most recent call last):\n  File "train.py", line 40, in <module>\n    loss = crit(out, y)\n'
              "ValueError: Using a target size (torch.Size([32])) that is different\n   to the input size (torch.Size([32, 1])) is deprecated. "
              "Please ensure they have the same size.")
    found = match(pasted, templates)
    assert found["loss"] == "BCELoss"
    assert found["specs"] == {"input": "float32[32,1]", "target": "float32[32]"}
    found = match("RuntimeError: Found dtype Long but expected Float", templates)
    assert found["specs"]["target"].startswith("int64[") and found["specs"]["input"].startswith("float32[")
    assert match("RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB", templates) is None


def test_the_error_index_names_what_it_came_from(index):
    assert len(index) >= 40 and len({e["id"] for e in index}) == len(index)
    assert all(e["rows"] and e["losses"] and e["title"] for e in index)
    assert body("RuntimeError: a: b") == ("RuntimeError", "a: b") and body("no type: here") == ("", "no type: here")


# ------------------------------------------------------------------------------------------ Python = JS
def _fill(message: str, rng: random.Random) -> str:
    """The message with every size, number and dtype word replaced by a random one (as torch would print)."""
    def repl(m):
        token, kind = m.group(0), m.lastgroup
        if kind == "size":
            dims = ", ".join(str(rng.choice([1, rng.randint(2, 4096)])) for _ in range(rng.randint(0, 4)))
            return token[:token.index("[") + 1] + dims + token[token.index("]"):]
        if kind == "dtype":
            return rng.choice(sorted(DTYPE_OF_WORD) + ["ComplexFloat"])
        return str(rng.randint(0, 100000))
    return TOKEN.sub(repl, body(message)[1])


def _dress(text: str, rng: random.Random) -> str:
    """As a user pastes it: maybe a traceback and type before it, whitespace changed, text after it."""
    if rng.random() < 0.5:
        text = rng.choice(["RuntimeError: ", "ValueError: ", 'Traceback (most recent call last):\n  File "t.py", line 3\nRuntimeError: ']) + text
    words = text.split(" ")
    text = "".join(w + rng.choice([" ", " ", "  ", "\n", "\t", "\u00a0"]) for w in words).rstrip()
    return text + rng.choice(["", "\n", "  (see above)"])


def generated_messages(messages: list[dict], n: int = 1500, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = [_dress(_fill(rng.choice(messages)["message"], rng), rng) for _ in range(n)]
    out += ["", "hello", "RuntimeError: CUDA error: device-side assert triggered", "expected scalar type", "torch.Size([3])"]
    out += [m["message"][: rng.randint(1, len(m["message"]))] for m in rng.sample(messages, 40)]  # truncated pastes
    return out


def js_matches(tmp_path: Path, data: dict, texts: list[str]) -> list:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: the JS matcher cannot be compared (apt-get install nodejs)")
    module = tmp_path / "loss-errors.mjs"  # the same file, named so node loads it as an ES module
    module.write_text(JS.read_text())
    (tmp_path / "in.json").write_text(json.dumps({"data": data, "texts": texts}))
    script = ("import { match } from './loss-errors.mjs'; import { readFileSync } from 'node:fs';"
              "const { data, texts } = JSON.parse(readFileSync('in.json', 'utf8'));"
              "console.log(JSON.stringify(texts.map((t) => match(t, data.templates, data.dtype_of_word))));")
    proc = subprocess.run([node, "--input-type=module", "-e", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_python_and_js_match_alike_on_generated_messages(tmp_path, index, messages):
    data = payload(index)
    # ties: every template twice (the first must win), and pastes holding two messages (the heavier must win)
    data["templates"] += [{**t, "id": t["id"] + "-copy"} for t in data["templates"]]
    texts = generated_messages(messages)
    texts += [texts[i] + "\n" + texts[-i - 50] for i in range(200)]
    py = [match(t, data["templates"], data["dtype_of_word"]) for t in texts]
    js = js_matches(tmp_path, data, texts)
    differences = [(t, p, j) for t, p, j in zip(texts, py, js) if p != j]
    assert differences == [], differences[:3]
    found = sum(p is not None for p in py)
    assert found >= 1600, f"only {found} of {len(texts)} generated messages matched"  # every filled message is torch's wording
    assert {p["id"] for p in py if p} == {e["id"] for e in index}  # every entry reached; a copy never wins a tie


def test_normalize_agrees_with_the_js_whitespace_class():
    assert normalize("a \t\n\r\f\v\u00a0b") == "a b"
    assert "[ \\t\\n\\r\\f\\v\\u00a0]+" in JS.read_text()


# ------------------------------------------------------------------------------------------ page and CLI
def test_page_says_plainly_when_the_report_lacks_the_index(tmp_path):
    from refcheck.losses.error_site import MISSING, error_data, error_index
    from refcheck.registry import load_all
    from refcheck.site.state import SiteState

    state = SiteState(load_all(), [], {}, ROOT / "docs")
    assert MISSING in error_index("", state, "losses/errors.md")
    assert '"templates":[]' in error_data("", state, "losses/errors.md")


def test_page_renders_every_entry_from_the_report(tmp_path, index):
    from refcheck import report as report_mod
    from refcheck.losses.error_site import error_data, error_index
    from refcheck.registry import load_all
    from refcheck.site.state import SiteState

    path = write_report(tmp_path, [fixture_result()])
    state = SiteState(load_all(), [report_mod.load(path)], {}, ROOT / "docs")
    text = error_index("", state, "losses/errors.md")
    assert all(f"{{#{e['id']}}}" in text for e in index)
    assert "raised by torch 2.14.1 on cpu" in text
    assert json.loads(error_data("", state, "losses/errors.md").split('id="refcheck-loss-errors">')[1].split("</script>")[0])["templates"][0]["id"]


def test_explain_from_error_without_torch(tmp_path):
    write_report(tmp_path, [fixture_result()])
    code = ("import sys; from refcheck.cli import main; rc = main(['explain', '--from-error', sys.argv[1]]); "
            "print('torch imported' if 'torch' in sys.modules else 'no torch'); raise SystemExit(rc)")
    message = "RuntimeError: Expected input batch_size (64) to match target batch_size (60)."
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REFCHECK_REPORTS": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code, message], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("matched: Expected input batch_size")
    assert "--target int64[60]" in proc.stdout and "float32[64," in proc.stdout
    assert proc.stdout.strip().endswith("no torch")


def test_explain_from_error_refuses_an_unknown_message_in_one_line(tmp_path):
    write_report(tmp_path, [fixture_result()])
    line = assert_clean_error(run_cli("explain", "--from-error", "KeyError: 'model.fc.weight'", env={"REFCHECK_REPORTS": str(tmp_path)}))
    assert "no entry of the loss error index matches" in line and "torch's error messages from loss functions" in line
    line = assert_clean_error(run_cli("explain", "CrossEntropyLoss", "--from-error", "x", env={"REFCHECK_REPORTS": str(tmp_path)}))
    assert "--from-error takes the message alone" in line
    assert "explain needs a loss NAME and --input SPEC" in assert_clean_error(run_cli("explain"))


def test_no_report_with_the_index_is_a_usage_error(tmp_path):
    from refcheck.losses.error_cli import recorded_index
    from refcheck.torchenv import UsageError

    with pytest.raises(UsageError, match=f"run 'refcheck verify --only {CLAIM_ID}' first"):
        recorded_index([tmp_path])
