#!/usr/bin/env bash
# The QR benchmark's Python peers (cargo bench -p kiosk-e2e --bench qr_decoders): OpenCV's
# QRCodeDetector and QRCodeDetectorAruco from the opencv-python-headless wheel (Apache-2.0) with
# numpy (BSD-3-Clause), pinned by SHA-256, in a virtual environment under target/. The kiosk
# never uses them. Idempotent. numpy's wheel is pinned for CPython 3.11 on x86-64 (Debian 12's).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CARGO_TARGET_DIR:-$ROOT/target}/qr-peers"
PYTHON="${PYTHON:-python3}"
stamp="$VENV/.installed-1"
if [ -f "$stamp" ] && "$VENV/bin/python" -c 'import cv2' 2>/dev/null; then exit 0; fi
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
reqs="$(mktemp)"
trap 'rm -f "$reqs"' EXIT
cat > "$reqs" <<'REQ'
opencv-python-headless==4.10.0.84 --hash=sha256:377d08a7e48a1405b5e84afcbe4798464ce7ee17081c1c23619c8b398ff18295
numpy==1.26.4 --hash=sha256:666dbfb6ec68962c033a450943ded891bed2d54e6755e35e5835d63f4f6931d5
REQ
"$VENV/bin/python" -m pip install -q --no-deps --only-binary=:all: --require-hashes -r "$reqs"
"$VENV/bin/python" -c 'import cv2; cv2.QRCodeDetectorAruco()'
touch "$stamp"
