"""``mkdocs build --strict`` runs with torch, timm and keras impossible to import: the site renders from reports.

The build runs in a subprocess whose ``sitecustomize`` puts a meta-path finder first that refuses those
packages and logs every attempt; the report fixture holds the error index (real torch messages) and marks
every other claim skipped, so each page renders from a report of record.
"""

from __future__ import annotations

import os
import subprocess
import sys

from test_loss_errors import fixture_result, write_report

from refcheck.registry import load_all

from support import ROOT

BLOCKER = '''
import os, sys

class _NoTorch:
    """Refuse torch, timm, keras (and torchvision) and log who asked."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "torchvision", "timm", "keras"):
            with open(os.environ["REFCHECK_BLOCK_LOG"], "a") as log:
                log.write(name + "\\n")
            raise ImportError(f"{name} is blocked: the site build must not import it")
        return None

sys.meta_path.insert(0, _NoTorch())
'''


def test_strict_build_imports_no_torch(tmp_path):
    (tmp_path / "block").mkdir()
    (tmp_path / "block" / "sitecustomize.py").write_text(BLOCKER)
    result = fixture_result()
    skipped = [{"id": c.id, "page": c.page, "says": c.says, "status": "skipped", "seconds": 0.0, "reason": "not run in this test"}
               for c in load_all().values() if c.id != result["id"]]
    write_report(tmp_path / "reports", [result, *skipped])
    log = tmp_path / "blocked.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "block"), str(ROOT)]), "REFCHECK_REPORTS": str(tmp_path / "reports"),
           "REFCHECK_BLOCK_LOG": str(log), "NO_MKDOCS_2_WARNING": "1"}
    probe = subprocess.run([sys.executable, "-c", "import torch"], env=env, capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and "is blocked" in probe.stderr  # the blocker is in force in a child Python
    log.unlink()
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not log.exists(), f"the build tried to import: {sorted(set(log.read_text().split()))}"
    page = (site / "losses" / "errors" / "index.html").read_text()
    first = result["evidence"]["messages"][0]["message"].split(": ", 1)[1]
    assert first.replace("'", "&#39;").replace('"', "&quot;") in page or first in page
    assert 'id="refcheck-loss-errors"' in (site / "losses" / "lookup" / "index.html").read_text()
