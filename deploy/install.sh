#!/usr/bin/env bash
# Install or update the photo kiosk on a fresh Debian 12 booth PC. Idempotent: run it again
# after an update; it never overwrites a config or a credential that is there.
#
#   sudo deploy/install.sh [--binary PATH] [--root DIR] [--no-start]
#
# --binary  the kiosk binary to install (default: target/release/kiosk)
# --root    install under DIR instead of / (tests; users, udev and systemd are left alone)
# --no-start  enable the unit but do not (re)start it
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
binary="$repo/target/release/kiosk"
root=""
start=1
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --root) root="$2"; shift 2 ;;
    --no-start) start=0; shift ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$binary" ] || { echo "install.sh: no kiosk binary at $binary (cargo build --release --features linuxkms)" >&2; exit 1; }
[ -n "$root" ] || [ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }

user=photo-kiosk
if [ -z "$root" ]; then
  getent group $user >/dev/null || groupadd --system $user
  id -u $user >/dev/null 2>&1 || useradd --system --gid $user --home-dir /var/lib/photo-kiosk \
    --shell /usr/sbin/nologin --comment "photo kiosk" $user
  usermod -a -G dialout,video,render,input,audio $user 2>/dev/null || usermod -a -G dialout,video,input,audio $user
  owner="$user:$user"
else
  owner="$(id -u):$(id -g)"
fi

# The binary: the previous one is kept for a rollback (deploy/README.md).
install -d -m 0755 "$root/usr/local/bin" "$root/usr/local/share/doc/photo-kiosk"
if [ -f "$root/usr/local/bin/kiosk" ] && ! cmp -s "$binary" "$root/usr/local/bin/kiosk"; then
  cp -p "$root/usr/local/bin/kiosk" "$root/usr/local/bin/kiosk.previous"
fi
install -m 0755 "$binary" "$root/usr/local/bin/kiosk.new"
mv -f "$root/usr/local/bin/kiosk.new" "$root/usr/local/bin/kiosk"
install -m 0644 "$repo/README.md" "$root/usr/local/share/doc/photo-kiosk/README.md"

# Voice guidance's prompts, spoken by espeak-ng for this binary's texts (rebuilt on every
# install: a new version may say something new). Without espeak-ng the booth is silent and
# says so in its log (VOICE_UNAVAILABLE).
voice="$root/usr/local/share/photo-kiosk/voice"
if command -v espeak-ng >/dev/null; then
  "$binary" voice build --dir "$voice.new" >/dev/null
  rm -rf "$voice" && mv "$voice.new" "$voice"
  chmod -R a+rX "$voice"
else
  echo "install.sh: espeak-ng is not installed (apt-get install espeak-ng): no voice prompts" >&2
fi

# Config and credential: made once, never overwritten; readable by the kiosk only.
install -d -m 0750 "$root/etc/photo-kiosk"
chown "$owner" "$root/etc/photo-kiosk"
if [ ! -f "$root/etc/photo-kiosk/kiosk.toml" ]; then
  "$binary" config default > "$root/etc/photo-kiosk/kiosk.toml.new"
  sed -i \
    -e 's|^data_dir = .*|data_dir = "/var/lib/photo-kiosk"|' \
    -e 's|^json_file = .*|json_file = "/var/log/photo-kiosk/kiosk.log.jsonl"|' \
    -e 's|^dir = "target/voice"|dir = "/usr/local/share/photo-kiosk/voice"|' \
    "$root/etc/photo-kiosk/kiosk.toml.new"
  mv "$root/etc/photo-kiosk/kiosk.toml.new" "$root/etc/photo-kiosk/kiosk.toml"
  echo "wrote /etc/photo-kiosk/kiosk.toml: set kiosk.id, the devices and the service, then 'kiosk --config /etc/photo-kiosk/kiosk.toml doctor'"
fi
chmod 0640 "$root/etc/photo-kiosk/kiosk.toml"
chown "$owner" "$root/etc/photo-kiosk/kiosk.toml"
if [ ! -f "$root/etc/photo-kiosk/credential" ]; then
  (umask 077; : > "$root/etc/photo-kiosk/credential")
  echo "created an empty /etc/photo-kiosk/credential: put the agency's kiosk credential in it"
fi
chmod 0600 "$root/etc/photo-kiosk/credential"
chown "$owner" "$root/etc/photo-kiosk/credential"

# Data (journal, photos) and logs: the kiosk's own, nobody else's.
install -d -m 0700 "$root/var/lib/photo-kiosk"
install -d -m 0750 "$root/var/log/photo-kiosk"
chown "$owner" "$root/var/lib/photo-kiosk" "$root/var/log/photo-kiosk"

# udev rules and the unit.
install -d -m 0755 "$root/etc/udev/rules.d" "$root/etc/systemd/system"
install -m 0644 "$repo/udev-rules/70-photo-kiosk.rules" "$root/etc/udev/rules.d/70-photo-kiosk.rules"
install -m 0644 "$here/photo-kiosk.service" "$root/etc/systemd/system/photo-kiosk.service"
if [ -z "$root" ]; then
  if command -v udevadm >/dev/null; then
    udevadm control --reload-rules && udevadm trigger --subsystem-match=tty --subsystem-match=usb || true
  fi
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable photo-kiosk.service
    if [ $start -eq 1 ]; then systemctl restart photo-kiosk.service; fi
  fi
fi
echo "photo kiosk installed"
