#!/usr/bin/env bash
# Portability check of the default build (issue 11): builds the default wheel,
# installs it into a fresh venv, and runs bench/portable_smoke.py natively and
# under `qemu-x86_64 -cpu Nehalem` (x86-64-v2, no AVX) and `-cpu Haswell` (AVX2,
# no AVX-512), comparing with the native answers (certified min_base identical,
# decay values within their bounds) and checking the variant each CPU gets.
# Then `auditwheel repair` makes a manylinux wheel with the OpenMP runtime
# vendored, which a second fresh venv installs and smoke-tests.
# Exits non-zero on any failure. Needs qemu-user (qemu-x86_64), auditwheel and
# patchelf; the venvs see the system site-packages for numpy (no network).
#
#   bench/portable_check.sh   # 1 minute on 2 cores when build/portable-check is warm,
#                             # 3.5 minutes from scratch (a full build of the wheel)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
PY="${PYTHON:-python}"
command -v qemu-x86_64 >/dev/null || { echo "portable_check: qemu-x86_64 not found" >&2; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "portable_check: x86-64 hosts only" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
smoke="$repo/bench/portable_smoke.py"

echo "== build the default wheel (ROPEBOUND_NATIVE=OFF, the default)"
# Its own build directory (incremental between runs), with the default spelled
# out so that a cached -DROPEBOUND_NATIVE=ON cannot leak in.
"$PY" -m pip wheel -q --no-build-isolation --no-deps -w "$work/dist" . \
  -Cbuild-dir=build/portable-check -Ccmake.define.ROPEBOUND_NATIVE=OFF
wheel="$(ls "$work"/dist/ropebound-*.whl)"
echo "built $(basename "$wheel")"

install_into() {  # venv dir, wheel
  "$PY" -m venv --system-site-packages "$1"
  # --ignore-installed: a ropebound of the same version in the system site-packages
  # (the README test command installs one) would otherwise satisfy the request.
  "$1/bin/python" -m pip install -q --no-deps --ignore-installed "$2"
}

echo "== install it into a fresh venv; native run (the reference)"
install_into "$work/venv" "$wheel"
vpy="$work/venv/bin/python"
(cd "$work" && "$vpy" -c "import ropebound, sys; sys.exit('venv imports ' + ropebound.__file__) \
  if not ropebound.__file__.startswith('$work') else None")
(cd "$work" && "$vpy" "$smoke" run native.json)

status=0
for cpu in Nehalem:baseline Haswell:avx2; do
  model="${cpu%%:*}" variant="${cpu##*:}"
  echo "== qemu-x86_64 -cpu $model (expects the $variant variant)"
  start=$SECONDS
  # (qemu's TCG lists the CPU model's features it does not emulate, such as
  # pcid or rtm; none is an instruction set the core uses, so those lines go.)
  if (cd "$work" && OMP_NUM_THREADS=2 qemu-x86_64 -cpu "$model" "$vpy" "$smoke" run "$model.json" \
        2> >(grep -v "TCG doesn't support requested feature" >&2) \
        && "$vpy" "$smoke" compare native.json "$model.json" --variant "$variant"); then
    echo "   ($((SECONDS - start)) s)"
  else
    echo "FAIL under -cpu $model" >&2
    status=1
  fi
done

echo "== qemu-x86_64 -cpu Haswell with ROPEBOUND_CPU=avx512: a warning and the avx2 variant, no crash"
got="$(cd "$work" && ROPEBOUND_CPU=avx512 qemu-x86_64 -cpu Haswell "$vpy" -W error::RuntimeWarning \
  -c "import ropebound" 2>&1 || true)"
if grep -q "RuntimeWarning: ROPEBOUND_CPU='avx512' ignored (this CPU does not support it)" <<<"$got"; then
  echo "OK: $(grep -o "RuntimeWarning.*" <<<"$got")"
else
  echo "FAIL: $got" >&2
  status=1
fi

echo "== auditwheel repair: a manylinux wheel with the OpenMP runtime vendored"
"$PY" -m auditwheel repair -w "$work/wheelhouse" "$wheel" >"$work/auditwheel.log" 2>&1 \
  || { cat "$work/auditwheel.log" >&2; exit 1; }
repaired="$(ls "$work"/wheelhouse/ropebound-*.whl)"
echo "repaired: $(basename "$repaired")"
case "$(basename "$repaired")" in
  *manylinux_*) ;;
  *) echo "FAIL: not a manylinux wheel" >&2; status=1 ;;
esac
listing="$("$PY" -m zipfile -l "$repaired")"
if grep -q "ropebound.libs/libgomp" <<<"$listing"; then
  echo "vendored: $(grep -o 'ropebound.libs/[^ ]*' <<<"$listing" | tr '\n' ' ')"
else
  echo "FAIL: libgomp not vendored in $repaired" >&2
  status=1
fi
install_into "$work/venv-manylinux" "$repaired"
(cd "$work" && "$work/venv-manylinux/bin/python" "$smoke" run manylinux.json \
  && "$vpy" "$smoke" compare native.json manylinux.json) || status=1

[ "$status" = 0 ] && echo "portable_check: all passed" || echo "portable_check: FAILED" >&2
exit "$status"
