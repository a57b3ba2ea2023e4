#!/usr/bin/env bash
# One prepared check for a GPU machine (fresh and bare: this repository, Python,
# pip, the CUDA toolkit; possibly no network), in one 600-second command:
#   1. what the machine has, and why a device is unusable if it is (a probe
#      compiled with nvcc prints cudaGetDeviceCount's error, e.g. a driver older
#      than the toolkit needs);
#   2. build with the CUDA backend (python -m pip, no build isolation, offline);
#   3. tests/test_cuda.py and tests/test_without_cuda.py on the device;
#   4. bench/gpu_bench.py: device-emulation and device-exact differences as
#      fractions of the bound (d in {2, 128, 1024}, starts near 0, 2^40, 2^53),
#      max_context over >= 10^4 bases against the CPU, min_base(backend="cuda")
#      against the CPU, decay_curve timings.
# Every phase has its own timeout (30 + 200 + 120 + 45 + 60 + 45 + 45 = 545 s at
# most, so the whole fits one 600-second command); all phases run, and the script
# exits non-zero if any of them failed.   Usage: bash bench/gpu_check.sh [--quick]
set -uo pipefail
cd "$(dirname "$0")/.."
QUICK="${1:-}"
OUT="${OUT:-$(mktemp -d)}"
rows="$OUT/gpu_bench.jsonl"
: >"$rows"
failed=()

echo "== what this machine has"
command -v python >/dev/null || { echo "python: MISSING"; exit 1; }
python --version
if ! command -v nvcc >/dev/null; then
  for d in "${CUDA_HOME:-}" /usr/local/cuda /opt/cuda; do
    [ -n "$d" ] && [ -x "$d/bin/nvcc" ] && export PATH="$d/bin:$PATH" && break
  done
fi
command -v nvcc >/dev/null || { echo "FAIL: no nvcc (CUDA toolkit): cannot build the backend"; exit 1; }
nvcc --version | tail -1
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader \
  || echo "nvidia-smi: not found"
missing=()
for mod in scikit_build_core pybind11 numpy pytest hypothesis flint mpmath; do
  python -c "import $mod" 2>/dev/null || missing+=("$mod")
done
[ ${#missing[@]} -eq 0 ] || echo "missing python packages (the build/tests may fail): ${missing[*]}"

echo "== device probe (cudaGetDeviceCount with the toolkit's runtime)"
cat >"$OUT/probe.cu" <<'CU'
#include <cstdio>
#include <cuda_runtime.h>
int main() {
  int n = 0, driver = 0, runtime = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  std::printf("driver supports CUDA %d.%d, runtime %d.%d\n", driver / 1000, driver % 1000 / 10,
              runtime / 1000, runtime % 1000 / 10);
  if (e != cudaSuccess) {
    std::printf("no usable device: %s (%s)\n", cudaGetErrorString(e), cudaGetErrorName(e));
    return 1;
  }
  std::printf("%d device(s)\n", n);
  return n > 0 ? 0 : 1;
}
CU
if ! timeout 30 nvcc -o "$OUT/probe" "$OUT/probe.cu" >"$OUT/probe.log" 2>&1; then
  cat "$OUT/probe.log"; echo "FAIL: nvcc cannot compile a trivial program"; exit 1
fi
"$OUT/probe" || { echo "FAIL: the device is unusable (reason above)"; exit 1; }

echo "== build with CUDA (python -m pip install . -Ccmake.define.ROPEBOUND_CUDA=ON)"
t0=$(date +%s)
if ! timeout 200 python -m pip install --no-build-isolation --no-deps --no-index -q . \
    -Ccmake.define.ROPEBOUND_CUDA=ON -Cbuild-dir=build/gpu-check >"$OUT/build.log" 2>&1; then
  tail -40 "$OUT/build.log"; echo "FAIL: build failed (or took over 200 s)"; exit 1
fi
echo "built in $(( $(date +%s) - t0 )) s"
python -c "import ropebound._core_cuda as c; print('devices:', c.device_count()); print(c.device_description())" \
  || { echo "FAIL: the CUDA module does not load or sees no device"; exit 1; }

echo "== GPU tests (tests/test_cuda.py, tests/test_without_cuda.py)"
# -p no:cacheprovider: the repository copy may be read-only. Device tests must run:
# the conftest fails the session on any skip but "needs a GPU"/"needs no GPU".
timeout 120 python -m pytest -q -rs -p no:cacheprovider tests/test_cuda.py tests/test_without_cuda.py \
  || failed+=("pytest (status $?)")

echo "== checks and timings (CUDA vs CPU)"
run_case() {  # case, timeout
  if ! timeout "$2" python bench/gpu_bench.py "$1" $QUICK >>"$rows" 2>"$OUT/$1.err"; then
    echo "case $1: FAILED or over $2 s:"; tail -5 "$OUT/$1.err"
    failed+=("gpu_bench $1")
  fi
}
run_case accuracy 45
run_case max_context 60
run_case min_base 45
run_case curve 45

python - "$rows" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
dev = [l for l in open(sys.argv[1]) if l.startswith("# device")]
print(dev[0].strip() if dev else "")
print(f"{'case':58s} {'backend':8s} {'seconds':>9s}  check")
for r in rows:
    s = "-" if r["seconds"] is None else f"{r['seconds']:.3f}"
    print(f"{r['case'][:58]:58s} {r['backend']:8s} {s:>9s}  {r['check']}")
PY
echo "(rows also in $rows)"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "all GPU checks passed"
