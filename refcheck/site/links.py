"""Link and table-cell helpers shared by every renderer (the site's directives and the loss pages)."""

from __future__ import annotations

import html
import posixpath
import re

_BREAK_AFTER = re.compile(r"([._\-/])")


def page_link(page: str, target_page: str, anchor: str = "") -> str:
    """A relative Markdown link from ``page`` to ``target_page`` (both relative to docs/; MkDocs validates it).

    A link to the page itself is just the anchor."""
    if target_page == page and anchor:
        return f"#{anchor}"
    rel = posixpath.relpath(target_page, posixpath.dirname(page) or ".")
    return rel + (f"#{anchor}" if anchor else "")


def cell(text: object) -> str:
    """Plain text for a Markdown table cell: HTML escaped, no pipes, no '*'/'_' pairing into emphasis."""
    return html.escape(str(text)).replace("|", "&#124;").replace("*", "&#42;").replace("_", "&#95;")


def md_cell(text: object) -> str:
    """Inline Markdown kept (backticks), pipes escaped for tables."""
    return str(text).replace("|", "&#124;")


def code_cell(text: object) -> str:
    """A code span in a Markdown table cell: pipes escaped, backticks fenced by a longer run."""
    text = str(text).replace("|", "&#124;")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def breakable(token: str) -> str:
    """An identifier as HTML that may wrap only after '.', '_', '-' or '/', never inside a word."""
    return _BREAK_AFTER.sub(r"\1<wbr>", html.escape(token)).replace("_", "&#95;").replace("*", "&#42;")
