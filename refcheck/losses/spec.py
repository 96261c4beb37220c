"""Tensor specs as a user types them: ``float32[8,10]``, ``int64[8]``, ``float32[]`` (a scalar).

Pure Python (no torch): the CLI and the lookup answer from specs alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from refcheck.losses.names import closest

# canonical dtype names and the aliases accepted for them (torch's own spellings)
DTYPE_ALIASES: dict[str, str] = {
    "float32": "float32", "float": "float32", "f32": "float32",
    "float64": "float64", "double": "float64", "f64": "float64",
    "float16": "float16", "half": "float16", "f16": "float16",
    "bfloat16": "bfloat16", "bf16": "bfloat16",
    "int64": "int64", "long": "int64", "i64": "int64",
    "int32": "int32", "int": "int32", "i32": "int32",
    "int16": "int16", "short": "int16", "i16": "int16",
    "int8": "int8", "i8": "int8",
    "uint8": "uint8", "u8": "uint8", "byte": "uint8",
    "bool": "bool",
    "complex64": "complex64", "cfloat": "complex64", "c64": "complex64",
    "complex128": "complex128", "cdouble": "complex128", "c128": "complex128",
}
DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool", "complex64", "complex128")
FLOAT_DTYPES = ("float32", "float64", "float16", "bfloat16")
INT_DTYPES = ("int64", "int32", "int16", "int8", "uint8")
COMPLEX_DTYPES = ("complex64", "complex128")
# the names torch uses in its messages ("expected scalar type Long but found Float")
TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
               "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
GRAMMAR = ("DTYPE[D1,D2,...] with DTYPE one of float32 float64 float16 bfloat16 int64 int32 int16 int8 uint8 bool complex64 complex128 "
           "(e.g. float32[8,10], int64[8], float32[] for a scalar), or a shape and a dtype as Python prints them: "
           "torch.Size([8, 10]) torch.float32, (8, 10) long, [8, 10] float32, 8x10 float32")

# The spec forms, as regular expressions that Python's re and JavaScript's RegExp read alike (the
# payload carries them to the widget's engine). A spec is either DTYPE[dims] / DTYPE(dims), or a
# shape and a dtype in either order, separated by spaces or a comma.
SPEC_RE = r"^\s*(?:torch\.)?([A-Za-z][A-Za-z0-9_]*)\s*(?:\[([^\]]*)\]|\(([^)]*)\))\s*$"
SHAPE_RE = r"^(?:torch\.Size\(\s*\[([^\]]*)\]\s*\)|\[([^\]]*)\]|\(([^)]*)\)|([0-9]+(?:\s*[x\u00d7]\s*[0-9]+)*))$"
INT_RE = r"^[+-]?[0-9]+$"
FLOAT_RE = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
SPLIT_RE = r"^(.*?\S)(?:\s*,\s*|\s+)((?:torch\.)?[A-Za-z][A-Za-z0-9_]*)$|^((?:torch\.)?[A-Za-z][A-Za-z0-9_]*)(?:\s*,\s*|\s+)(\S.*)$"
DIMS_SPLIT_RE = r"\s*[x\u00d7]\s*"


class SpecError(ValueError):
    """A malformed tensor spec; the message names the spec and the accepted grammar."""


@dataclass(frozen=True)
class Spec:
    dtype: str
    shape: tuple[int, ...]

    def __str__(self) -> str:
        return f"{self.dtype}[{','.join(map(str, self.shape))}]"

    @property
    def is_float(self) -> bool:
        return self.dtype in FLOAT_DTYPES

    @property
    def ndim(self) -> int:
        return len(self.shape)


def dtype_group(dtype: str) -> str:
    """'float', 'complex', 'int' or 'bool'."""
    return "float" if dtype in FLOAT_DTYPES else "complex" if dtype in COMPLEX_DTYPES else "bool" if dtype == "bool" else "int"


def differentiable(dtype: str) -> bool:
    """Floating or complex: a tensor of this dtype can require grad."""
    return dtype_group(dtype) in ("float", "complex")


def parse_dtype(text: str) -> str:
    """A dtype name as torch or a user spells it (``torch.float32``, ``long``) -> its canonical name."""
    name = text.strip().lower().removeprefix("torch.")
    if name not in DTYPE_ALIASES:
        near = closest(name, DTYPE_ALIASES, 1)
        hint = f" (did you mean {DTYPE_ALIASES[near[0]]}?)" if near else ""
        raise SpecError(f"unknown dtype {text.strip()!r}{hint}; expected {GRAMMAR}")
    return DTYPE_ALIASES[name]


def parse_dims(raw: str, text: str, tuple_style: bool) -> tuple[int, ...]:
    """'8, 10' -> (8, 10); a trailing comma is allowed in tuple and list style ((8,), [8,])."""
    parts = [p.strip() for p in raw.split(",")]
    if parts == [""]:
        return ()
    if parts[-1] == "" and len(parts) > 1 and tuple_style:
        parts = parts[:-1]
    dims = []
    for p in parts:
        if not re.fullmatch(r"-?[0-9]+", p):
            raise SpecError(f"bad dimension {p!r} in {text.strip()!r}: dimensions are non-negative integers; expected {GRAMMAR}")
        if int(p) < 0:
            raise SpecError(f"negative dimension {p} in {text.strip()!r}: dimensions are non-negative integers; expected {GRAMMAR}")
        dims.append(int(p))
    return tuple(dims)


def parse_shape(text: str, whole: str) -> tuple[int, ...] | None:
    """A pasted shape (torch.Size([8, 10]), (8, 10), [8, 10], 8x10) or None when it is none of these."""
    m = re.match(SHAPE_RE, text.strip())
    if not m:
        return None
    size, listed, tupled, crossed = m.groups()
    if crossed is not None:
        return tuple(int(d) for d in re.split(DIMS_SPLIT_RE, crossed))
    raw = next(g for g in (size, listed, tupled) if g is not None)
    return parse_dims(raw, whole, True)


def parse_spec(text: str, dtype: str | None = None) -> Spec:
    """Parse a tensor spec (``float32[8,10]``, ``torch.Size([8, 10]) torch.float32``, ``8x10 long``).

    ``dtype`` is used when the text is a shape alone. Raises SpecError naming the problem and the grammar.
    """
    if not isinstance(text, str) or not text.strip():
        raise SpecError(f"empty tensor spec; expected {GRAMMAR}")
    shape = parse_shape(text, text)
    if shape is not None:
        if dtype is None:
            raise SpecError(f"no dtype in {text.strip()!r}: add one, e.g. '{text.strip()} float32'; expected {GRAMMAR}")
        return Spec(parse_dtype(dtype), shape)
    m = re.match(SPEC_RE, text)
    if m:
        return Spec(parse_dtype(m.group(1)), parse_dims(m.group(2) if m.group(2) is not None else m.group(3), text, m.group(3) is not None))
    m = re.match(SPLIT_RE, text.strip())
    if m:
        shape_text, dtype_text = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(4), m.group(3))
        shape = parse_shape(shape_text, text)
        if shape is not None:
            return Spec(parse_dtype(dtype_text), shape)
    raise SpecError(f"malformed tensor spec {text.strip()!r}; expected {GRAMMAR}")


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...] | None:
    """NumPy/torch broadcasting; None when the shapes do not broadcast."""
    n = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(n):
        size = 1
        for s in shapes:
            d = s[len(s) - n + i] if len(s) - n + i >= 0 else 1
            if d != 1:
                if size not in (1, d):
                    return None
                size = d
        out.append(size)
    return tuple(out)
