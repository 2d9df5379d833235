"""Converts a TensorFlow Lite model to ONNX with tflite2onnx, reproducibly.

tflite2onnx writes the graph's initialisers and value infos in an order that follows Python's
string hashing, so two runs give different bytes; sorting both by name makes the file the same
every time, and scripts/fetch-models.sh can pin its SHA-256.

Usage: python tflite-to-onnx.py IN.tflite OUT.onnx
"""

import os
import sys

import onnx
import tflite2onnx


def main() -> None:
    src, dst = sys.argv[1:3]
    raw = dst + ".raw"
    tflite2onnx.convert(src, raw)
    model = onnx.load(raw)
    for field in (model.graph.initializer, model.graph.value_info):
        items = sorted(field, key=lambda t: t.name)
        del field[:]
        field.extend(items)
    onnx.save(model, dst)
    os.remove(raw)


if __name__ == "__main__":
    main()
