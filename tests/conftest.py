"""Fixtures shared by refcheck's own tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from refcheck.torchenv import POOL_ENV

from support import HOOK, ROOT, run_cli

# One thread per math library (torch's OpenMP, MKL, numpy/scipy's OpenBLAS), in the test process and the
# processes it starts, as the claims run by default (runner.verify, threads=1). The suite runs two workers
# on two cores beside other processes: with a thread per core, every parallel kernel waits at a barrier
# for a descheduled thread and the waiting threads spin (a batch-norm parity case took 1.3 s for 0.05 s
# of work; the transfer-probe claim 13.5 s of CPU instead of 5.9, in sklearn's OpenBLAS). Set before
# torch or numpy load (they read it once); results are compared with tolerances no thread count moves.
for _var in POOL_ENV:
    os.environ.setdefault(_var, "1")


@pytest.fixture(scope="session", autouse=True)
def one_thread_per_pool():
    """torch (imported before this conftest, e.g. by a plugin) follows OMP_NUM_THREADS too."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    yield


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
    """``refcheck verify --device cpu --quiet --jobs 2`` on the demo claims (one passes, one fails, one skips), run
    once per session for the tests that read it (test_cli, test_status): its process and its reports dir."""
    reports = tmp_path_factory.mktemp("demo-reports")
    env = {"REFCHECK_CLAIM_MODULES": "fixtures.demo_claims", "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}", "REFCHECK_REPORTS": str(reports)}
    return run_cli("verify", "--device", "cpu", "--quiet", "--jobs", "2", env=env), reports
