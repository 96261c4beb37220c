"""MkDocs hook: expand claim markers and directives, state versions in the footer, fail on drift.

- ``<!-- claim: ID -->`` becomes the claim's statement, status badge and evidence (from the reports).
- ``<!-- refcheck: NAME ARG -->`` becomes generated content (ledger, loss tables, ...).
- A malformed marker, an unknown id or a claim shown on the wrong page aborts the build naming file:line;
  a registered claim that no page shows is a warning, so ``mkdocs build --strict`` fails.
"""

from __future__ import annotations

import difflib
import logging
import os
from pathlib import Path

from mkdocs.exceptions import PluginError

from refcheck.site.builtin import footer_text, status_overview
from refcheck.site.directives import load_directives
from refcheck.site.markers import MarkerError, find_markers
from refcheck.site.render import claim_html
from refcheck.site.state import SiteState

log = logging.getLogger("mkdocs.plugins.refcheck")
_state: SiteState | None = None


def reports_dirs(config) -> list[Path]:
    """This machine's reports (``$REFCHECK_REPORTS`` or ``.refcheck/``) and the committed ones in ``reports/``
    (other devices and version combinations, e.g. from ``nox -s verify-matrix`` or a GPU run)."""
    root = Path(config.config_file_path).parent
    return [Path(os.environ.get("REFCHECK_REPORTS") or root / ".refcheck"), root / "reports"]


def on_config(config):
    global _state
    load_directives()
    _state = SiteState.load(Path(config.docs_dir), reports_dirs(config))
    pins = _state.pins
    config.copyright = (
        f"Verified against torch {pins.get('torch')} · torchvision {pins.get('torchvision')} · timm {pins.get('timm')} "
        f"(requirements/verified.txt) · {footer_text(_state)}"
    )
    overview = status_overview(_state)
    # Info, not warning: a failed claim is shown red on its page; it must not stop the strict build or serving.
    for key, what in (("failed", "FAILED"), ("other_runs", "FAILED on another code path"), ("skipped", "skipped")):
        for claim_id, reason in overview[key].items():
            log.info(f"refcheck: claim {claim_id} {what} (docs/{_state.claims[claim_id].page}): {reason}")
    return config


def expand(markdown: str, src: str, state: SiteState) -> str:
    """Replace every marker of one page; raises MarkerError naming ``docs/src:line``."""
    directives = load_directives()
    lines = markdown.splitlines()
    state.page = src
    for m in reversed(find_markers(markdown, f"docs/{src}", tuple(directives))):
        where = f"docs/{src}:{m.line}"
        if m.kind == "claim":
            claim = state.claims.get(m.name)
            if claim is None:
                near = difflib.get_close_matches(m.name, state.claims, n=1)
                hint = f"; did you mean {near[0]!r}?" if near else "; 'refcheck list' shows the registered ids"
                raise MarkerError(f"{where}: unknown claim id {m.name!r}{hint}")
            if claim.page != src:
                raise MarkerError(f"{where}: claim {m.name!r} is registered for page {claim.page!r}, not {src!r}")
            if m.name in state.shown and state.shown[m.name] != f"{src}:{m.line}":
                raise MarkerError(f"{where}: claim {m.name!r} is already shown at docs/{state.shown[m.name]}")
            state.shown[m.name] = f"{src}:{m.line}"
            block = claim_html(claim, state)
        else:
            block = directives[m.name](m.arg, state)
        lines[m.line - 1] = f"\n{block}\n"
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown, page, config, files):
    assert _state is not None
    try:
        return expand(markdown, page.file.src_uri, _state)
    except MarkerError as exc:
        raise PluginError(str(exc)) from None


def on_post_build(config):
    assert _state is not None
    for claim_id, claim in _state.claims.items():
        if claim_id not in _state.shown:
            log.warning(f"claim {claim_id!r} (registered for docs/{claim.page}) is shown on no page: add '<!-- claim: {claim_id} -->'")
