"""Generated page content: ``<!-- refcheck: NAME ARG -->`` expands to what a registered renderer returns."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from refcheck.site.state import SiteState

Renderer = Callable[[str, SiteState], str]
DIRECTIVES: dict[str, Renderer] = {}
MODULES = ("refcheck.site.builtin", "refcheck.losses.site")


def directive(name: str) -> Callable[[Renderer], Renderer]:
    """Register ``fn(arg, state) -> markdown`` as the renderer of ``<!-- refcheck: name arg -->``."""

    def register(fn: Renderer) -> Renderer:
        DIRECTIVES[name] = fn
        return fn

    return register


def load_directives() -> dict[str, Renderer]:
    for module in MODULES:
        importlib.import_module(module)
    return DIRECTIVES
