#!/usr/bin/env bash
# Runs every test. The camera tests drive real libgphoto2 against its virtual USB camera, which
# is built once from Debian's source package into target/vcamera (scripts/build-vcamera.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build-vcamera.sh
exec cargo test --workspace --locked "$@"
