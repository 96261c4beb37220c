"""Project tasks. `nox -s verify` checks everything; `nox -s serve` builds and serves the site.

All sessions share one environment, `.nox/env`, built from requirements/verified.txt and reused
while that file and pyproject.toml are unchanged (so torch is installed once, not per session).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import nox

nox.options.sessions = ["verify"]
nox.options.default_venv_backend = "none"

ROOT = Path(__file__).parent
ENV = ROOT / ".nox" / "env"
PY = str(ENV / "bin" / "python")
PINS = ROOT / "requirements" / "verified.txt"
SITE = ROOT / "site"
ENVIRON = {"NO_MKDOCS_2_WARNING": "1", "HF_HUB_OFFLINE": "1", "KERAS_BACKEND": "torch", "PYTHONHASHSEED": "0"}
# The second CPU code path every `nox -s verify` checks the claims on: baseline kernels and MKL's
# vendor-neutral path, what another machine's CPU may give. Read by torch/MKL at import: its own process.
OTHER_PATH = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"}  # both kernel settings: the caller's are replaced


def _stamp(pins: Path = PINS) -> str:
    digest = hashlib.sha256()
    for path in (pins, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def env(session: nox.Session, location: Path = ENV, pins: Path = PINS) -> str:
    """Create or reuse a venv with ``pins`` installed and refcheck installed editable."""
    py = str(location / "bin" / "python")
    stamp_file = location / ".refcheck-stamp"
    stamp = _stamp(pins)
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        session.log(f"reusing {location} ({pins.name} unchanged)")
        return py
    if not (location / "bin" / "python").exists():
        session.run(sys.executable, "-m", "venv", str(location), external=True)
    session.run(py, "-m", "pip", "install", "--quiet", "--upgrade", "pip", external=True)
    session.run(py, "-m", "pip", "install", "--quiet", "-r", str(pins), external=True)
    session.run(py, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT), external=True)
    stamp_file.write_text(stamp)
    return py


def run(session: nox.Session, *args: str, **kwargs) -> None:
    session.run(*args, external=True, env={**ENVIRON, **kwargs.pop("env", {})}, **kwargs)


def build_site(session: nox.Session, py: str) -> None:
    run(session, py, "-m", "mkdocs", "build", "--strict", "--site-dir", str(SITE))


def run_ruff(session: nox.Session, py: str) -> None:
    run(session, py, "-m", "ruff", "check", "refcheck", "tests", "bench", "noxfile.py")


def run_claims(session: nox.Session, py: str, *args: str, **kwargs) -> None:
    run(session, py, "-m", "refcheck.cli", "verify", "--device", "cpu", *args, **kwargs)


def claims_for_the_site(session: nox.Session, py: str) -> None:
    """Verify the claims for the badges; a failed claim is printed and shown red, but never stops the site."""
    run_claims(session, py, "--quiet", success_codes=[0, 1])


class Beside:
    """A command run in the background while the session goes on, its output to .refcheck/verify-NAME.log."""

    def __init__(self, name: str, label: str, cmd: list[str], env: dict[str, str] | None = None) -> None:
        self.label, self.log = label, ROOT / ".refcheck" / f"verify-{name}.log"
        self.log.parent.mkdir(exist_ok=True)
        full = {**os.environ, **ENVIRON, **(env or {})}
        self.proc = subprocess.Popen(cmd, env=full, stdout=self.log.open("w"), stderr=subprocess.STDOUT, cwd=ROOT)

    def finish(self, session: nox.Session) -> bool:
        """Wait, print its output under its label; whether it succeeded."""
        code = self.proc.wait()
        session.log(f"{self.label} (exit {code}):\n{self.log.read_text().strip()}")
        return code == 0


def start_other_path_claims(py: str) -> Beside:
    """The claims on the second CPU code path, in their own process (kernel settings are read at import)."""
    label = "claims on the second CPU code path (" + " ".join(f"{k}={v}" for k, v in OTHER_PATH.items()) + ")"
    cmd = [py, "-m", "refcheck.cli", "verify", "--device", "cpu", "--quiet", "--jobs", "1"]
    return Beside("other-path", label, cmd, env=OTHER_PATH)


def finish_beside(session: nox.Session, *started: Beside) -> None:
    """Wait for every background command (all of them, even after a failure); fail the session naming each that failed."""
    failed = [b.label for b in started if not b.finish(session)]
    if failed:
        session.error(f"failed: {'; '.join(failed)} (output above)")


def run_js_tests(session: nox.Session) -> None:
    if any((ROOT / "tests" / "js").glob("*.test.*js")):
        run(session, "node", "--test", "tests/js/")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over the package, tests, scripts and this file."""
    run_ruff(session, env(session))


@nox.session
def claims(session: nox.Session) -> None:
    """refcheck verify on CPU: every claim, one JSON report in .refcheck/."""
    run_claims(session, env(session), *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Verify the claims, then build the site strictly into site/ (a failed claim is shown red, not fatal)."""
    py = env(session)
    claims_for_the_site(session, py)
    build_site(session, py)


@nox.session
def zensical(session: nox.Session) -> None:
    """Verify the claims, then build the site with Zensical (Material's successor) from the same mkdocs.yml
    into site/: claims, values, directives and math come from refcheck's Markdown extensions, which Zensical
    runs; the footer's version line and the check for claims no page shows come from the MkDocs hook, which
    it ignores (see docs/reference/verification.md)."""
    py = env(session)
    claims_for_the_site(session, py)
    run(session, str(Path(py).parent / "zensical"), "build", "--clean", "--strict")


@nox.session
def snippets(session: nox.Session) -> None:
    """Run every code block of docs/ and compare shown output (pytest-codeblocks)."""
    py = env(session)
    run(session, py, "-m", "pytest", "--codeblocks", "docs", "-q", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """refcheck's own tests (browser tests included; they build the site unless REFCHECK_SITE_DIR is set)."""
    py = env(session)
    run(session, py, "-m", "pytest", "tests", *session.posargs)
    run_js_tests(session)


@nox.session
def verify(session: nox.Session) -> None:
    """Everything: lint, claims on two CPU code paths, strict site build, JS engine tests, then one pytest run of
    the doc snippets (shuffled among themselves) and refcheck's tests (browser included) on 2 workers.

    Two cores kept busy: the claims of the two code paths run side by side; when the native claims are done,
    the site build (which reads their report) and the JS tests take that core while the second path ends.
    """
    py = env(session)
    run_ruff(session, py)
    # The two code paths run side by side, one claim at a time each (--jobs 1): two cores busy while both pay
    # their imports, where two runs with --jobs 2 one after the other would pay the imports one after the other.
    other = start_other_path_claims(py)
    run_claims(session, py, "--quiet", "--jobs", "1")
    site = Beside("site", "strict site build", [py, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(SITE)])
    js = Beside("js", "JS engine tests", ["node", "--test", "tests/js/"])
    finish_beside(session, other, site, js)
    # Snippets in a shuffled order: each must stand alone (the seed is printed in the header). One pytest
    # run for snippets and tests: the two workers start (and import torch) once, and neither idles at a seam.
    seed = str(random.randrange(10_000))
    session.log(f"snippets run in an order shuffled with --shuffle-seed {seed}")
    run(
        session, py, "-m", "pytest", "--codeblocks", "docs", "tests", "-q", "-n", "2", "--dist", "worksteal", "--shuffle-seed", seed,
        "--durations=10", env={"REFCHECK_SITE_DIR": str(SITE)},
    )  # fmt: skip


@nox.session
def serve(session: nox.Session) -> None:
    """Verify the claims (so badges are current), then serve the site on http://127.0.0.1:8000.

    A failed claim never stops serving: it is printed here and shown red, with its evidence, on its page.
    """
    py = env(session)
    claims_for_the_site(session, py)
    address = session.posargs[0] if session.posargs else "127.0.0.1:8000"
    session.log(f"serving the site on http://{address}/ (Ctrl+C stops)")
    run(session, py, "-m", "mkdocs", "serve", "--dev-addr", address, "--no-livereload")


@nox.session
def stress(session: nox.Session) -> None:
    """Every claim across CPU kernel paths, MKL paths, threads, seeds and determinism (reports/stress-cpu-*.json)."""
    py = env(session)
    run(session, py, "-m", "refcheck.cli", "stress", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Speed numbers (medians of 3): imports, verify, snippets, site build, loss CLI, playground."""
    py = env(session)
    run(session, py, "bench/run.py", *session.posargs)


MATRIX = {"torch2.9": ROOT / "requirements" / "matrix-torch2.9.txt"}


@nox.session(name="verify-matrix")
def verify_matrix(session: nox.Session) -> None:
    """Verify the claims on older supported versions; reports go to reports/ (committed, shown on the site)."""
    for name, pins in MATRIX.items():
        py = env(session, ROOT / ".nox" / f"env-{name}", pins)
        run_claims(session, py, "--quiet", env={"REFCHECK_REPORTS": str(ROOT / "reports")}, success_codes=[0, 1])
    session.log("reports/ now holds the matrix reports; rebuild the site (nox -s docs) to see them per claim")


@nox.session(name="gpu")
def gpu(session: nox.Session) -> None:
    """The whole verification on CUDA with this machine's own torch/timm (see scripts/gpu-verify.sh)."""
    run(session, "bash", "scripts/gpu-verify.sh")


@nox.session
def clean(session: nox.Session) -> None:
    """Remove the built site and reports (keeps the environment)."""
    for path in (SITE, ROOT / ".refcheck"):
        shutil.rmtree(path, ignore_errors=True)
    session.log("removed site/ and .refcheck/")

