"""The claim registry: one decorator registers a checkable statement of the site."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*(\.[a-z0-9][a-z0-9_\-]*)+$")


@dataclass(frozen=True)
class Claim:
    """A checkable sentence: where it lives, what it says, and the code that measures it."""

    id: str
    page: str
    says: str
    check: Callable[..., dict[str, Any] | None]
    tags: tuple[str, ...] = ()
    figure: Callable[[dict[str, Any]], Any] | None = None
    needs: tuple[str, ...] = field(default=())  # optional extra modules, e.g. ("keras",)
    version_note: str = ""  # shown on the page when the fact depends on versions
    thin_margin: str = ""  # why a margin under the stress run's minimum is accepted (shown on the page)
    # Claims of one group share work cached in their process (e.g. one simulation read by several claims):
    # ``refcheck verify --jobs N`` runs a group in one worker, one claim after another, so it is done once.
    group: str = ""

    @property
    def statistical(self) -> bool:
        """Its truth depends on randomness or floating-point paths (tag 'statistical'): the badge shows its margin."""
        return "statistical" in self.tags

    @property
    def module(self) -> str:
        return self.check.__module__


REGISTRY: dict[str, Claim] = {}


class RegistryError(ValueError):
    """A claim was declared wrongly (bad id, duplicate id)."""


def claim(
    id: str,
    *,
    page: str,
    says: str,
    tags: tuple[str, ...] = (),
    figure: Callable[[dict[str, Any]], Any] | None = None,
    needs: tuple[str, ...] = (),
    version_note: str = "",
    thin_margin: str = "",
    group: str = "",
) -> Callable:
    """Register ``fn(ctx) -> evidence`` as the check of claim ``id`` shown on ``page``."""
    if not ID_RE.match(id):
        raise RegistryError(f"claim id {id!r} must be dotted lowercase words, e.g. 'topic.fact-name'")
    if not page.endswith(".md"):
        raise RegistryError(f"claim {id!r}: page {page!r} must be a docs/ path ending in .md")

    def register(fn: Callable) -> Callable:
        if id in REGISTRY and REGISTRY[id].check.__qualname__ != fn.__qualname__:
            raise RegistryError(f"claim id {id!r} registered twice ({REGISTRY[id].module} and {fn.__module__})")
        REGISTRY[id] = Claim(
            id, page, " ".join(says.split()), fn, tuple(tags), figure, tuple(needs), version_note, thin_margin, group
        )
        return fn

    return register


def claim_modules() -> list[str]:
    """The modules whose claims make up the site: every module of ``refcheck.claims``.

    ``$REFCHECK_CLAIM_MODULES`` (comma-separated module names) replaces that list, so tests can build
    a small site from their own claims.
    """
    override = os.environ.get("REFCHECK_CLAIM_MODULES")
    if override:
        return [m.strip() for m in override.split(",") if m.strip()]
    from refcheck import claims

    return [f"{claims.__name__}.{info.name}" for info in pkgutil.iter_modules(claims.__path__)]


def load_all() -> dict[str, Claim]:
    """Import the claim modules and return their claims, sorted by id."""
    modules = claim_modules()
    for module in modules:
        importlib.import_module(module)
    prefixes = tuple(modules)
    return {k: v for k, v in sorted(REGISTRY.items()) if v.module in prefixes}


def claims_on_page(page: str) -> list[Claim]:
    return [c for c in load_all().values() if c.page == page]
