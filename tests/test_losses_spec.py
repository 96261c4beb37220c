"""Tensor specs as typed on the command line and in the lookup: float32[8,10], int64[8], float32[]."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refcheck.losses.spec import DTYPES, GRAMMAR, Spec, SpecError, broadcast_shapes, parse_spec


@pytest.mark.parametrize("text,dtype,shape", [
    ("float32[8,10]", "float32", (8, 10)),
    ("int64[8]", "int64", (8,)),
    ("float32[]", "float32", ()),
    (" torch.long[ 8 , 3 ] ", "int64", (8, 3)),
    ("float(8, 10)", "float32", (8, 10)),
    ("long(8,)", "int64", (8,)),
    ("Double[0]", "float64", (0,)),
    ("u8[2,3,4]", "uint8", (2, 3, 4)),
    ("bool[1]", "bool", (1,)),
    ("half[4]", "float16", (4,)),
    ("bf16[4]", "bfloat16", (4,)),
])
def test_parse(text, dtype, shape):
    assert parse_spec(text) == Spec(dtype, shape)


@pytest.mark.parametrize("text,match", [
    ("float32[8,", "malformed tensor spec"),
    ("floot32[8]", "did you mean float32"),
    ("float32[-1]", "negative dimension -1"),
    ("float32[8,x]", "bad dimension 'x'"),
    ("float32[8,,3]", "bad dimension ''"),
    ("float32", "malformed tensor spec"),
    ("", "empty tensor spec"),
    ("complex32[3]", "unknown dtype"),
    ("[8,10]", "no dtype in '\\[8,10\\]'"),
    ("torch.Size([8, 10])", "no dtype"),
    ("8x", "malformed"),
    ("(8,,10) float32", "bad dimension ''"),
    ("torch.Size([8, 10]) torch.flaot32", "did you mean float32"),
])
def test_malformed_specs_name_the_grammar(text, match):
    with pytest.raises(SpecError, match=match) as info:
        parse_spec(text)
    assert GRAMMAR in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("text,spec", [
    ("torch.Size([8, 10]) torch.float32", Spec("float32", (8, 10))),  # print(x.shape, x.dtype)
    ("torch.float32 torch.Size([8])", Spec("float32", (8,))),
    ("(8, 10) long", Spec("int64", (8, 10))),
    ("(8,) float", Spec("float32", (8,))),
    ("[8, 10] float32", Spec("float32", (8, 10))),
    ("8x10 torch.int64", Spec("int64", (8, 10))),
    ("8 × 10 × 3 half", Spec("float16", (8, 10, 3))),
    ("float64, (2, 3)", Spec("float64", (2, 3))),
    ("torch.Size([]) bool", Spec("bool", ())),
])
def test_pasted_shapes_and_dtypes(text, spec):
    assert parse_spec(text) == spec


def test_a_shape_alone_takes_the_dtype_given_separately():
    assert parse_spec("torch.Size([8, 10])", "torch.long") == Spec("int64", (8, 10))
    assert parse_spec("8x10", "float32") == Spec("float32", (8, 10))
    assert parse_spec("int64[3]", "float32") == Spec("int64", (3,))  # the text's own dtype wins


@given(st.sampled_from(DTYPES), st.lists(st.integers(0, 10_000), max_size=6))
def test_roundtrip(dtype, dims):
    spec = Spec(dtype, tuple(dims))
    assert parse_spec(str(spec)) == spec


@pytest.mark.parametrize("shapes,out", [
    (((8, 1), (8,)), (8, 8)),
    (((8, 3), (3,)), (8, 3)),
    (((8, 3), (8,)), None),
    (((), ()), ()),
    (((2, 1, 4), (3, 1)), (2, 3, 4)),
    (((0,), (1,)), (0,)),
])
def test_broadcast_shapes(shapes, out):
    assert broadcast_shapes(*shapes) == out


@settings(deadline=None)  # the first example pays for importing torch
@given(st.lists(st.integers(1, 4), max_size=4), st.lists(st.integers(1, 4), max_size=4))
def test_broadcast_matches_torch(a, b):
    torch = pytest.importorskip("torch")
    try:
        expected = tuple(torch.broadcast_shapes(tuple(a), tuple(b)))
    except RuntimeError:
        expected = None
    assert broadcast_shapes(tuple(a), tuple(b)) == expected
