#!/usr/bin/env bash
# The whole verification on a CUDA machine, with that machine's own torch/timm, in one command.
# Writes everything under ${OUT:-gpu-out}/: the claims report, the snippet and test logs, a summary.
# Usage (repository root): bash scripts/gpu-verify.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-gpu-out}"
mkdir -p "$OUT"
export HF_HUB_OFFLINE=1 KERAS_BACKEND=torch NO_MKDOCS_2_WARNING=1 REFCHECK_REPORTS="$OUT"
PY="${PYTHON:-python3}"

# Only what the machine lacks; torch/timm stay the machine's own.
$PY -m pip install --quiet --no-deps -e . 2>&1 | tail -1
for mod in rich pytest_codeblocks hypothesis matplotlib sklearn keras mkdocs material; do
  $PY -c "import $mod" 2>/dev/null || echo "missing: $mod (carry its wheel or pip install it)" | tee -a "$OUT/missing.txt"
done
if ! $PY -c "import torch, sys; ok = torch.cuda.is_available(); print('cuda', torch.version.cuda, torch.cuda.get_device_name(0)) if ok else print('gpu-verify: torch.cuda.is_available() is False here; run this on a CUDA machine', file=sys.stderr); sys.exit(0 if ok else 2)" > "$OUT/device.txt"; then
  exit 2
fi
cat "$OUT/device.txt"

status=0
timeout 240 $PY -m refcheck.cli verify --device cuda --quiet 2>&1 | tee "$OUT/verify-cuda.log"; status=$((status | PIPESTATUS[0]))
timeout 120 $PY -m refcheck.cli verify --device cpu --quiet 2>&1 | tee "$OUT/verify-cpu.log"; status=$((status | PIPESTATUS[0]))
timeout 240 $PY -m pytest --codeblocks docs --device cuda -q -p no:cacheprovider 2>&1 | tail -40 > "$OUT/snippets-cuda.log"; status=$((status | PIPESTATUS[0]))
timeout 120 $PY -m pytest tests -q -p no:cacheprovider -m "not browser" --ignore=tests/browser 2>&1 | tail -40 > "$OUT/tests.log"
tail -3 "$OUT"/*.log
exit $status
