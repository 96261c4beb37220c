"""Fixtures shared by refcheck's own tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from support import HOOK, ROOT, run_cli


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """Torch in the test process computes on one thread, as the claims do by default (runner.verify).

    Tests run two to a 2-core machine (xdist) beside other processes; torch's default of one OpenMP thread
    per core then makes every parallel kernel wait at a barrier for a descheduled thread: a parity case
    with batch norm took ~1.3 s of wall time for 0.05 s of work. Results are compared with tolerances
    that do not depend on the thread count. Subprocesses keep torch's default.
    """
    torch = sys.modules.get("torch")  # imported at collection by the modules that use it
    if torch is None:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


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


@pytest.fixture(scope="session")
def demo_verify(tmp_path_factory):
    """``refcheck verify --device cpu --quiet`` on the demo claims (one passes, one fails, one skips), run
    once per session for the tests that read it (test_cli, test_status): its process and its reports dir."""
    reports = tmp_path_factory.mktemp("demo-reports")
    env = {"REFCHECK_CLAIM_MODULES": "fixtures.demo_claims", "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}", "REFCHECK_REPORTS": str(reports)}
    return run_cli("verify", "--device", "cpu", "--quiet", env=env), reports
