"""Random malformed input to the CLI: always a clean message and exit status, never a traceback."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refcheck.cli import main

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=30)


def run_main(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@FUZZ
@given(device=text.filter(lambda d: d not in ("cpu", "cuda", "auto") and not d.startswith("-")))
def test_any_unknown_device_is_rejected_in_one_line(device, capsys):
    code, out, err = run_main(["verify", "--device", device], capsys)
    assert code == 2
    assert "Traceback" not in err and err.count("\n") == 1 and "valid devices" in err


@FUZZ
@given(pattern=text.filter(lambda p: not p.startswith("-")))
def test_any_claim_filter_either_selects_or_errors_cleanly(pattern, capsys):
    code, out, err = run_main(["list", "--only", pattern], capsys)
    assert code in (0, 2)
    assert "Traceback" not in err
    if code == 2:
        assert "matches no claim" in err and err.count("\n") == 1
    else:
        assert out.strip()


@pytest.mark.parametrize("argv", [[], ["verify", "--seed", "x"], ["explain"], ["list", "--bogus"], ["verify", "--only"]])
def test_usage_errors_are_one_line_exit_2(argv, capsys):
    code, out, err = run_main(argv, capsys)
    assert code == 2 and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.strip()]) == 1


specs = st.one_of(
    text,
    st.builds(lambda d, dims: f"{d}[{dims}]", st.sampled_from(["float32", "int64", "uint8", "bool", "float", "f32", "", "x"]), text),
    st.builds(lambda d, dims: f"{d}[{','.join(map(str, dims))}]", st.sampled_from(["float32", "int64", "float16"]), st.lists(st.integers(-3, 9), max_size=5)),
)


@FUZZ
@given(name=st.sampled_from(["CrossEntropyLoss", "bce", "nll_loss", "MSELoss", "CTCLoss", "nosuchloss", "GaussianNLLLoss"]), inp=specs, target=specs)
def test_explain_any_spec_gives_a_verdict_or_a_clean_error(name, inp, target, capsys):
    code, out, err = run_main(["explain", name, "--input", inp, "--target", target], capsys)
    assert "Traceback" not in out + err
    assert code in (0, 1, 2)
    if code == 2:
        assert len([line for line in err.splitlines() if line.strip()]) == 1
    else:
        assert out.strip()


@FUZZ
@given(name=text.filter(lambda n: not n.startswith("-")))
def test_loss_lookup_of_any_name_answers_or_suggests(name, capsys):
    code, out, err = run_main(["loss", name], capsys)
    assert code in (0, 2) and "Traceback" not in out + err
    if code == 2:
        assert len([line for line in err.splitlines() if line.strip()]) == 1
