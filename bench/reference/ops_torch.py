#!/usr/bin/env python3
"""PyTorch twin of bench/bench_ops.cpp: softmax, layer_norm, gelu and add at 4096×3072 f32,
forward (no grad) and backward (forward excluded), and a clone. Threads: FFTUNE_NUM_THREADS
(default 2). Prints {"torch": version, "threads": N, "results": {name: {"ms": median}}}."""
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F

ROWS, COLS = 4096, 3072


def median(samples):
    return statistics.median(samples)


def time_forward(f, x, reps):
    with torch.no_grad():
        f(x)
        out = []
        for _ in range(reps):
            t0 = time.perf_counter()
            f(x)
            out.append((time.perf_counter() - t0) * 1e3)
    return median(out)


def time_backward(f, x, g, reps):
    out = []
    for _ in range(reps + 1):
        y = f(x)
        t0 = time.perf_counter()
        y.backward(g)
        out.append((time.perf_counter() - t0) * 1e3)
        x.grad = None
    return median(out[1:])


def main():
    threads = int(os.environ.get("FFTUNE_NUM_THREADS", "2"))
    reps = int(os.environ.get("BENCH_REPS", "5"))
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(ROWS, COLS, generator=gen)
    g = torch.randn(ROWS, COLS, generator=gen)
    other = torch.randn(ROWS, COLS, generator=gen)
    gamma, beta = torch.ones(COLS), torch.zeros(COLS)
    ops = {
        "softmax": lambda t: torch.softmax(t, -1),
        "layer_norm": lambda t: F.layer_norm(t, (COLS,), gamma, beta),
        "gelu": lambda t: F.gelu(t),
        "add": lambda t: t + other,
        "dropout": lambda t: F.dropout(t, 0.1, training=True),
    }
    results = {}
    for name, f in ops.items():
        results[f"{name}_fwd/4096x3072"] = {"ms": time_forward(f, x, reps)}
        xg = x.clone().requires_grad_()
        results[f"{name}_bwd/4096x3072"] = {"ms": time_backward(f, xg, g, reps)}
    results["copy/4096x3072"] = {"ms": time_forward(lambda t: t.clone(), x, reps)}
    print(json.dumps({"torch": torch.__version__, "threads": threads, "results": results}))


if __name__ == "__main__":
    main()
