"""The snippet harness: state restored between blocks, output compared, bad --device rejected."""

import os
import subprocess
import sys

from support import ROOT


def run_pytest(tmp_path, page: str, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "page.md").write_text(page)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "pytest", "-p", "refcheck.pytest_plugin", "-p", "no:cacheprovider", "--codeblocks", "page.md", "-q", *args]
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


def test_global_state_is_restored_between_snippets_and_hub_is_offline(tmp_path):
    proc = run_pytest(tmp_path, STATE_LEAK)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout


def test_snippets_are_seeded_identically(tmp_path):
    page = "```python\nimport torch\nprint(f'{torch.rand(1).item():.6f}')\n```\n\n" * 2
    proc = run_pytest(tmp_path, page + "```python\nimport torch\nassert abs(torch.rand(1).item() - 0.496257) < 1e-6\n```\n")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_wrong_expected_output_fails_naming_line(tmp_path):
    page = "# t\n\n```python\nprint(2 + 2)\n```\n\n<!--pytest-codeblocks:expected-output-->\n```text\n5\n```\n"
    proc = run_pytest(tmp_path, page)
    assert proc.returncode == 1
    assert "line 3" in proc.stdout and "Expected output" in proc.stdout and "but got" in proc.stdout


def test_snippet_that_raises_fails(tmp_path):
    proc = run_pytest(tmp_path, "```python\nraise ValueError('broken snippet')\n```\n")
    assert proc.returncode == 1 and "broken snippet" in proc.stdout


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


def test_snippet_reaching_the_network_fails_saying_so(tmp_path):
    page = "```python\nimport urllib.request\nurllib.request.urlopen('http://93.184.215.14/', timeout=5)\n```\n"
    proc = run_pytest(tmp_path, page)
    assert proc.returncode == 1 and "network access is blocked" in proc.stdout


def test_loopback_stays_allowed(tmp_path):
    page = (
        "```python\nimport socket\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen(1)\n"
        "c = socket.create_connection(s.getsockname())\nprint('connected')\nc.close()\ns.close()\n```\n\n"
        "<!--pytest-codeblocks:expected-output-->\n```text\nconnected\n```\n"
    )
    proc = run_pytest(tmp_path, page)
    assert proc.returncode == 0, proc.stdout
