#!/usr/bin/env python3
"""Writes the image fixtures of tests/unit/test_image.cpp:
  tests/fixtures/image_resize.json: PIL's Image.resize(BILINEAR) outputs on small RGB images, the
    reference for data/image.cpp's resize, which must match them exactly where Pillow runs its
    two passes in the same order (recorded as vertical_first, see below) and within 1 elsewhere;
  tests/fixtures/images/*: small PNG and JPEG files in each pixel format (RGB, L, LA, RGBA,
    4:2:0 and progressive JPEG), odd sizes, encoded by Pillow (libpng, libjpeg-turbo: encoders
    independent of stb), and image_decode.json with Pillow's convert("RGB") of each, the
    reference for decode_image, which must match it exactly (it decodes with the same
    libjpeg-turbo settings as Pillow: accurate integer IDCT, smooth chroma upsampling).

Run by hand, never in CI:  python3 tools/gen_image_fixtures.py
Last run with: Pillow 13.0.0, Python 3.11.7.

The input images are not stored: pixel (y, x, c) is pattern(y, x, c) below, which the C++ test
computes the same way. torchvision's Resize / RandomResizedCrop call exactly this PIL function on
PIL images, and so does HF's ViTImageProcessor.
"""
import json
import os

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "image_resize.json")


def pattern(y, x, c):
    # Smooth ramps plus a non-linear term, so that rounding in every tap matters.
    return (x * 7 + y * 13 + c * 29 + (x * y) % 17 * 5) % 256


def make_image(h, w):
    img = Image.new("RGB", (w, h))
    data = bytes(pattern(y, x, c) for y in range(h) for x in range(w) for c in range(3))
    img.frombytes(data)
    return img


# (in_h, in_w, out_h, out_w): downscale by integer and fractional factors, upscale, one axis only,
# mixed, and strong downscales that use many taps.
CASES = [
    (7, 9, 3, 4),
    (5, 6, 13, 11),
    (17, 23, 8, 30),
    (12, 10, 12, 7),
    (9, 8, 4, 8),
    (40, 33, 5, 6),
    (31, 37, 24, 24),
    (3, 3, 1, 1),
    (26, 26, 2, 24),  # both down: Pillow 13 runs the vertical pass first here
    (17, 20, 4, 10),  # both down: horizontal first here
    (9, 20, 5, 30),  # down in y, up in x: always vertical first
    (20, 9, 30, 5),  # up in y, down in x: always horizontal first
    (10, 20, 5, 10),
    (90, 120, 67, 89),  # a shorter-side resize, as in evaluation (int(67 · 120 / 90) = 89)
]

# Which pass Pillow ran first: libImaging's Resample.c runs the horizontal pass first, but
# Pillow 13 runs the vertical one first for some sizes, and the 8-bit intermediate differs. The
# order is read off by redoing both orders here in Python, with libImaging's fixed-point
# arithmetic, and seeing which one Pillow's output equals.
PRECISION_BITS = 22


def coefficients(in_size, out_size):
    scale = in_size / out_size
    filter_scale = max(scale, 1.0)
    result = []
    for x in range(out_size):
        center = (x + 0.5) * scale
        lo = max(int(center - filter_scale + 0.5), 0)
        hi = min(int(center + filter_scale + 0.5), in_size)
        w = [max(0.0, 1 - abs((i + lo - center + 0.5) / filter_scale)) for i in range(hi - lo)]
        total = sum(w)
        result.append((lo, [int(0.5 + v / total * (1 << PRECISION_BITS)) for v in w]))
    return result


def resample_rows(rows, out_size):  # along the last axis of a list of lists
    coeffs = coefficients(len(rows[0]), out_size)
    half = 1 << (PRECISION_BITS - 1)
    return [[max(0, min(255, (half + sum(r[lo + i] * k for i, k in enumerate(ks))) >> PRECISION_BITS))
             for lo, ks in coeffs] for r in rows]


def transpose(rows):
    return [list(c) for c in zip(*rows)]


def horizontal_first(h, w, oh, ow):
    img = make_image(h, w)
    pil = list(img.resize((ow, oh), Image.BILINEAR).tobytes())
    for c in range(3):
        plane = [[pattern(y, x, c) for x in range(w)] for y in range(h)]
        hv = transpose(resample_rows(transpose(resample_rows(plane, ow)), oh))
        if [v for r in hv for v in r] != pil[c::3]:
            return False
    return True


cases = []
for h, w, oh, ow in CASES:
    out = make_image(h, w).resize((ow, oh), Image.BILINEAR)
    pixels = list(out.tobytes())
    cases.append({"in": [h, w], "out": [oh, ow], "pixels": pixels,
                  "vertical_first": not horizontal_first(h, w, oh, ow)})
    print(h, w, oh, ow, "vertical first" if cases[-1]["vertical_first"] else "horizontal first")

# ---- decoding fixtures ----
IMAGES = os.path.join(HERE, "..", "tests", "fixtures", "images")
os.makedirs(IMAGES, exist_ok=True)
rgb = make_image(5, 7)
files = {
    "rgb_7x5.png": (rgb, {}),
    "gray_9x4.png": (make_image(4, 9).convert("L"), {}),
    "gray_alpha_3x6.png": (make_image(6, 3).convert("LA"), {}),
    "rgba_6x3.png": (make_image(3, 6).convert("RGBA"), {}),
    "rgb_13x11.jpg": (make_image(11, 13), {"quality": 95}),  # 4:2:0 chroma subsampling
    "gray_10x7.jpg": (make_image(7, 10).convert("L"), {"quality": 95}),
    "progressive_17x9.jpg": (make_image(9, 17), {"quality": 95, "progressive": True}),
}
# RGBA with varying alpha: convert("RGB") drops alpha (no blending), as stb does.
rgba = files["rgba_6x3.png"][0]
rgba.putalpha(Image.frombytes("L", rgba.size, bytes((i * 37) % 256 for i in range(18))))
decoded = {}
for name, (img, kwargs) in files.items():
    path = os.path.join(IMAGES, name)
    img.save(path, **kwargs)
    with Image.open(path) as back:
        rgb_back = back.convert("RGB")
        decoded[name] = {"size": [rgb_back.height, rgb_back.width],
                         "pixels": list(rgb_back.tobytes())}
with open(os.path.join(HERE, "..", "tests", "fixtures", "image_decode.json"), "w") as f:
    json.dump({"generator": "tools/gen_image_fixtures.py", "pillow": Image.__version__,
               "files": decoded}, f)
    f.write("\n")

with open(OUT, "w") as f:
    json.dump({"generator": "tools/gen_image_fixtures.py", "pillow": Image.__version__,
               "cases": cases}, f)
    f.write("\n")
print("wrote", OUT, len(cases), "cases")
