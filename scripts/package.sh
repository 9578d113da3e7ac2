#!/usr/bin/env bash
# Builds the release tarball dist/formcheck-<version>-x86_64-linux.tar.gz: the stripped binary,
# its data (models, ONNX Runtime), man pages, completions, LICENSE, NOTICE and README. Unpacked
# anywhere on Debian bookworm with the runtime packages installed (README, "Install"), it runs as
#   formcheck-<version>-x86_64-linux/bin/formcheck analyze VIDEO --out OUT
#
#   scripts/package.sh [--bin FILE] [--out DIR]
#     --bin FILE   package this formcheck binary instead of building target/release/formcheck
#     --out DIR    where the tarball goes (default dist/)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=""
OUT=dist
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN="${2:?--bin needs a file}"; shift 2 ;;
    --out) OUT="${2:?--out needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for tool in strip tar; do
  command -v "$tool" >/dev/null || { echo "package.sh: '$tool' not found (Debian: sudo apt-get install binutils tar)" >&2; exit 1; }
done

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
NAME="formcheck-${VERSION}-x86_64-linux"
if [ -z "$BIN" ]; then
  echo "== building (release)"
  cargo build --release --locked 2>&1 | tail -n 2
  BIN=target/release/formcheck
fi

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
# The release profile keeps debug info for profiling (debug = 1); the tarball does not.
strip -o "$STAGE/formcheck" "$BIN"
bash scripts/install.sh --prefix "$STAGE/$NAME" --bin "$STAGE/formcheck" >/dev/null
rm "$STAGE/formcheck"
install -m 644 README.md LICENSE "$STAGE/$NAME/"
install -m 644 packaging/NOTICE "$STAGE/$NAME/NOTICE"

mkdir -p "$OUT"
TARBALL="$OUT/$NAME.tar.gz"
tar -C "$STAGE" --owner=0 --group=0 -czf "$TARBALL.tmp" "$NAME"
mv -f "$TARBALL.tmp" "$TARBALL"
echo "$TARBALL ($(du -h "$TARBALL" | cut -f1))"
