"""The claims ledger in Chromium: grouped by page; the status filter shows exactly the rows whose badge has
that status, the page menu exactly that page's group, and an address with #status=NAME&page=PAGE opens the
ledger filtered."""

from __future__ import annotations

FILTERS = {"all": None, "passed": {"passed"}, "failed": {"failed"}, "partial": {"partial"}, "skipped": {"skipped", "unverified"}}

ROWS = """() => [...document.querySelectorAll('.refcheck-ledger-page tbody tr')].map(tr => ({
  hidden: tr.offsetParent === null,
  page: tr.closest('.refcheck-ledger-page').dataset.page,
  link: tr.querySelector('td:nth-child(2) a').getAttribute('href'),
  status: [...tr.querySelector('td:first-child .refcheck-badge').classList].find(c => c !== 'refcheck-badge').slice(9)}))"""


def _rows(page) -> list[dict]:
    return page.evaluate(ROWS)


def test_claims_are_grouped_by_the_page_that_shows_them(page):
    page.goto(page.base_url + "/reference/claims/", wait_until="load")
    rows = _rows(page)
    assert len(rows) >= 100  # every claim has a row
    for r in rows:  # the claim link of a row leads to its group's page
        assert r["link"].split("#")[0].rstrip("/").endswith(r["page"].removesuffix(".md").removesuffix("/index")), r
    groups = page.locator(".refcheck-ledger-page")
    assert groups.count() >= 12
    assert "values pinned" in groups.first.inner_text() or "value pinned" in groups.first.inner_text()
    evidence = page.locator(".refcheck-ledger-page tbody td:nth-child(3)").all_inner_texts()
    assert not any(text.lstrip().startswith("{") for text in evidence)  # key/value pairs, not a raw dict
    assert page.locator(".refcheck-ledger-page .refcheck-kv code").count() > 100


def test_status_filter_shows_only_rows_of_that_status(page):
    page.goto(page.base_url + "/reference/claims/", wait_until="load")
    buttons = page.locator(".refcheck-ledger-filter button")
    assert buttons.count() == len(FILTERS)
    total = len(_rows(page))
    for name, wanted in FILTERS.items():
        button = page.locator(f".refcheck-ledger-filter button[data-filter={name}]")
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
        visible = [r["status"] for r in _rows(page) if not r["hidden"]]
        label_count = int(button.inner_text().rsplit("(", 1)[1].rstrip(")"))
        assert len(visible) == label_count
        if wanted is None:
            assert len(visible) == total
        else:
            assert set(visible) <= wanted
            assert page.evaluate("location.hash") == f"#status={name}"


def test_page_menu_shows_only_that_pages_group(page):
    page.goto(page.base_url + "/reference/claims/", wait_until="load")
    target = "training/batch-norm.md"
    page.locator(".refcheck-ledger-filter select").select_option(target)
    visible = [r for r in _rows(page) if not r["hidden"]]
    assert visible and {r["page"] for r in visible} == {target}
    assert len(visible) == sum(1 for r in _rows(page) if r["page"] == target)
    assert page.evaluate("location.hash") == f"#page={target}"


def test_address_fragment_opens_the_ledger_filtered(page):
    page.goto(page.base_url + "/reference/claims/#status=passed&page=training/batch-norm.md", wait_until="load")
    visible = [r for r in _rows(page) if not r["hidden"]]
    assert visible and {r["page"] for r in visible} == {"training/batch-norm.md"} and {r["status"] for r in visible} == {"passed"}
    assert page.locator(".refcheck-ledger-filter button[data-filter=passed]").get_attribute("aria-pressed") == "true"
    page.goto(page.base_url + "/reference/claims/#status=failed", wait_until="load")
    page.reload()
    assert {r["status"] for r in _rows(page) if not r["hidden"]} <= {"failed"}


# Where each rendered line of an identifier ends: it may only wrap after '.', '_', '-' or '/' (a <wbr>), or at a space.
MID_WORD_BREAKS = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('.refcheck-ledger-page code.refcheck-token, .refcheck-ledger-page .refcheck-kv code')) {
    const text = el.textContent;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const chars = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode())
      for (let i = 0; i < node.length; i++) chars.push([node, i]);
    let lastTop = null;
    chars.forEach(([node, i], k) => {
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const top = Math.round(range.getBoundingClientRect().top);
      if (lastTop !== null && top > lastTop + 2 && !'._-/ '.includes(text[k - 1])) bad.push(`${text} breaks before '${text.slice(k)}'`);
      lastTop = top;
    });
  }
  return bad;
}"""


def test_claim_ids_and_evidence_keys_wrap_only_at_separators(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        pg = context.new_page()
        pg.goto(base_url + "/reference/claims/", wait_until="load")
        assert pg.locator(".refcheck-ledger-page code.refcheck-token").count() >= 100
        assert pg.evaluate(MID_WORD_BREAKS) == []
    finally:
        context.close()
