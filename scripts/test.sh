#!/usr/bin/env bash
# Runs every test. The camera tests drive real libgphoto2 against its virtual USB camera, which
# is built once from Debian's source package into target/vcamera (scripts/build-vcamera.sh); the
# face detector's models and test portraits are fetched once (scripts/fetch-models.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build-vcamera.sh
scripts/fetch-models.sh  # kiosk-photo's detector tests need the face models and portraits
scripts/fetch-faces.sh   # the real-face corpus the checks are measured on (photo/tests/faces.rs)
# The fuzz targets (fuzz/tests/fuzz.rs) run for this long each, ms: a bounded run (about a
# minute in all on 2 cores). Set it higher for a longer hunt.
export BOLERO_RANDOM_TEST_TIME_MS="${BOLERO_RANDOM_TEST_TIME_MS:-15000}"
# glibc's malloc as the booth runs it (deploy/photo-kiosk.service): two arenas, so the soak's
# memory figures are the booth's (docs/reliability.md, memory).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
source scripts/features.sh
exec cargo test --workspace --locked --features "$TEST_FEATURES" "$@"
