"""MkDocs hook: only what MkDocs alone can do. Markers are expanded by the Markdown extension
(``refcheck.site.extension``); the hook loads the build's state afresh, states the verified versions in the
footer, logs failed claims, and after the build fails the strict build on a claim no page shows."""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError

from refcheck.site.builtin import footer_text, status_overview
from refcheck.site.state import SiteState

log = logging.getLogger("mkdocs.plugins.refcheck")
_state: SiteState | None = None


EXTENSION = "refcheck.site.extension"


def on_config(config):
    global _state
    if EXTENSION not in config.markdown_extensions:
        raise PluginError(f"refcheck's hook needs its Markdown extension: add '- {EXTENSION}' under markdown_extensions in mkdocs.yml")
    _state = SiteState.for_project(Path(config.docs_dir), Path(config.config_file_path).parent, fresh=True)
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


def on_post_build(config):
    assert _state is not None
    for claim_id, claim in _state.claims.items():
        if claim_id not in _state.shown:
            log.warning(f"claim {claim_id!r} (registered for docs/{claim.page}) is shown on no page: add '<!-- claim: {claim_id} -->'")
