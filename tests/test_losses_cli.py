"""`refcheck loss` and `refcheck explain`: answers, exit codes, one-line errors, --json, no torch import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from refcheck.cli import main

from support import ROOT, assert_clean_error, run_cli


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_loss_lists_every_contract(capsys):
    from refcheck.losses import CONTRACTS

    code, out, _ = run(capsys, "loss")
    assert code == 0
    for name in CONTRACTS:
        assert name in out
    assert f"{len(CONTRACTS)} losses" in out


@pytest.mark.parametrize("name", ["CrossEntropyLoss", "cross_entropy", "CROSSENTROPYLOSS", "ce", "F.cross_entropy", "torch.nn.CrossEntropyLoss", "cross-entropy"])
def test_loss_resolves_names(capsys, name):
    code, out, _ = run(capsys, "loss", name)
    assert code == 0
    assert out.startswith("CrossEntropyLoss  (torch.nn.functional.cross_entropy)")
    assert "class indices" in out and "common mistakes" in out


def test_nll_loss_functional_resolves_to_nllloss_not_deprecated_alias(capsys):
    _, out, _ = run(capsys, "loss", "nll_loss")
    assert out.startswith("NLLLoss ")


def test_loss_json(capsys):
    code, out, _ = run(capsys, "loss", "bce", "--json")
    data = json.loads(out)
    assert code == 0 and data["name"] == "BCELoss" and data["forms"][0]["dtypes"]["target"]["accept"] == ["same"]
    code, out, _ = run(capsys, "loss", "--json")
    rows = json.loads(out)
    assert {r["loss"] for r in rows} >= {"CrossEntropyLoss", "CTCLoss"} and all("target dtype" in r for r in rows)


def test_explain_invalid_prints_rule_and_fix_exit_1(capsys):
    code, out, _ = run(capsys, "explain", "CrossEntropyLoss", "--input", "float32[8,10]", "--target", "float32[8]")
    assert code == 1
    assert "INVALID" in out and "target dtype must be int64 or uint8" in out and "fix:  target.long()" in out
    assert "torch raises in the forward call" in out


def test_explain_valid_exit_0(capsys):
    code, out, _ = run(capsys, "explain", "ce", "--input", "float32[8,10]", "--target", "int64[8]", "--option", "reduction=none")
    assert code == 0 and "valid (class indices): output shape (8,) with reduction='none'" in out


def test_explain_reads_what_python_prints(capsys):
    code, out, _ = run(capsys, "explain", "nll", "--input", "torch.Size([8, 10]) torch.float32", "--target", "(8,) long")
    assert code == 0 and "NLLLoss(input=float32[8,10], target=int64[8])" in out
    code, out, _ = run(capsys, "explain", "mse", "--input", "8x1 float32", "--target", "[8] float32", "--option", "reduce=false")
    assert code == 1 and "fix:  reduction='none'" in out and "would be (8, 8) with reduction='none'" in out


def test_explain_extra_tensor_and_json(capsys):
    code, out, _ = run(capsys, "explain", "GaussianNLLLoss", "--input", "float32[8,3]", "--target", "float32[8,3]",
                       "--extra", "var=float32[8,1]", "--option", "reduction=none", "--json")
    data = json.loads(out)
    assert code == 0 and data["valid"] and data["output_shape"] == [8, 3] and data["specs"]["var"] == "float32[8,1]"


def test_explain_backward_only_failure(capsys):
    code, out, _ = run(capsys, "explain", "huber", "--input", "float32[8]", "--target", "int64[8]")
    assert code == 1 and "backward()" in out and "target.to(input.dtype)" in out


def test_explain_warning_broadcast(capsys):
    code, out, _ = run(capsys, "explain", "mse", "--input", "float32[8,1]", "--target", "float32[8]", "--json")
    data = json.loads(out)
    assert code == 1 and data["outcome"] == "warning" and data["problems"][0]["fix"] == "target.unsqueeze(-1)"


@pytest.mark.parametrize("argv,match", [
    (["loss", "crossentropy_los"], "did you mean CrossEntropyLoss"),
    (["loss", "zzzzzz"], "unknown loss 'zzzzzz'"),
    (["explain", "CrossEntopyLoss", "--input", "float32[8,10]", "--target", "int64[8]"], "did you mean CrossEntropyLoss"),
    (["explain", "ce", "--input", "float32[8,", "--target", "int64[8]"], "malformed tensor spec 'float32[8,'"),
    (["explain", "ce", "--input", "floot32[8]", "--target", "int64[8]"], "did you mean float32"),
    (["explain", "ce", "--input", "float32[-3]", "--target", "int64[8]"], "negative dimension -3"),
    (["explain", "ce", "--input", "float32[8,10]"], "missing target"),
    (["explain", "GaussianNLLLoss", "--input", "float32[8]", "--target", "float32[8]"], "--extra var=SPEC"),
    (["explain", "ce", "--input", "float32[8,10]", "--target", "int64[8]", "--option", "reduction"], "NAME=VALUE"),
    (["explain", "ce", "--input", "float32[8,10]", "--target", "int64[8]", "--option", "foo=1"], "valid options: weight"),
    (["explain", "ce", "--input", "float32[8,10]", "--target", "int64[8]", "--extra", "var=float32[8]"], "no extra tensor 'var'"),
    (["explain", "ce", "--input", "float32[8,10]", "--target", "int64[8]", "--option", "label_smoothing=lots"], "expected a number"),
    (["explain", "ce", "--input", "(8, 10)", "--target", "int64[8]"], "no dtype in '(8, 10)'"),
    (["explain", "mse", "--input", "float32[8]", "--target", "float32[8]", "--option", "reduce=maybe"], "expected true or false"),
])
def test_user_mistakes_are_one_line_exit_2(argv, match):
    line = assert_clean_error(run_cli(*argv))
    assert line.startswith("refcheck: error: ") and match in line, line


def test_grammar_in_spec_errors():
    line = assert_clean_error(run_cli("explain", "mse", "--input", "float32[8,", "--target", "float32[8]"))
    assert "DTYPE[D1,D2,...]" in line


def test_loss_commands_do_not_import_torch():
    code = (
        "import sys\n"
        "from refcheck.cli import main\n"
        "main(['loss', 'ce']); main(['loss']); main(['explain', 'ce', '--input', 'float32[8,10]', '--target', 'float32[8]', '--json'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy', 'timm', 'torchvision'))\n"
        "print('HEAVY', heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stdout


def test_importtime_has_no_torch():
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "refcheck.cli", "loss", "ce"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0
    imported = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert "refcheck.losses.contracts" in imported
    assert not [m for m in imported if m.split(".")[0] == "torch"]
