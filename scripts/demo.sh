#!/usr/bin/env bash
# Set up everything on a fresh Debian 12 machine and run the kiosk in demo mode: the touchscreen
# in a window when there is a display, otherwise the headless walkthrough (PNG per screen).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The face detector's models and the simulated graduate's portrait (checksum-verified, once).
scripts/fetch-models.sh
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  cargo build --release --locked -p kiosk-app --features window,layout-check
else
  cargo build --release --locked -p kiosk-app --features layout-check
fi
# Voice guidance's prompts, spoken by espeak-ng into target/voice (the default `voice.dir`).
target/release/kiosk voice build
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec target/release/kiosk demo "$@"
else
  exec target/release/kiosk demo --out walkthrough "$@"
fi
