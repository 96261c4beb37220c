"""Tensor specs as a user types them: ``float32[8,10]``, ``int64[8]``, ``float32[]`` (a scalar).

Pure Python (no torch): the CLI and the lookup answer from specs alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
}
DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool")
FLOAT_DTYPES = ("float32", "float64", "float16", "bfloat16")
INT_DTYPES = ("int64", "int32", "int16", "int8", "uint8")
# the names torch uses in its messages ("expected scalar type Long but found Float")
TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
GRAMMAR = "DTYPE[D1,D2,...] with DTYPE one of float32 float64 float16 bfloat16 int64 int32 int16 int8 uint8 bool (e.g. float32[8,10], int64[8], float32[] for a scalar)"

_SPEC = re.compile(r"^\s*(?:torch\.)?(?P<dtype>[A-Za-z0-9_]+)\s*(?:\[(?P<dims>[^\]]*)\]|\((?P<pdims>[^)]*)\))\s*$")


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
    """'float', 'int' or 'bool'."""
    return "float" if dtype in FLOAT_DTYPES else "bool" if dtype == "bool" else "int"


def parse_dtype(text: str) -> str:
    name = text.strip().lower().removeprefix("torch.")
    if name not in DTYPE_ALIASES:
        import difflib

        near = difflib.get_close_matches(name, DTYPE_ALIASES, n=1)
        hint = f" (did you mean {DTYPE_ALIASES[near[0]]}?)" if near else ""
        raise SpecError(f"unknown dtype {text.strip()!r}{hint}; expected {GRAMMAR}")
    return DTYPE_ALIASES[name]


def parse_spec(text: str) -> Spec:
    """Parse ``float32[8,10]``; raises SpecError naming the problem and the grammar."""
    if not isinstance(text, str) or not text.strip():
        raise SpecError(f"empty tensor spec; expected {GRAMMAR}")
    m = _SPEC.match(text)
    if not m:
        raise SpecError(f"malformed tensor spec {text.strip()!r}; expected {GRAMMAR}")
    dtype = parse_dtype(m.group("dtype"))
    raw = m.group("dims") if m.group("dims") is not None else m.group("pdims")
    parts = [p.strip() for p in raw.split(",")]
    if parts == [""]:
        return Spec(dtype, ())
    if parts[-1] == "" and len(parts) > 1 and m.group("pdims") is not None:  # python tuple style (8,)
        parts = parts[:-1]
    dims = []
    for p in parts:
        if not re.fullmatch(r"-?\d+", p):
            raise SpecError(f"bad dimension {p!r} in {text.strip()!r}: dimensions are non-negative integers; expected {GRAMMAR}")
        if int(p) < 0:
            raise SpecError(f"negative dimension {p} in {text.strip()!r}: dimensions are non-negative integers; expected {GRAMMAR}")
        dims.append(int(p))
    return Spec(dtype, tuple(dims))


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
