#!/usr/bin/env bash
# Builds fftune with CUDA on a fresh GPU machine (nvcc and CMake present; no GoogleTest, no
# Google Benchmark, no network), runs the `cuda` tests and the GPU benchmarks, prints a table.
# Budget: 8 minutes on one H200.
# Usage: scripts/gpu_check.sh [--probe-only] [build-dir]
#
# Stages: 1. probe for nvcc, cuBLAS, cuFFT and cuDNN (also inside PyTorch's nvidia-* wheels),
# printing where each was found, so a missing piece is one clear line instead of a failed build
# (--probe-only stops here: it needs no GPU, so it can be checked on any machine with the
# toolkit); 2. GoogleTest from Debian's source; 3. build the cuda tests and bench_cuda;
# 4. ctest -L cuda; 5. bench_cuda (bench/bench_cuda.cpp: GEMM, kernel bandwidth, FourierFT);
# 6. the PyTorch twin of its FourierFT rows on the GPU, if torch and peft import; 7. the table.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROBE_ONLY=0
if [ "${1:-}" = "--probe-only" ]; then
  PROBE_ONLY=1
  shift
fi
BUILD=${1:-$ROOT/build-gpu}
DEPS=$BUILD/_deps
START=$(date +%s)
elapsed() { echo $(( $(date +%s) - START ))s; }
fail() { echo "gpu_check: $*" >&2; exit 1; }

# ---- 1. probe ---------------------------------------------------------------------------------
echo "== probe"
NVCC=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
[ -n "$NVCC" ] || fail "nvcc not found (PATH, /usr/local/cuda/bin)"
CUDA_HOME=$(cd "$(dirname "$NVCC")/.." && pwd)
echo "nvcc      $NVCC ($("$NVCC" --version | tail -1))"
# Python wheels of PyTorch: site-packages/nvidia/<lib>/{include,lib}.
WHEELS=$(python3 -c 'import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))' 2>/dev/null || true)
find_lib() {  # name -> the directory holding lib<name>.so*
  local name=$1 d
  for d in "$CUDA_HOME/lib64" "$CUDA_HOME/lib" /usr/lib/x86_64-linux-gnu \
           ${WHEELS:+$WHEELS/nvidia/*/lib}; do
    ls "$d"/lib"$name".so* >/dev/null 2>&1 && { echo "$d"; return 0; }
  done
  return 1
}
find_header() {  # header -> the directory holding it
  local h=$1 d
  for d in "$CUDA_HOME/include" /usr/include ${WHEELS:+$WHEELS/nvidia/*/include}; do
    [ -f "$d/$h" ] && { echo "$d"; return 0; }
  done
  return 1
}
missing=0
for lib in cublas cufft cudnn; do
  dir=$(find_lib $lib) && echo "$(printf '%-9s' $lib) $dir" || { echo "$lib      NOT FOUND"; missing=1; }
done
CUDNN_LIB=$(find_lib cudnn || true)
CUDNN_INC=$(find_header cudnn.h || true)
[ -n "$CUDNN_INC" ] && echo "cudnn.h   $CUDNN_INC" || { echo "cudnn.h   NOT FOUND"; missing=1; }
GTEST_SRC=""
for d in "$ROOT/third_party/googletest" /usr/src/googletest; do
  [ -f "$d/CMakeLists.txt" ] && { GTEST_SRC=$d; break; }
done
[ -n "$GTEST_SRC" ] && echo "gtest src $GTEST_SRC" || { echo "gtest src NOT FOUND"; missing=1; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null \
  | sed 's/^/gpu       /' || echo "gpu       nvidia-smi unavailable"
if python3 -c 'import torch, peft' >/dev/null 2>&1; then
  echo "torch     $(python3 -c 'import torch, peft; print("torch", torch.__version__, "peft", peft.__version__, "cuda", torch.cuda.is_available())')"
else
  echo "torch     torch or peft does not import: the PyTorch twin will be skipped"
fi
[ $missing = 0 ] || fail "a required piece is missing (see NOT FOUND above)"
if [ $PROBE_ONLY = 1 ]; then
  echo "probe: everything needed to build was found"
  exit 0
fi
export PATH=$(dirname "$NVCC"):$PATH
export LD_LIBRARY_PATH=$CUDNN_LIB:${LD_LIBRARY_PATH:-}

# ---- 2. GoogleTest from source ----------------------------------------------------------------
echo "== googletest ($(elapsed))"
if [ ! -f "$DEPS/gtest-install/lib/cmake/GTest/GTestConfig.cmake" ]; then
  cmake -S "$GTEST_SRC" -B "$DEPS/gtest-build" -DCMAKE_BUILD_TYPE=Release -DBUILD_GMOCK=OFF \
    -DCMAKE_INSTALL_PREFIX="$DEPS/gtest-install" >/dev/null || fail "googletest configure failed"
  cmake --build "$DEPS/gtest-build" -j"$(nproc)" --target install >/dev/null \
    || fail "googletest build failed"
fi

# ---- 3. build ---------------------------------------------------------------------------------
echo "== build ($(elapsed))"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DFFTUNE_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DFFTUNE_TEST_LABELS="emu" -DFFTUNE_BENCH=OFF \
  -DCUDNN_ROOT="$(dirname "$CUDNN_INC")" -DCUDNN_LIBRARY="$(ls "$CUDNN_LIB"/libcudnn.so* | head -1)" \
  -DCMAKE_PREFIX_PATH="$DEPS/gtest-install" >"$BUILD.configure.log" 2>&1 \
  || { tail -20 "$BUILD.configure.log"; fail "configure failed ($BUILD.configure.log)"; }
CUDA_TESTS=$(cd "$ROOT/tests/cuda" && ls test_*.cpp | sed 's/\.cpp$//')
cmake --build "$BUILD" -j"$(nproc)" --target $CUDA_TESTS bench_cuda >"$BUILD.build.log" 2>&1 \
  || { tail -30 "$BUILD.build.log"; fail "build failed ($BUILD.build.log)"; }

# ---- 4. the cuda tests ------------------------------------------------------------------------
echo "== ctest -L cuda ($(elapsed))"
(cd "$BUILD" && timeout 240 ctest -L cuda --output-on-failure) | tee "$BUILD.ctest.log"
CTEST_RC=${PIPESTATUS[0]}

# ---- 5. GPU benchmarks --------------------------------------------------------------------------
echo "== bench_cuda ($(elapsed))"
BENCH_JSON=$BUILD/bench_cuda.json
rm -f "$BENCH_JSON"
timeout 150 "$BUILD/bench/bench_cuda" --json "$BENCH_JSON" | tee "$BUILD.bench.log" \
  || echo "bench_cuda: failed or timed out (see above)"

# ---- 6. the PyTorch twin (HF peft's FourierFT path on the GPU) -------------------------------
echo "== PyTorch twin ($(elapsed))"
TORCH_JSON=$BUILD/fourierft_torch.json
rm -f "$TORCH_JSON"
if ! python3 -c 'import torch, peft; assert torch.cuda.is_available()' >/dev/null 2>&1; then
  echo "PyTorch twin: skipped (torch with CUDA, or peft, does not import here)"
elif [ $(( $(date +%s) - START )) -gt 390 ]; then
  echo "PyTorch twin: skipped (past 6.5 minutes; the budget is 8)"
else
  timeout 60 python3 "$ROOT/bench/reference/fourierft_torch.py" --device cuda >"$TORCH_JSON" \
    || { echo "PyTorch twin: failed or timed out"; rm -f "$TORCH_JSON"; }
fi

# ---- 7. table ---------------------------------------------------------------------------------
echo "== summary ($(elapsed))"
printf '%-28s %s\n' "test" "result"
grep -E '^ *[0-9]+/[0-9]+ Test' "$BUILD.ctest.log" \
  | sed -E 's/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: ([^ ]+) \.+ *\**([A-Za-z]+).*/\1 \2/' \
  | while read -r name result; do printf '%-28s %s\n' "$name" "$result"; done
if [ -f "$BENCH_JSON" ]; then
  python3 - "$BENCH_JSON" "$TORCH_JSON" <<'PY'
import json, os, sys
ours = json.load(open(sys.argv[1]))["results"]
theirs = json.load(open(sys.argv[2]))["results"] if os.path.exists(sys.argv[2]) else {}
print("\n| FourierFT (fwd + bwd) | fftune ms | peft ms | speed-up |\n|---|---|---|---|")


def twin_name(name):  # the twin's rows: the same delta names; one linear row, ending in _peft
    for suffix, replacement in (("_deterministic", ""), ("_row_fft", "_peft"),
                                ("_dense_gradient", "_peft")):
        if name.endswith(suffix):
            return name[: -len(suffix)] + replacement
    return name


for name, r in ours.items():
    if not name.startswith(("delta_", "linear_")):
        continue
    twin = theirs.get(twin_name(name))
    peft = f"{twin['ms']:.3f}" if twin else "-"
    ratio = f"{twin['ms'] / r['ms']:.1f}x" if twin else "-"
    print(f"| {name} | {r['ms']:.3f} | {peft} | {ratio} |")
PY
fi
echo "total $(elapsed)"
exit "$CTEST_RC"
