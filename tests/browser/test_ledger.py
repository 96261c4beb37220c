"""The claims ledger in Chromium: the status filter shows exactly the rows whose badge has that status,
and an address with #status=NAME opens the page filtered."""

from __future__ import annotations

FILTERS = {"all": None, "failed": {"failed"}, "partial": {"partial"}, "skipped": {"skipped", "unverified"}}

ROW_STATUSES = """() => [...document.querySelectorAll('article table tbody tr')].filter(tr => tr.querySelector('td:first-child .refcheck-badge'))
  .map(tr => ({hidden: tr.classList.contains('refcheck-hidden') || tr.offsetParent === null,
               status: [...tr.querySelector('td:first-child .refcheck-badge').classList].find(c => c !== 'refcheck-badge').slice(9)}))"""


def _visible_statuses(page) -> tuple[list[str], int]:
    rows = page.evaluate(ROW_STATUSES)
    return [r["status"] for r in rows if not r["hidden"]], len(rows)


def test_status_filter_shows_only_rows_of_that_status(page):
    page.goto(page.base_url + "/reference/claims/", wait_until="load")
    buttons = page.locator(".refcheck-ledger-filter button")
    assert buttons.count() == len(FILTERS)
    _, total = _visible_statuses(page)
    assert total >= 100  # every claim has a row
    for name, wanted in FILTERS.items():
        button = page.locator(f".refcheck-ledger-filter button[data-filter={name}]")
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
        visible, _ = _visible_statuses(page)
        label_count = int(button.inner_text().rsplit("(", 1)[1].rstrip(")"))
        assert len(visible) == label_count
        if wanted is None:
            assert len(visible) == total
        else:
            assert set(visible) <= wanted
            assert page.evaluate("location.hash") == f"#status={name}"


def test_address_fragment_opens_the_ledger_filtered(page):
    page.goto(page.base_url + "/reference/claims/#status=failed", wait_until="load")
    visible, total = _visible_statuses(page)
    assert set(visible) <= {"failed"} and total >= 100
    assert page.locator(".refcheck-ledger-filter button[data-filter=failed]").get_attribute("aria-pressed") == "true"
