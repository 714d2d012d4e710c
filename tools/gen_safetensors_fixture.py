#!/usr/bin/env python3
"""Writes tests/fixtures/tiny_torch.safetensors with PyTorch + the safetensors package (the
reference writer), for tests/fixture/test_safetensors_torch.cpp, which checks every value.

Run by hand, never in CI:  python3 tools/gen_safetensors_fixture.py
Last run with: torch 2.15.0+cu132, safetensors 0.8.0, Python 3.11.7.

Values are exact in their dtype, except the 0.1 entries of f16/bf16, which torch rounds to the
nearest representable value (the C++ test expects those rounded values, printed below).
"""
import os

import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "tiny_torch.safetensors")

inf = float("inf")
tensors = {
    # (2, 3): -1, -0.5, 0, 0.5, 1, 1.5
    "f32": torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1,
    # i / 3 for i in 0..3 (correctly rounded division, the same in C++)
    "f64": torch.arange(4, dtype=torch.float64) / 3,
    "i64": torch.tensor([-(2**40), -1, 0, 2**62], dtype=torch.int64),
    # largest half, smallest normal, smallest subnormal, infinities, -0, a rounded 0.1
    "f16": torch.tensor([1, -2.5, 65504, 2**-14, 2**-24, inf, -inf, -0.0, 0.1], dtype=torch.float16),
    # (2, 2): 1, -3.140625, a rounded 0.1, -inf
    "bf16": torch.tensor([[1, -3.140625], [0.1, -inf]], dtype=torch.bfloat16),
    "i32": torch.tensor([[-(2**31), 5]], dtype=torch.int32),
    "u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
    "bool": torch.tensor([True, False, True]),
    "c64": torch.tensor([1 + 2j, -0.5j], dtype=torch.complex64),
    "scalar": torch.tensor(3.25, dtype=torch.float32),
    "empty": torch.zeros(0, 3, dtype=torch.float32),
    # a transposed (2, 3) -> (3, 2) tensor, made contiguous as safetensors requires
    "f32_t": (torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1).t().contiguous(),
}
metadata = {"format": "pt", "source": "tools/gen_safetensors_fixture.py"}

save_file(tensors, OUT, metadata=metadata)
print("wrote", os.path.normpath(OUT))
print("f16[8] (0.1) =", repr(tensors["f16"][8].item()))
print("bf16[1, 0] (0.1) =", repr(tensors["bf16"][1, 0].item()))
