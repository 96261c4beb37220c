"""The snippet harness: state restored between blocks, output compared, bad --device rejected.

The pages of the default-device tests run in one pytest process (one torch import, and the blocks of
one page then run after those of others, which also shows no state leaks between pages); each test
reads the verdicts of its own page.
"""

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from support import QUIET_PLUGINS, ROOT


def run_pytest(tmp_path, page: str, *args: str, targets: tuple[str, ...] = ("page.md",)) -> subprocess.CompletedProcess:
    if page:
        (tmp_path / "page.md").write_text(page)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "pytest", "-p", "refcheck.pytest_plugin", *QUIET_PLUGINS, "--codeblocks", *targets, *args]
    return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)


STATE_LEAK = """
```python
import os
import torch
torch.set_default_dtype(torch.float64)
torch.set_grad_enabled(False)
os.environ["REFCHECK_LEAK"] = "1"
os.chdir("/")
```

```python
import os
import torch
print(torch.get_default_dtype(), torch.is_grad_enabled(), "REFCHECK_LEAK" in os.environ, os.environ["HF_HUB_OFFLINE"])
print(torch.rand(1).item() == torch.rand(1, generator=torch.Generator().manual_seed(0)).item())
```

<!--pytest-codeblocks:expected-output-->
```text
torch.float32 True False 1
True
```
"""


PAGES = {
    "state.md": STATE_LEAK,
    "seeded.md": "```python\nimport torch\nprint(f'{torch.rand(1).item():.6f}')\n```\n\n" * 2
    + "```python\nimport torch\nassert abs(torch.rand(1).item() - 0.496257) < 1e-6\n```\n",
    "wrong_output.md": "# t\n\n```python\nprint(2 + 2)\n```\n\n<!--pytest-codeblocks:expected-output-->\n```text\n5\n```\n",
    "raises.md": "```python\nraise ValueError('broken snippet')\n```\n",
    "network.md": "```python\nimport urllib.request\nurllib.request.urlopen('http://93.184.215.14/', timeout=5)\n```\n",
    "loopback.md": (
        "```python\nimport socket\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen(1)\n"
        "c = socket.create_connection(s.getsockname())\nprint('connected')\nc.close()\ns.close()\n```\n\n"
        "<!--pytest-codeblocks:expected-output-->\n```text\nconnected\n```\n"
    ),
}


class Run:
    """One pytest run over every page of PAGES: each block's verdict and failure text (from its JUnit XML)."""

    def __init__(self, proc: subprocess.CompletedProcess, junit: Path):
        self.proc = proc
        self.verdicts: dict[str, list[str]] = {}
        self.failures: dict[str, str] = {}
        for case in ElementTree.parse(junit).getroot().iter("testcase"):
            page, line = case.get("classname", ""), case.get("name", "").removeprefix("line ")
            failure = case.find("failure")
            verdict = "FAILED" if failure is not None else "SKIPPED" if case.find("skipped") is not None else "PASSED"
            self.verdicts.setdefault(page, []).append(f"line {line} {verdict}")
            if failure is not None:
                self.failures[page] = (failure.get("message") or "") + (failure.text or "")

    def of(self, page: str) -> list[str]:
        assert page in self.verdicts, self.proc.stdout + self.proc.stderr
        return self.verdicts[page]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    directory = tmp_path_factory.mktemp("pages")
    for name, text in PAGES.items():
        (directory / name).write_text(text)
    junit = directory / "junit.xml"
    return Run(run_pytest(directory, "", "-q", f"--junitxml={junit}", targets=tuple(PAGES)), junit)


def test_global_state_is_restored_between_snippets_and_hub_is_offline(run):
    assert run.of("state.md") == ["line 2 PASSED", "line 11 PASSED"]


def test_snippets_are_seeded_identically(run):
    assert all(v.endswith("PASSED") for v in run.of("seeded.md")) and len(run.of("seeded.md")) == 3


def test_wrong_expected_output_fails_naming_line(run):
    assert run.of("wrong_output.md") == ["line 3 FAILED"]
    assert "Expected output" in run.failures["wrong_output.md"] and "but got" in run.failures["wrong_output.md"]
    assert run.proc.returncode == 1


def test_snippet_that_raises_fails(run):
    assert run.of("raises.md") == ["line 1 FAILED"] and "broken snippet" in run.failures["raises.md"]


def test_unknown_device_is_a_usage_error(tmp_path):
    proc = run_pytest(tmp_path, "```python\nprint(1)\n```\n", "--device", "tpu")
    assert proc.returncode == 4 and "valid devices: cpu, cuda, auto" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cuda_without_cuda_skips_every_snippet_saying_why(tmp_path):
    """The claim runner's rule (refcheck.torchenv): a missing CUDA is reported skipped, never passed."""
    import torch

    if torch.cuda.is_available():  # on a GPU machine the run is legitimate
        proc = run_pytest(tmp_path, "```python\nimport torch\nprint(torch.empty(1).device.type)\n```\n", "--device", "cuda")
        assert proc.returncode == 0 and "1 passed" in proc.stdout
        return
    proc = run_pytest(tmp_path, "```python\nprint(1)\n```\n\n```python\nprint(2)\n```\n", "--device", "cuda", "-rs")
    assert proc.returncode == 0 and "2 skipped" in proc.stdout and "passed" not in proc.stdout.splitlines()[-1]
    assert "CUDA was requested but torch.cuda.is_available() is False" in proc.stdout


def test_snippet_reaching_the_network_fails_saying_so(run):
    assert run.of("network.md") == ["line 1 FAILED"] and "network access is blocked" in run.failures["network.md"]


def test_loopback_stays_allowed(run):
    assert run.of("loopback.md") == ["line 1 PASSED"]
