#!/usr/bin/env bash
# Runs every test. The camera tests drive real libgphoto2 against its virtual USB camera, which
# is built once from Debian's source package into target/vcamera (scripts/build-vcamera.sh); the
# face detector's models and test portraits are fetched once (scripts/fetch-models.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build-vcamera.sh
scripts/fetch-models.sh  # kiosk-photo's detector tests need the MTCNN models and portraits
# The fuzz targets (fuzz/tests/fuzz.rs) run for this long each, ms: a bounded run (about a
# minute in all on 2 cores). Set it higher for a longer hunt.
export BOLERO_RANDOM_TEST_TIME_MS="${BOLERO_RANDOM_TEST_TIME_MS:-15000}"
# ui-introspection: `kiosk demo` in a window with Slint's introspection server, for the window
# test (kiosk-app/tests/window/: Xvfb, touched by accessible label). Never in a booth's build.
exec cargo test --workspace --locked --features kiosk-app/ui-introspection "$@"
