"""The one error type with which the site's Markdown extensions stop a build."""

from __future__ import annotations

try:  # under MkDocs, a BuildError ends the build with its one-line message instead of a traceback
    from mkdocs.exceptions import PluginError as _BuildError
except ImportError:  # pragma: no cover - another builder
    _BuildError = Exception


class SiteError(ValueError, _BuildError):
    """Page text the build cannot turn into HTML; the message names where, what, and what is valid."""

    def __init__(self, message: str):
        _BuildError.__init__(self, message)
        self.message = message

    def __str__(self) -> str:
        return self.message
