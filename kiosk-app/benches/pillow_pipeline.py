#!/usr/bin/env python3
"""The CHSI photo the way Python photo booths make it, for benches/photo_check.rs to time.

    python3 pillow_pipeline.py IMAGE --out FILE [--quality Q] [--draft]

Image.open, a full decode with .convert("RGB"), a centred 3:4 window as tall as the frame,
resized to 480 x 640 with LANCZOS (pibooth's PilPictureFactory resizes captures with
Resampling.LANCZOS), saved as JPEG with dpi=(300, 300) (HivisionIDPhotos saves its ID photos
with Pillow at 300 dpi). The crop and the resize are one call (resize's box argument), the
cheapest way Pillow offers to do both.

--draft asks libjpeg for a DCT-scaled decode first (Image.draft): the smallest of 1/2, 1/4 and
1/8 that keeps the window at least 480 x 640.

Prints one JSON object: width, height, bytes, quality, ms (open to saved, without the
interpreter's start and the imports), decoded (the size libjpeg produced), pillow and libjpeg
(library and version).
"""

import argparse
import json
import math
import os
import sys
import time

from PIL import Image, features

OUT_W, OUT_H = 480, 640
LANCZOS = getattr(Image, "Resampling", Image).LANCZOS


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("image")
    ap.add_argument("--out", required=True)
    ap.add_argument("--quality", type=int, default=88, help="JPEG quality (the kiosk's default: 88)")
    ap.add_argument("--draft", action="store_true", help="DCT-scaled decode (Image.draft)")
    args = ap.parse_args()

    start = time.perf_counter()
    im = Image.open(args.image)
    if args.draft:
        w, h = im.size
        # The window is as tall as the frame (or as wide): it must keep OUT_H rows.
        window_h = min(h, w * 4 / 3)
        k = OUT_H / window_h
        im.draft("RGB", (math.ceil(w * k), math.ceil(h * k)))
    im = im.convert("RGB")
    w, h = im.size
    win_h = min(h, w * 4 // 3)
    win_w = win_h * 3 // 4
    x, y = (w - win_w) // 2, (h - win_h) // 2
    photo = im.resize((OUT_W, OUT_H), LANCZOS, box=(x, y, x + win_w, y + win_h))
    photo.save(args.out, "JPEG", quality=args.quality, dpi=(300, 300))
    ms = (time.perf_counter() - start) * 1e3

    json.dump(
        {
            "width": photo.width,
            "height": photo.height,
            "bytes": os.path.getsize(args.out),
            "quality": args.quality,
            "ms": round(ms, 1),
            "decoded": [w, h],
            "pillow": Image.__version__,
            "libjpeg": (
                "libjpeg-turbo " + str(features.version_feature("libjpeg_turbo"))
                if features.check_feature("libjpeg_turbo")
                else "libjpeg " + str(features.version("jpg"))
            ),
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
