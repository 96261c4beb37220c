import pytest

from refcheck.registry import REGISTRY, RegistryError, claim, load_all


def test_rejects_malformed_ids():
    for bad in ("nodot", "Upper.case", "a..b", "a.b c", ".a"):
        with pytest.raises(RegistryError, match="claim id"):
            claim(bad, page="x.md", says="s")


def test_rejects_page_without_md():
    with pytest.raises(RegistryError, match="page"):
        claim("a.b", page="x.html", says="s")


def test_duplicate_id_from_other_function_is_an_error():
    @claim("tests.dup-id", page="x.md", says="one")
    def first(ctx):
        ctx.expect(True, "x")

    try:
        with pytest.raises(RegistryError, match="registered twice"):

            @claim("tests.dup-id", page="x.md", says="two")
            def second(ctx):
                ctx.expect(True, "x")
    finally:
        REGISTRY.pop("tests.dup-id")


def test_load_all_finds_the_site_claims_with_pages_and_statements():
    claims = load_all()
    assert "timm.resnest26d.features-only" in claims
    for c in claims.values():
        assert c.page.endswith(".md") and c.says and c.says == " ".join(c.says.split())


def test_claim_modules_override(monkeypatch):
    monkeypatch.setenv("REFCHECK_CLAIM_MODULES", "fixtures.demo_claims")
    assert sorted(load_all()) == ["demo.fails", "demo.passes", "demo.skips"]
