"""The loss core is torch-free and self-contained: its modules import nothing outside refcheck/losses/.

The adapters (probe and api on real tensors, the CLI, the site directives, the claims) may reach out;
the core that both engines share may not.
"""

from __future__ import annotations

import ast
import subprocess
import sys

from support import ROOT

CORE = ("model", "names", "spec", "messages", "contracts", "diagnose", "describe", "payload")


def imports_of(path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_core_modules_import_only_the_core_and_the_standard_library():
    for name in CORE:
        mods = imports_of(ROOT / "refcheck" / "losses" / f"{name}.py")
        outside = sorted(m for m in mods if m.startswith("refcheck") and not m.startswith("refcheck.losses")) + sorted(
            m for m in mods if m.split(".")[0] not in sys.stdlib_module_names and not m.startswith("refcheck"))
        assert outside == [], f"refcheck/losses/{name}.py imports {outside}"


def test_core_runs_with_torch_blocked():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ImportError('torch is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from refcheck.losses.contracts import resolve\n"
        "from refcheck.losses.diagnose import diagnose\n"
        "from refcheck.losses.payload import dumps\n"
        "d = diagnose(resolve('nll'), {'input': 'torch.Size([8, 10]) torch.float32', 'target': '8 long'}, made='probabilities')\n"
        "assert d.outcome == 'ok' and d.problems[0].stage == 'silent', d\n"
        "assert len(dumps()) > 10000\n"
        "print('torch' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_cheatsheet_says_what_to_pass_before_what_torch_tolerates():
    from refcheck.losses.contracts import CONTRACTS
    from refcheck.losses.describe import cheatsheet_row

    ctc = cheatsheet_row(CONTRACTS["CTCLoss"])["target dtype"]
    assert ctc.startswith("int64 / int32; tolerated, not intended: float*") and "truncated silently" in ctc
    assert cheatsheet_row(CONTRACTS["CrossEntropyLoss"])["target dtype"].startswith("int64; tolerated, not intended: uint8")
    for c in CONTRACTS.values():  # an intended list never contains a tolerated dtype
        for cell in cheatsheet_row(c)["target dtype"].split(" ; "):
            intended, _, tolerated = cell.partition("; tolerated, not intended: ")
            assert not set(intended.split(" / ")) & set(tolerated.split(" (")[0].split(", ")), (c.name, cell)
