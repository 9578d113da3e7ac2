#!/usr/bin/env bash
# Runs the whole test suite (installs what is missing first). Tests that need ../shared
# (real clips, renders, golden files) print SKIPPED when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --deps
cargo test --release --locked 2>&1
