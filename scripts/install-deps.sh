#!/usr/bin/env bash
# Installs every Debian package the fftune build needs, when missing. The one place the
# project's system dependencies are listed (README, scripts/test and .ci/run all use it).
set -euo pipefail

packages=(
  build-essential cmake       # compiler and build system
  libomp-dev                  # OpenMP (g++ ships libgomp; clang users need this)
  libdnnl-dev                 # oneDNN: the f32 GEMM (docs/perf.md, "GEMM library choice")
  libblis-dev                 # BLIS (OpenMP build): small f32 and all f64 GEMMs
  libopenblas-dev             # OpenBLAS: only bench_gemm_libraries compares it
  nlohmann-json3-dev          # JSON: safetensors headers, configs, adapter_config.json
  libjpeg62-turbo-dev         # libjpeg-turbo: JPEG decoding (README "Image decoding")
  libpng-dev                  # libpng: PNG decoding
  libpcre2-dev                # PCRE2: target_modules regexes, with match and depth limits
  libstb-dev                  # stb_image_write: PNG/JPEG output of our own images (demo data)
  libgtest-dev                # GoogleTest
  libbenchmark-dev            # Google Benchmark
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
