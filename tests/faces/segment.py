"""The person's outline in every labelled face of the real-face corpus, for the booth captures
that photo/tests/faces.rs makes from them (the person cut out with hair and shoulders and seated
on the booth's backdrop).

The model is MediaPipe's selfie segmentation (selfie_segmentation.tflite, 256 x 256, Apache-2.0,
from the PyPI `mediapipe` wheel that scripts/fetch-faces.sh fetches and checks), run in Google's
LiteRT interpreter, so the outline is the model's own, not a port's. Pre- and post-processing
follow MediaPipe's selfie_segmentation_cpu graph: the region stretched to 256 x 256 (no
letterbox), RGB in [0, 1], the output (already a sigmoid) resized back bilinearly.

For a face labelled with a box (group photos), the region is the window photo/tests/faces.rs
cuts (1.6 box widths each side, 1.5 above, 3 below), and everything outside the labelled head
and shoulders is zeroed, so a neighbour never comes along.

Usage: python segment.py MODEL LABELS FACES_DIR OUT_DIR
writes OUT_DIR/<id>.png: an 8-bit mask the size of the face's image (255 = person).

   or: python segment.py --outline MODEL IMAGE [STEP]
prints the person's outline in IMAGE as Rust (y, left, right) rows every STEP pixels (default
8): on each row, the longest run of person pixels. This is how the simulated camera's
portraits got their outlines (camera-driver/src/sim/portrait.rs, `Known::outline`).
"""
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from ai_edge_litert.interpreter import Interpreter

SIDE = 256


def window(label, w, h):
    """The region segmented and the rectangle kept in it, in image pixels (faces.rs::region)."""
    box = label.get('box')
    if not box:
        return (0, 0, w, h), (0, 0, w, h)
    x, y, bw, bh = box
    x0 = int(max(x - 1.6 * bw, 0))
    y0 = int(max(y - 1.5 * bh, 0))
    x1 = int(min(x + 2.6 * bw, w))
    y1 = int(min(y + 4.0 * bh, h))
    keep = (x - 0.5 * bw, y - 0.7 * bh, x + 1.5 * bw, y + 2.5 * bh)
    return (x0, y0, x1, y1), keep


def segmenter(model):
    """A function from a PIL RGB image to its person mask (uint8, the image's size)."""
    it = Interpreter(model_path=model)
    it.allocate_tensors()
    inp = it.get_input_details()[0]['index']
    outp = it.get_output_details()[0]['index']

    def run(region):
        x = np.asarray(region.resize((SIDE, SIDE), Image.BILINEAR), np.float32) / 255.0
        it.set_tensor(inp, x[None])
        it.invoke()
        m = it.get_tensor(outp)[0, :, :, 0]
        m = Image.fromarray(np.clip(m * 255.0 + 0.5, 0, 255).astype(np.uint8))
        return np.asarray(m.resize(region.size, Image.BILINEAR)).copy()
    return run


def outline(model, image, step=8):
    img = Image.open(image).convert('RGB')
    m = segmenter(model)(img) >= 128
    w, h = img.size
    rows = []
    for y in range(0, h, int(step)):
        best, run_start = None, None
        for x in range(w + 1):
            on = x < w and m[y, x]
            if on and run_start is None:
                run_start = x
            elif not on and run_start is not None:
                if best is None or x - run_start > best[1] - best[0]:
                    best = (run_start, x)
                run_start = None
        if best is not None:
            rows.append(f'({y}.5, {best[0]}.0, {best[1]}.0)')
    for i in range(0, len(rows), 4):
        print('    ' + ', '.join(rows[i:i + 4]) + ',')


def main(model, labels, faces, out):
    run = segmenter(model)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for label in json.load(open(labels))['faces']:
        img = Image.open(Path(faces) / label['file']).convert('RGB')
        w, h = img.size
        (x0, y0, x1, y1), keep = window(label, w, h)
        region = img.crop((x0, y0, x1, y1))
        m = run(region)
        ys, xs = np.mgrid[y0:y1, x0:x1]
        inside = (xs >= keep[0]) & (xs < keep[2]) & (ys >= keep[1]) & (ys < keep[3])
        m[~inside] = 0
        full = np.zeros((h, w), np.uint8)
        full[y0:y1, x0:x1] = m
        part = out / (label['id'] + '.png.part')
        Image.fromarray(full).save(part, format='PNG')
        part.rename(out / (label['id'] + '.png'))
    print(f'masks in {out}', file=sys.stderr)


if __name__ == '__main__':
    if sys.argv[1] == '--outline':
        outline(*sys.argv[2:5])
    else:
        main(*sys.argv[1:5])
