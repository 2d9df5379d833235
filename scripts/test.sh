#!/usr/bin/env bash
# Run every test of the workspace: flow tables, drivers against their simulators (camera,
# Modbus over a real pseudo-terminal), whole-kiosk tests and the rendered walkthrough.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test --workspace --locked "$@"
