"""Fixtures shared by refcheck's own tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import HOOK


@pytest.fixture
def mini_site(tmp_path: Path):
    """A two-page MkDocs project wired to refcheck's hook, using the demo claims only."""

    def make(index: str, other: str = "# Other\n\n<!-- claim: demo.skips -->\n") -> Path:
        docs = tmp_path / "docs"
        docs.mkdir(exist_ok=True)
        (docs / "index.md").write_text(index)
        (docs / "other.md").write_text(other)
        (tmp_path / "mkdocs.yml").write_text(
            "site_name: mini\ntheme:\n  name: material\n  font: false\n"
            f"hooks:\n  - {HOOK}\nmarkdown_extensions:\n  - refcheck.site.extension\nnav:\n  - index.md\n  - other.md\n"
        )
        return tmp_path

    return make
