#!/usr/bin/env bash
# Install the kiosk's udev rules and reload udev. Run as root on the booth PC.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
getent group photo-kiosk >/dev/null || groupadd --system photo-kiosk
install -m 0644 "$here/70-photo-kiosk.rules" /etc/udev/rules.d/70-photo-kiosk.rules
if command -v udevadm >/dev/null; then
  udevadm control --reload-rules
  udevadm trigger --subsystem-match=tty --subsystem-match=usb
fi
echo "installed /etc/udev/rules.d/70-photo-kiosk.rules; add the kiosk user to groups dialout and photo-kiosk"
