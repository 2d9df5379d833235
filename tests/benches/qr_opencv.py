"""OpenCV's QR detectors on a list of frames, for the qr_decoders benchmark.

Usage: qr_opencv.py plain|aruco FILE...  Prints one JSON object: the seconds spent in the loop
(reading each JPEG and decoding it, as the kiosk's time includes its JPEG decode; not Python's
start-up or imports) and the codes found per file.
"""
import json
import sys
import time

import cv2

mode, files = sys.argv[1], sys.argv[2:]
detector = cv2.QRCodeDetector() if mode == "plain" else cv2.QRCodeDetectorAruco()
results = {}
started = time.perf_counter()
for f in files:
    img = cv2.imread(f, cv2.IMREAD_GRAYSCALE)
    codes = []
    try:
        ok, texts, _, _ = detector.detectAndDecodeMulti(img)
        if ok:
            codes = [t for t in texts if t]
    except cv2.error:
        pass
    results[f] = codes
secs = time.perf_counter() - started
print(json.dumps({"secs": secs, "results": results}, ensure_ascii=False))
