#!/usr/bin/env bash
# Installs what formcheck needs on Debian/Ubuntu, builds it, and analyses the bundled sample.
#   scripts/setup.sh            install + build + analyse samples/ into out/
#   scripts/setup.sh --deps     install + build only (the test script uses this)
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# System packages: OpenCV 4.6 (FFmpeg video I/O) + clang for the opencv crate's bindings,
# ffmpeg (H.264 encoding and test clips), a TTF font for plots, python3-pip to fetch ONNX Runtime.
PKGS="libopencv-dev clang libclang-dev ffmpeg fonts-dejavu-core python3-pip pkg-config"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "== installing:$missing"
  $SUDO apt-get update -q
  # A mirror has failed mid-way once ("cannot access archive"): retry.
  for i in 1 2 3; do
    if DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing; then break; fi
    [ "$i" = 3 ] && { echo "apt-get install failed" >&2; exit 1; }
    sleep 5
  done
fi

if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust (https://rustup.rs) first" >&2
  exit 1
fi

# ONNX Runtime 1.31.1 shared library, taken from the PyPI wheel (never committed).
ORT_LIB=.ort/libonnxruntime.so.1.31.1
if [ ! -f "$ORT_LIB" ]; then
  echo "== fetching ONNX Runtime 1.31.1 from PyPI"
  tmp=$(mktemp -d)
  PIP="python3 -m pip"
  $PIP download --no-deps --only-binary=:all: --python-version 3.11 --platform manylinux_2_28_x86_64 \
      -d "$tmp" onnxruntime==1.31.1 >/dev/null
  mkdir -p .ort
  python3 - "$tmp" <<'PY'
import sys, zipfile, glob
whl = glob.glob(sys.argv[1] + "/onnxruntime-1.31.1-*.whl")[0]
with zipfile.ZipFile(whl) as z:
    data = z.read("onnxruntime/capi/libonnxruntime.so.1.31.1")
open(".ort/libonnxruntime.so.1.31.1.tmp", "wb").write(data)
PY
  mv .ort/libonnxruntime.so.1.31.1.tmp "$ORT_LIB"
  rm -rf "$tmp"
fi

echo "== building (release)"
cargo build --release --locked 2>&1 | tail -n 3

if [ "${1:-}" = "--deps" ]; then exit 0; fi

echo "== analysing samples/ into out/"
./target/release/formcheck analyze samples/ --out out
echo "done: open out/index.html (or out/<clip>/ for one video); scripts/install.sh installs formcheck for use anywhere"
