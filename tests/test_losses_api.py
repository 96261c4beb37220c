"""refcheck.losses.check_loss_inputs on real tensors: modules with options, functionals, extra
tensors, value-level misuse (warning by default, error with strict=True)."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from refcheck.losses import LossInputError, LossInputWarning, check_loss_inputs  # noqa: E402


def logits(*shape):
    return torch.randn(*shape) * 3


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the "valid" cases
        return fn(*args, **kwargs)


@pytest.mark.parametrize("loss,tensors,options", [
    (nn.CrossEntropyLoss(), (logits(8, 10), torch.randint(0, 10, (8,))), {}),
    (F.cross_entropy, (logits(8, 10), torch.randint(0, 10, (8,))), {"reduction": "none"}),
    (nn.CrossEntropyLoss(ignore_index=-1), (logits(4, 3), torch.tensor([0, 1, 2, -1])), {}),
    (nn.NLLLoss(), (logits(8, 10).log_softmax(1), torch.randint(0, 10, (8,))), {}),
    (nn.BCEWithLogitsLoss(pos_weight=torch.ones(3)), (logits(8, 3), torch.randint(0, 2, (8, 3)).float()), {}),
    (nn.BCELoss(), (torch.rand(8, 3), torch.randint(0, 2, (8, 3)).float()), {}),
    (nn.MSELoss(), (torch.randn(8), torch.randn(8)), {}),
    (nn.GaussianNLLLoss(), (torch.randn(8, 3), torch.randn(8, 3), torch.rand(8, 1) + 0.1), {}),
    (nn.KLDivLoss(reduction="batchmean"), (logits(8, 5).log_softmax(1), torch.rand(8, 5).softmax(1)), {}),
    (nn.HingeEmbeddingLoss(), (torch.rand(8), torch.tensor([1, -1] * 4)), {}),
    (nn.CTCLoss(), (torch.randn(12, 2, 5).log_softmax(2), torch.randint(1, 5, (2, 3)), torch.full((2,), 12), torch.full((2,), 3)), {}),
    (nn.LinearCrossEntropyLoss(16, 10), (torch.randn(8, 16), torch.randint(0, 10, (8,))), {}),
    (F.linear_cross_entropy, (torch.randn(8, 16), torch.randn(10, 16), torch.randint(0, 10, (8,))), {}),
    ("triplet", (torch.randn(8, 5), torch.randn(8, 5), torch.randn(8, 5)), {}),
])
def test_valid_inputs_pass_quietly(loss, tensors, options):
    assert quiet(check_loss_inputs, loss, *tensors, **options) is None


@pytest.mark.parametrize("loss,tensors,options,words", [
    (nn.CrossEntropyLoss(), (logits(8, 10), torch.randint(0, 10, (8,)).float()), {}, ["target dtype must be int64", "target.long()", "float32[8]"]),
    (nn.CrossEntropyLoss(), (logits(8, 10), torch.randint(0, 10, (8, 1))), {}, ["shape (8,)", "squeeze"]),
    (nn.CrossEntropyLoss(weight=torch.ones(9)), (logits(8, 10), torch.randint(0, 10, (8,))), {}, ["weight must have shape (10,)"]),
    (nn.CrossEntropyLoss(ignore_index=3), (logits(8, 10), torch.rand(8, 10).softmax(1)), {}, ["ignore_index is not supported"]),
    (nn.MSELoss(), (torch.randn(8, 1), torch.randn(8)), {}, ["UserWarning", "unsqueeze(-1)", "only warns"]),
    (nn.HuberLoss(), (torch.randn(8), torch.randint(0, 3, (8,))), {}, ["backward()", "target.to(input.dtype)"]),
    (F.binary_cross_entropy_with_logits, (logits(8), torch.randint(0, 2, (8,))), {}, ["target.float()"]),
    (nn.KLDivLoss(), (logits(8, 5).log_softmax(1), torch.rand(8, 5).softmax(1)), {}, ["batchmean"]),
    (nn.GaussianNLLLoss(), (torch.randn(8, 3), torch.randn(8, 3)), {}, ["takes 3 tensors"]),
    (nn.CrossEntropyLoss(), (logits(4, 3), torch.tensor([0, 1, 2, 3])), {}, ["class ids must lie in [0, 3)"]),
    (nn.BCELoss(), (logits(8), torch.rand(8)), {}, ["values must lie in [0, 1]", "BCEWithLogitsLoss"]),
    (nn.GaussianNLLLoss(), (torch.randn(8), torch.randn(8), -torch.rand(8)), {}, ["var must be non-negative"]),
])
def test_broken_rules_raise_before_torch(loss, tensors, options, words):
    with pytest.raises(LossInputError) as info:
        check_loss_inputs(loss, *tensors, **options)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    for w in words:
        assert w in message, (w, message)


@pytest.mark.parametrize("loss,tensors,words", [
    (nn.CrossEntropyLoss(), (logits(8, 10).softmax(1), torch.randint(0, 10, (8,))), "softmax probabilities"),
    (nn.NLLLoss(), (logits(8, 10), torch.randint(0, 10, (8,))), "log-probabilities"),
    (nn.NLLLoss(), (logits(8, 10).softmax(1), torch.randint(0, 10, (8,))), "look like probabilities"),
    (nn.KLDivLoss(reduction="batchmean"), (logits(8, 5).softmax(1), torch.rand(8, 5).softmax(1)), "log-probabilities"),
    (nn.SoftMarginLoss(), (torch.randn(8), torch.randint(0, 2, (8,)).float()), "{-1, 1}"),
    (nn.HingeEmbeddingLoss(), (torch.rand(8), torch.randint(0, 2, (8,))), "{-1, 1}"),
    (nn.KLDivLoss(reduction="batchmean"), (logits(8, 1).log_softmax(1), torch.rand(8)), "broadcast silently"),
])
def test_value_misuse_warns_by_default_and_raises_when_strict(loss, tensors, words):
    with pytest.warns(LossInputWarning, match=words.replace("{", r"\{").replace("}", r"\}")):
        check_loss_inputs(loss, *tensors)
    with pytest.raises(LossInputError, match="breaks its contract"):
        check_loss_inputs(loss, *tensors, strict=True)


def test_message_is_raised_before_torch_would_fail_in_backward():
    x = torch.randn(8, requires_grad=True)
    t = torch.randint(0, 3, (8,))
    with pytest.raises(LossInputError):
        check_loss_inputs(nn.HuberLoss(), x, t)
    loss = nn.HuberLoss()(x, t)  # torch itself only fails later
    with pytest.raises(RuntimeError, match="Found dtype"):
        loss.backward()


def test_not_a_loss():
    with pytest.raises(LossInputError, match="not a torch.nn loss"):
        check_loss_inputs(nn.Linear(3, 3), torch.randn(3), torch.randn(3))
    with pytest.raises(LossInputError, match="did you mean"):
        check_loss_inputs("cross_entrop", torch.randn(3), torch.randn(3))
    with pytest.raises(LossInputError, match="no option 'bogus'"):
        check_loss_inputs(F.mse_loss, torch.randn(3), torch.randn(3), bogus=1)
