#!/usr/bin/env bash
# One prepared check for a GPU machine (fresh and bare: this repository, Python,
# pip, presumably the CUDA toolkit; possibly no network). Builds ropebound with
# the CUDA backend, runs the GPU tests, and times CUDA against CPU:
#   decay_curve(2**30, 5e5, 128), max_context for 10**5 bases, min_base(2**24, 128).
# Fits one 10-minute run: every phase has its own `timeout`; a phase that runs
# out is reported, and the rest still run.   Usage: bash bench/gpu_check.sh [--quick]
set -uo pipefail
cd "$(dirname "$0")/.."
QUICK="${1:-}"
OUT="${OUT:-$(mktemp -d)}"
rows="$OUT/gpu_bench.jsonl"
: >"$rows"

echo "== what this machine has"
missing=()
command -v python >/dev/null || { echo "python: MISSING"; exit 1; }
python --version
if ! command -v nvcc >/dev/null; then
  for d in "${CUDA_HOME:-}" /usr/local/cuda /opt/cuda; do
    [ -n "$d" ] && [ -x "$d/bin/nvcc" ] && export PATH="$d/bin:$PATH" && break
  done
fi
command -v nvcc >/dev/null && nvcc --version | tail -1 || missing+=("nvcc (CUDA toolkit)")
command -v nvidia-smi >/dev/null && nvidia-smi -L || echo "nvidia-smi: not found (the tests will say whether a device is usable)"
for mod in scikit_build_core pybind11 numpy cmake ninja pytest hypothesis; do
  python -c "import $mod" 2>/dev/null || missing+=("python package $mod")
done
if [ ${#missing[@]} -gt 0 ]; then
  printf 'MISSING: %s\n' "${missing[@]}"
  echo "(a build without network needs scikit-build-core, pybind11, numpy, cmake, ninja installed)"
fi
command -v nvcc >/dev/null || { echo "cannot build the CUDA backend without nvcc: stopping"; exit 1; }

echo "== build with CUDA (pip install . -Ccmake.define.ROPEBOUND_CUDA=ON)"
t0=$(date +%s)
# No build isolation: the machine may have no network; the packages above are used.
if ! timeout 240 pip install --no-build-isolation --no-deps -q . \
    -Ccmake.define.ROPEBOUND_CUDA=ON -Cbuild-dir=build/gpu-check >"$OUT/build.log" 2>&1; then
  tail -40 "$OUT/build.log"; echo "BUILD FAILED (or took over 240 s)"; exit 1
fi
echo "built in $(( $(date +%s) - t0 )) s"
python -c "import ropebound._core_cuda as c; print('devices:', c.device_count()); print(c.device_description())" \
  || { echo "CUDA module or device not usable: stopping"; exit 1; }

echo "== GPU tests (tests/test_cuda.py, tests/test_without_cuda.py)"
# -p no:cacheprovider: the repository copy may be read-only.
timeout 150 python -m pytest -q -rs -p no:cacheprovider tests/test_cuda.py tests/test_without_cuda.py
echo "pytest exit status: $?"

echo "== timings (CUDA vs CPU)"
run_case() {  # case, timeout
  timeout "$2" python bench/gpu_bench.py "$1" $QUICK >>"$rows" 2>"$OUT/$1.err" \
    || { echo "case $1: failed or over $2 s:"; tail -5 "$OUT/$1.err"; \
         echo "{\"case\": \"$1\", \"backend\": \"-\", \"seconds\": null, \"check\": \"failed/timeout ($2 s)\"}" >>"$rows"; }
}
run_case curve 120
run_case max_context 120
run_case min_base 90

python - "$rows" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
dev = [l for l in open(sys.argv[1]) if l.startswith("# device")]
print(dev[0].strip() if dev else "")
print(f"{'case':58s} {'backend':7s} {'seconds':>9s}  check")
for r in rows:
    s = "-" if r["seconds"] is None else f"{r['seconds']:.3f}"
    print(f"{r['case'][:58]:58s} {r['backend']:7s} {s:>9s}  {r['check']}")
PY
echo "(rows also in $rows)"
