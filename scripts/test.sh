#!/usr/bin/env bash
# Runs every test. The camera tests drive real libgphoto2 against its virtual USB camera, which
# is built once from Debian's source package into target/vcamera (scripts/build-vcamera.sh); the
# face detector's models and test portraits are fetched once (scripts/fetch-models.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build-vcamera.sh
scripts/fetch-models.sh  # kiosk-photo's detector tests need the MTCNN models and portraits
exec cargo test --workspace --locked "$@"
