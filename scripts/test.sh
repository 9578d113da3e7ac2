#!/usr/bin/env bash
# Runs the whole test suite (installs what is missing first). Tests that need ../shared
# (real clips, renders, golden files) print SKIPPED when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --deps
# Chromium renders report.html / index.html in tests/report_chromium.rs (users don't need it;
# that test prints SKIPPED without it).
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
  echo "== installing chromium (for the report rendering test)"
  { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium; } \
    || echo "warning: chromium could not be installed; the report rendering test will be skipped" >&2
fi
# --nocapture: the SKIPPED lines of tests that need ../shared or chromium stay visible.
cargo test --release --locked -- --nocapture 2>&1
