"""The diagnosis (refcheck.losses.diagnose) on the traps users hit: dtypes, shapes, broadcasting,
reductions, options, extra tensors. Pure Python: no torch needed."""

from __future__ import annotations

import pytest

from refcheck.losses import DiagnoseError, diagnose, resolve


def d(loss, options=None, **specs):
    return diagnose(resolve(loss), specs, options or {})


def first(diag):
    assert diag.problems, diag
    return diag.problems[0]


# (loss, specs, options, outcome, output_shape, words that must appear in the first problem's rule+fix)
CASES = [
    # --- cross entropy: class ids
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "int64[8]"}, {}, "ok", [], ""),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "int64[8]"}, {"reduction": "none"}, "ok", [8], ""),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "int64[8]"}, {"reduction": "sum"}, "ok", [], ""),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "float32[8]"}, {}, "forward-error", None, "int64 target.long()"),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "int32[8]"}, {}, "forward-error", None, "int64 target.long()"),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "uint8[8]"}, {}, "ok", [], ""),
    ("CrossEntropyLoss", {"input": "float32[2,10,4,4]", "target": "uint8[2,4,4]"}, {}, "forward-error", None, "int64"),
    ("CrossEntropyLoss", {"input": "float32[2,10,4,4]", "target": "int64[2,4,4]"}, {"reduction": "none"}, "ok", [2, 4, 4], ""),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "int64[8,1]"}, {}, "forward-error", None, "squeeze"),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "int64[7]"}, {}, "forward-error", None, "N = 8"),
    ("CrossEntropyLoss", {"input": "float16[8,10]", "target": "int64[8]"}, {}, "ok", [], ""),
    ("CrossEntropyLoss", {"input": "int64[8,10]", "target": "int64[8]"}, {}, "forward-error", None, "floating point"),
    ("CrossEntropyLoss", {"input": "float32[10]", "target": "int64[]"}, {"reduction": "none"}, "ok", [], ""),
    ("CrossEntropyLoss", {"input": "float32[10]", "target": "int64[1]"}, {}, "backward-error", [], "size mismatch"),
    # --- cross entropy: class probabilities are chosen by equal shapes
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "float32[8,10]"}, {"reduction": "none"}, "ok", [8], ""),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "int64[8,10]"}, {}, "forward-error", None, "floating point target.float()"),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "float32[8,10]"}, {"ignore_index": "0"}, "forward-error", None, "ignore_index"),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "float32[8,10]"}, {"label_smoothing": "0.1"}, "ok", [], ""),
    ("CrossEntropyLoss", {"input": "float32[8]", "target": "int64[8]"}, {}, "forward-error", None, "floating point"),
    # --- options of cross entropy
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "int64[8]"}, {"weight": "float32[9]"}, "forward-error", None, "weight (10,)"),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "int64[8]"}, {"weight": "float64[10]"}, "forward-error", None, "weight.to(input.dtype)"),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "int64[8]"}, {"label_smoothing": "1.5"}, "forward-error", None, "<= 1.0"),
    ("HuberLoss", {"input": "float32[8]", "target": "float32[8]"}, {"delta": "0"}, "forward-error", None, "> 0.0"),
    ("MSELoss", {"input": "float32[8]", "target": "float32[8]"}, {"reduce": "false"}, "warning", [8], "deprecated reduction='none'"),
    ("MultiMarginLoss", {"input": "float16[8,4]", "target": "int64[8]"}, {}, "forward-error", None, "no CPU kernel input.float()"),
    ("GaussianNLLLoss", {"input": "float32[4,3]", "target": "float32[4,3]", "var": "float32[1,3]"}, {}, "ok", [], ""),
    ("GaussianNLLLoss", {"input": "float32[4,3]", "target": "float32[4,3]", "var": "float32[1,1]"}, {}, "forward-error", None, "var"),
    ("BCEWithLogitsLoss", {"input": "float64[8]", "target": "float32[8]"}, {}, "ok", [], "precision lost"),
    ("CTCLoss", {"log_probs": "float32[50,4,20]", "targets": "float32[4,10]", "input_lengths": "int64[4]", "target_lengths": "int64[4]"}, {}, "ok", [],
     "tolerated truncated targets.long()"),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "int64[8]"}, {"reduction": "avg"}, "forward-error", None, "reduction='mean'"),
    ("CrossEntropyLoss", {"input": "float32[8,10]", "target": "int64[8]"}, {"reduction": "batchmean"}, "forward-error", None, "'none', 'mean', 'sum'"),
    # --- nll
    ("NLLLoss", {"input": "float32[8,10]", "target": "int64[8]"}, {}, "ok", [], ""),
    ("NLLLoss", {"input": "float32[8,10]", "target": "float32[8,10]"}, {}, "forward-error", None, "shape"),
    ("nll_loss", {"input": "float32[8,10]", "target": "int32[8]"}, {}, "forward-error", None, "int64"),
    # --- BCE family
    ("BCELoss", {"input": "float32[8,3]", "target": "float32[8,3]"}, {"reduction": "none"}, "ok", [8, 3], ""),
    ("BCELoss", {"input": "float32[8,3]", "target": "int64[8,3]"}, {}, "forward-error", None, "target.to(input.dtype)"),
    ("BCELoss", {"input": "float32[8,3]", "target": "float64[8,3]"}, {}, "forward-error", None, "float32"),
    ("BCELoss", {"input": "float32[8,1]", "target": "float32[8]"}, {}, "forward-error", None, "unsqueeze(-1)"),
    ("BCEWithLogitsLoss", {"input": "float32[8,1]", "target": "float32[8]"}, {}, "forward-error", None, "shape"),
    ("BCEWithLogitsLoss", {"input": "float32[8,3]", "target": "int64[8,3]"}, {}, "forward-error", None, "target.float()"),
    ("BCEWithLogitsLoss", {"input": "float32[8,3]", "target": "float64[8,3]"}, {}, "ok", [], ""),
    ("BCEWithLogitsLoss", {"input": "float32[8,3]", "target": "float32[8,3]"}, {"pos_weight": "float32[3]"}, "ok", [], ""),
    ("BCEWithLogitsLoss", {"input": "float32[8,3]", "target": "float32[8,3]"}, {"pos_weight": "float32[8]"}, "forward-error", None, "pos_weight"),
    # --- regression: broadcasting traps
    ("MSELoss", {"input": "float32[8,1]", "target": "float32[8]"}, {"reduction": "none"}, "warning", [8, 8], "UserWarning"),
    ("MSELoss", {"input": "float32[8]", "target": "float32[8]"}, {"reduction": "none"}, "ok", [8], ""),
    ("MSELoss", {"input": "float32[8,3]", "target": "float32[8]"}, {}, "forward-error", None, "broadcastable"),
    ("MSELoss", {"input": "float32[8,3]", "target": "int64[8,3]"}, {}, "ok", [], ""),
    ("MSELoss", {"input": "int64[8,3]", "target": "float32[8,3]"}, {}, "backward-error", [], "gradient"),
    ("MSELoss", {"input": "int64[8]", "target": "int64[8]"}, {}, "error", None, "floating point"),
    ("L1Loss", {"input": "float32[8,3]", "target": "bool[8,3]"}, {}, "forward-error", None, "target"),
    ("L1Loss", {"input": "float32[8,3]", "target": "float32[1,3]"}, {}, "warning", [], "UserWarning"),
    ("HuberLoss", {"input": "float32[8]", "target": "int64[8]"}, {}, "backward-error", [], "target.to(input.dtype)"),
    ("HuberLoss", {"input": "float64[8]", "target": "float32[8]"}, {}, "backward-error", [], "float64"),
    ("SmoothL1Loss", {"input": "float32[8]", "target": "int64[8]"}, {}, "ok", [], ""),
    ("SoftMarginLoss", {"input": "float32[8,1]", "target": "float32[8]"}, {}, "forward-error", None, "broadcast to"),
    ("SoftMarginLoss", {"input": "float32[8,3]", "target": "float32[3]"}, {"reduction": "none"}, "ok", [8, 3], ""),
    ("SoftMarginLoss", {"input": "float32[8]", "target": "bool[8]"}, {}, "backward-error", [], "target"),
    ("KLDivLoss", {"input": "float32[8,5]", "target": "float32[8,5]"}, {}, "warning", [], "batchmean"),
    ("KLDivLoss", {"input": "float32[8,5]", "target": "float32[8,5]"}, {"reduction": "batchmean"}, "ok", [], ""),
    ("KLDivLoss", {"input": "float32[8,1]", "target": "float32[8]"}, {"reduction": "none"}, "ok", [8, 8], "silently"),
    ("KLDivLoss", {"input": "float32[8,5]", "target": "int64[8,5]"}, {"reduction": "batchmean"}, "forward-error", None, "float"),
    ("PoissonNLLLoss", {"input": "float32[8]", "target": "int64[8]"}, {}, "ok", [], ""),
    # --- extra tensors
    ("GaussianNLLLoss", {"input": "float32[8,3]", "target": "float32[8,3]", "var": "float32[8,1]"}, {"reduction": "none"}, "ok", [8, 3], ""),
    ("GaussianNLLLoss", {"input": "float32[8,3]", "target": "float32[8,3]", "var": "float32[8]"}, {}, "ok", [], ""),
    ("GaussianNLLLoss", {"input": "float32[8,3]", "target": "float32[8,3]", "var": "float32[8,2]"}, {}, "forward-error", None, "var"),
    ("GaussianNLLLoss", {"input": "float32[8,3]", "target": "float32[8,3]", "var": "int64[8,3]"}, {}, "forward-error", None, "var.float()"),
    ("MarginRankingLoss", {"input1": "float32[8]", "input2": "float32[8]", "target": "float32[8]"}, {"reduction": "none"}, "ok", [8], ""),
    ("MarginRankingLoss", {"input1": "float32[8,1]", "input2": "float32[8,1]", "target": "float32[8]"}, {}, "forward-error", None, "same number of dims"),
    ("CosineEmbeddingLoss", {"input1": "float32[8,5]", "input2": "float32[8,5]", "target": "float32[8,1]"}, {}, "forward-error", None, "squeeze"),
    ("TripletMarginLoss", {"anchor": "float32[8,5]", "positive": "float32[8,5]", "negative": "float32[8,5]"}, {"reduction": "none"}, "ok", [8], ""),
    ("TripletMarginLoss", {"anchor": "float32[5]", "positive": "float32[8,5]", "negative": "float32[8,5]"}, {}, "forward-error", None, "same number of dims"),
    ("TripletMarginLoss", {"anchor": "float32[8,5]", "positive": "float32[8,5]", "negative": "float32[5]"}, {}, "forward-error", None, "give negative the shape"),
    ("MultiMarginLoss", {"input": "float32[8,4]", "target": "uint8[8]"}, {}, "forward-error", None, "int64"),
    ("MultiLabelMarginLoss", {"input": "float32[8,4]", "target": "int64[8]"}, {}, "forward-error", None, "shape"),
    ("CTCLoss", {"log_probs": "float32[50,4,20]", "targets": "int64[4,10]", "input_lengths": "int64[4]", "target_lengths": "int64[4]"}, {"reduction": "none"}, "ok", [4], ""),
    ("CTCLoss", {"log_probs": "float32[50,4,20]", "targets": "int32[40]", "input_lengths": "int32[4]", "target_lengths": "int32[4]"}, {}, "ok", [], ""),
    ("CTCLoss", {"log_probs": "float32[4,50,20]", "targets": "int64[4,10]", "input_lengths": "int64[4]", "target_lengths": "int64[4]"}, {}, "forward-error", None, "time-first transpose(0, 1)"),
    ("CTCLoss", {"log_probs": "float32[50,4,20]", "targets": "int64[4,10]", "input_lengths": "float32[4]", "target_lengths": "int64[4]"}, {}, "forward-error", None, "integer"),
    # --- the fused linear + cross entropy
    ("LinearCrossEntropyLoss", {"input": "float32[8,16]", "target": "int64[8]"}, {"in_features": "16", "num_classes": "10", "reduction": "none"}, "ok", [8], ""),
    ("LinearCrossEntropyLoss", {"input": "float32[8,10]", "target": "int64[8]"}, {"in_features": "16", "num_classes": "10"}, "forward-error", None, "D = 16"),
    ("LinearCrossEntropyLoss", {"input": "float32[2,16]", "target": "int64[2]"}, {"in_features": "16", "num_classes": "10", "out_features": "3"}, "forward-error", None, "shape"),
    ("LinearCrossEntropyLoss", {"input": "float32[2,16]", "target": "int64[2,3]"}, {"in_features": "16", "num_classes": "10", "out_features": "3", "reduction": "none"}, "ok", [2, 3], ""),
]


@pytest.mark.parametrize("loss,specs,options,outcome,shape,words", CASES, ids=[f"{c[0]}-{'-'.join(c[1].values())}-{c[2]}" for c in CASES])
def test_diagnosis(loss, specs, options, outcome, shape, words):
    diag = diagnose(resolve(loss), specs, options)
    assert diag.outcome == outcome, diag
    assert diag.output_shape == shape, diag
    if outcome == "ok" and not words:
        assert diag.valid, diag.problems
    for word in words.split():
        text = " ".join(f"{p.rule} {p.fix} {p.got}" for p in diag.problems)
        assert word in text, (word, text)


def test_valid_means_no_problem_and_output_shape():
    diag = d("CrossEntropyLoss", {"reduction": "none"}, input="float32[8,10]", target="int64[8]")
    assert diag.valid and diag.form == "class indices" and diag.output_shape == [8] and diag.bound == {"N": 8, "C": 10}


def test_invalid_lists_other_accepted_forms():
    diag = d("CrossEntropyLoss", input="float32[8,10]", target="float32[8]")
    assert any(a.startswith("class probabilities: input (8, 10") for a in diag.also), diag.also


def test_silent_problem_keeps_outcome_ok_but_not_valid():
    diag = d("KLDivLoss", {"reduction": "batchmean"}, input="float32[8,1]", target="float32[8]")
    assert diag.outcome == "ok" and not diag.valid and first(diag).stage == "silent"


def test_problems_are_ordered_by_stage():
    diag = d("HuberLoss", {"reduction": "avg"}, input="float32[8,1]", target="int64[8]")
    stages = [p.stage for p in diag.problems]
    assert stages == sorted(stages, key=["forward", "error", "backward", "warning", "silent"].index)
    assert diag.outcome == "forward-error"


@pytest.mark.parametrize("specs,options,match", [
    ({"input": "float32[8,10]"}, {}, "missing target"),
    ({"input": "float32[8,10]", "target": "int64[8]", "bogus": "int64[8]"}, {}, "takes no tensor 'bogus'"),
    ({"input": "float32[8,10]", "target": "int64[8]"}, {"foo": "1"}, "no option 'foo'"),
    ({"input": "float32[8,10]", "target": "int64[8]"}, {"ignore_index": "x"}, "expected an integer"),
    ({"input": "float32[8,10]", "target": "int64[8]"}, {"weight": "float32[10"}, "malformed tensor spec"),
])
def test_malformed_questions_raise_diagnose_error(specs, options, match):
    with pytest.raises((DiagnoseError, ValueError), match=match):
        diagnose(resolve("CrossEntropyLoss"), specs, options)


def test_to_dict_is_json_ready():
    import json

    data = d("MSELoss", input="float32[8,1]", target="float32[8]").to_dict()
    text = json.dumps(data)
    assert '"outcome": "warning"' in text and data["problems"][0]["stage_text"].startswith("torch only warns")
