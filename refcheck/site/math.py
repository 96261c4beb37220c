"""LaTeX math as MathML, written at build time: ``$...$`` inline, ``$$...$$`` displayed. No script, no CDN:
browsers render MathML Core natively. Listed under ``markdown_extensions:`` as ``refcheck.site.math``."""

from __future__ import annotations

import re

from latex2mathml.converter import convert
from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor

from refcheck.site.errors import SiteError

# $$...$$ (may span lines of one paragraph), else $...$ not touching spaces inside, not followed by a word
# character (so "$5 and $10" stays text); \$ is a literal dollar.
MATH = r"(?<![\\$])\$\$(?P<block>.+?)\$\$|(?<![\\$\w])\$(?=[^\s$])(?P<inline>[^$\n]*?[^\s\\$])\$(?![\w$])"


UNKNOWN_COMMAND = re.compile(r">(\\[A-Za-z]+)<")


class MathError(SiteError):
    """LaTeX that latex2mathml cannot read; the message quotes it."""


def to_mathml(latex: str, display: bool = False) -> str:
    """MathML for ``latex``; ``display`` for a formula on its own line."""
    try:
        mathml = convert(latex.strip(), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises several types for bad input
        raise MathError(f"cannot read the LaTeX formula {latex.strip()!r}: {type(exc).__name__} {exc}".rstrip()) from None
    unknown = UNKNOWN_COMMAND.findall(mathml)
    if unknown:  # latex2mathml prints a command it does not know as text: a typo, most likely
        raise MathError(f"cannot read the LaTeX formula {latex.strip()!r}: unknown command {', '.join(unknown)}")
    return mathml


class MathProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str) -> tuple[str, int, int]:  # noqa: N802 (Python-Markdown's name)
        block = m.group("block")
        mathml = to_mathml(block if block is not None else m.group("inline"), display=block is not None)
        return self.md.htmlStash.store(mathml), m.start(0), m.end(0)


class MathExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        # after code spans (190), before backslash escapes (180) and emphasis, which would eat '\,' and '_'
        md.inlinePatterns.register(MathProcessor(MATH, md), "refcheck-math", 185)


def makeExtension(**kwargs) -> MathExtension:  # noqa: N802
    return MathExtension(**kwargs)


__all__ = ["MathError", "MathExtension", "makeExtension", "to_mathml"]
