#!/usr/bin/env python3
"""Writes tests/fixtures/peft_entries.json: the spectral entries HF peft's FourierFT draws, for
tests/fixture/test_peft_entries.cpp (see Note [peft permutation] in fourierft/entries.h).

Run by hand, never in CI:  python3 tools/gen_entries_fixtures.py
Last run with: torch 2.15.0+cu132 (CPU generator), peft 0.21.2, numpy 2.4.6, Python 3.

Contents:
  generator: per seed, the first raw 32-bit draws of torch.Generator().manual_seed(seed) and the
    first 64-bit draws (random64). torch exposes neither directly; an int64 tensor's
    random_(-2**63, None) takes one random64() per element and returns it as is (as int64), and
    random64() = (first draw << 32) | second draw, so the 32-bit stream is read off the same call
    (cross-checked here against numpy's legacy MT19937 seeding, an independent implementation).
  randperm: per (d1, d2, n, seed), torch.randperm(d1*d2, generator=...)[:n], which is what peft
    keeps (row = idx // d2, col = idx % d2).
  peft: per (d1, d2, n, seed), the `indices` buffer (2, n) of a real peft FourierFT layer built on
    nn.Linear(d2, d1), i.e. peft's own code path.
  randperm_large: torch.randperm for n on both sides of the algorithm switch at UINT32_MAX // 20
    (Fisher-Yates with random() below, inside-out with random64() from there on): the first and
    last entries and a checksum sum_i perm[i] * (2i + 1) mod 2**64 of the whole permutation.
    Needs about 6 GB of RAM and a minute.
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "peft_entries.json")

SEEDS = [0, 777, 2024, 2**32 + 5, 2**64 - 1]


def generator_draws(seed, count=8):
    g = torch.Generator().manual_seed(seed)
    r64 = torch.empty(count, dtype=torch.int64).random_(-(2**63), None, generator=g)
    r64 = [int(x) & (2**64 - 1) for x in r64]
    r32 = []
    for x in r64:
        r32 += [x >> 32, x & 0xFFFFFFFF]
    legacy = np.random.RandomState(seed & 0xFFFFFFFF)._bit_generator.random_raw(2 * count)
    assert [int(x) for x in legacy] == r32, f"torch and numpy MT19937 disagree for seed {seed}"
    # random64 of a fresh generator: the pairs of the same stream.
    return {"seed": seed, "random": r32[:count], "random64": r64[: count // 2],
            "random64_after": r64[count // 2:]}


def randperm_prefix(d1, d2, n, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randperm(d1 * d2, generator=g)[:n].tolist()


def peft_indices(d1, d2, n, seed):
    from peft import FourierFTConfig, get_peft_model

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Linear(d2, d1)  # weight (out, in) = (d1, d2)

        def forward(self, x):
            return self.proj(x)

    cfg = FourierFTConfig(n_frequency=n, random_loc_seed=seed, target_modules=["proj"])
    model = get_peft_model(Tiny(), cfg)
    layer = model.base_model.model.proj
    indices = layer.indices["default"]
    assert tuple(indices.shape) == (2, n)
    # peft's own flat order must be the randperm prefix (a cross-check of the fixture itself).
    flat = (indices[0] * d2 + indices[1]).tolist()
    assert flat == randperm_prefix(d1, d2, n, seed)
    return {"d1": d1, "d2": d2, "n": n, "seed": seed,
            "rows": indices[0].tolist(), "cols": indices[1].tolist()}


def checksum(perm):
    acc = 0
    chunk = 1 << 24
    for start in range(0, perm.shape[0], chunk):
        p = perm[start:start + chunk].astype(np.uint64)
        w = np.arange(start, start + p.shape[0], dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        acc = (acc + int(np.sum(p * w, dtype=np.uint64))) % 2**64  # numpy wraps mod 2**64
    return acc


def randperm_large(n, seed, head=64, tail=16):
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(n, generator=g).numpy()
    out = {"n": n, "seed": seed, "head": perm[:head].tolist(), "tail": perm[-tail:].tolist(),
           "checksum": checksum(perm)}
    del perm
    return out


def main():
    randperm_cases = [
        (768, 768, 1000, 0), (768, 768, 1000, 777),
        (768, 3072, 1000, 2024), (3072, 768, 1000, 777),
        (64, 48, 500, 0), (64, 48, 500, 2**32 + 5),
        (5, 7, 35, 0), (5, 7, 35, 777), (5, 7, 35, 2**64 - 1),
        (4096, 4096, 2000, 777),
        (1, 1, 1, 777), (1, 2, 2, 0), (3, 1, 2, 2024),
    ]
    peft_cases = [(64, 48, 100, 777), (32, 80, 200, 2024), (5, 7, 35, 0)]
    threshold = (2**32 - 1) // 20
    data = {
        "torch_version": torch.__version__,
        "peft_version": __import__("peft").__version__,
        "randperm_large_threshold": threshold,
        "generator": [generator_draws(s) for s in SEEDS],
        "randperm": [{"d1": d1, "d2": d2, "n": n, "seed": s, "indices": randperm_prefix(d1, d2, n, s)}
                     for (d1, d2, n, s) in randperm_cases],
        "peft": [peft_indices(*c) for c in peft_cases],
        "randperm_large": [randperm_large(threshold - 1, 777), randperm_large(threshold, 777)],
    }
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
