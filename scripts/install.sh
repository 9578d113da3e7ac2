#!/usr/bin/env bash
# Installs formcheck with its data so it runs from anywhere:
#   PREFIX/bin/formcheck
#   PREFIX/share/formcheck/models/     the ONNX models with their LICENSE, NOTICE, README.md
#   PREFIX/share/formcheck/lib/        libonnxruntime.so.1.31.1 (and its LICENSE)
#   PREFIX/share/formcheck/formcheck.toml   every setting with its default (for --config)
#   PREFIX/share/man/man1/formcheck{,-analyze,-doctor}.1, bash/zsh/fish completions
#
#   scripts/install.sh [--prefix DIR] [--bin FILE]
#     --prefix DIR   where to install (default ~/.local)
#     --bin FILE     install this formcheck binary instead of building target/release/formcheck
#
# The binary finds its data at ../share/formcheck beside itself; nothing of the checkout is
# needed afterwards. Run scripts/setup.sh first on a fresh machine (system packages, ONNX Runtime).
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX="${HOME}/.local"
BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2:?--prefix needs a folder}"; shift 2 ;;
    --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
    --bin) BIN="${2:?--bin needs a file}"; shift 2 ;;
    --bin=*) BIN="${1#--bin=}"; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

ORT_LIB=.ort/libonnxruntime.so.1.31.1
if [ ! -f "$ORT_LIB" ]; then
  echo "install.sh: $ORT_LIB not found: run scripts/setup.sh --deps first (it fetches ONNX Runtime and builds)" >&2
  exit 1
fi
for f in models/pose_detection.onnx models/pose_landmark_full.onnx; do
  [ -f "$f" ] || { echo "install.sh: $f not found (is this a formcheck checkout?)" >&2; exit 1; }
done

if [ -z "$BIN" ]; then
  BIN=target/release/formcheck
  if command -v cargo >/dev/null; then
    echo "== building (release; a no-op when up to date)"
    cargo build --release --locked 2>&1 | tail -n 2
  elif [ ! -x "$BIN" ]; then
    echo "install.sh: no $BIN and no cargo to build it: install Rust (https://rustup.rs) or pass --bin FILE" >&2
    exit 1
  fi
fi
[ -x "$BIN" ] || { echo "install.sh: $BIN is not an executable" >&2; exit 1; }

SHARE="$PREFIX/share/formcheck"
echo "== installing into $PREFIX"
install -d "$PREFIX/bin" "$SHARE/models" "$SHARE/lib" "$PREFIX/share/man/man1" \
  "$PREFIX/share/bash-completion/completions" "$PREFIX/share/zsh/site-functions" \
  "$PREFIX/share/fish/vendor_completions.d"
# A new file then a rename: a running formcheck keeps its old binary.
install -m 755 "$BIN" "$PREFIX/bin/.formcheck.new"
mv -f "$PREFIX/bin/.formcheck.new" "$PREFIX/bin/formcheck"
install -m 644 models/*.onnx models/LICENSE models/NOTICE models/README.md "$SHARE/models/"
install -m 644 "$ORT_LIB" "$SHARE/lib/"
install -m 644 packaging/onnxruntime-LICENSE "$SHARE/lib/LICENSE"
install -m 644 formcheck.toml assets/fonts/LICENSE-DejaVu.txt "$SHARE/"

FC="$PREFIX/bin/formcheck"
"$FC" man > "$PREFIX/share/man/man1/formcheck.1"
for sub in analyze doctor; do
  "$FC" man "$sub" > "$PREFIX/share/man/man1/formcheck-$sub.1"
done
"$FC" completions bash > "$PREFIX/share/bash-completion/completions/formcheck"
"$FC" completions zsh > "$PREFIX/share/zsh/site-functions/_formcheck"
"$FC" completions fish > "$PREFIX/share/fish/vendor_completions.d/formcheck.fish"

echo "installed $FC (data in $SHARE)"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "note: $PREFIX/bin is not on your PATH; add it, e.g. echo 'export PATH=\"$PREFIX/bin:\$PATH\"' >> ~/.bashrc" ;;
esac
echo "check it with: $FC doctor"
