"""Generated page content: ``<!-- refcheck: NAME ARG -->`` expands to ``DIRECTIVES[NAME](arg, state, page)``.

Every directive is listed here, by its function: a new one is added to this table."""

from __future__ import annotations

from collections.abc import Callable

from refcheck.losses import error_site
from refcheck.losses import site as loss_site
from refcheck.site import builtin
from refcheck.site.state import SiteState

Renderer = Callable[[str, SiteState, str], str]

DIRECTIVES: dict[str, Renderer] = {
    "ledger": builtin.ledger,
    "versions": builtin.versions_table,
    "home-summary": builtin.home_summary,
    "loss-cheatsheet": loss_site.cheatsheet,
    "loss-contract": loss_site.contract_section,
    "loss-errors": error_site.error_index,
    "loss-error-data": error_site.error_data,
}
