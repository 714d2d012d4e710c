#!/usr/bin/env python3
"""PyTorch twin of bench/bench_gemm.cpp: the same shapes through torch.matmul / torch.bmm (and
the ViT patch-embedding conv through torch.nn.functional.conv2d), on torch.set_num_threads(N)
CPU threads (N = FFTUNE_NUM_THREADS, default 2). Prints one JSON object:
{"torch": version, "threads": N, "results": {name: {"ms": median, "gflops": ...}}}."""
import json
import os
import statistics
import time

import torch

SHAPES = [  # name, trans_a, trans_b, batch, m, n, k  (row-major, as in bench_gemm.cpp)
    ("fwd_768x768", False, True, 1, 4096, 768, 768),
    ("fwd_3072x768", False, True, 1, 4096, 3072, 768),
    ("dX_768x768", False, False, 1, 4096, 768, 768),
    ("dX_768x3072", False, False, 1, 4096, 768, 3072),
    ("dW_768x768", True, False, 1, 768, 768, 4096),
    ("dW_3072x768", True, False, 1, 3072, 768, 4096),
    ("attn_QKt_96x128x128x64", False, True, 96, 128, 128, 64),
    ("attn_PV_96x128x64x128", False, False, 96, 128, 64, 128),
    ("patch_gemm_8x768x196x768", False, False, 8, 768, 196, 768),
]


def median_ms(fn, reps):
    fn()  # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def operand(trans, batch, rows, cols, gen):
    # Stored as (cols, rows) and viewed transposed when trans, so no copy is timed.
    shape = (batch, cols, rows) if trans else (batch, rows, cols)
    x = torch.rand(shape, generator=gen) * 2 - 1
    x = x.transpose(1, 2) if trans else x
    return x[0] if batch == 1 else x


def main():
    threads = int(os.environ.get("FFTUNE_NUM_THREADS", "2"))
    reps = int(os.environ.get("BENCH_REPS", "9"))
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(0)
    results = {}
    with torch.no_grad():
        for name, ta, tb, batch, m, n, k in SHAPES:
            a = operand(ta, batch, m, k, gen)
            b = operand(tb, batch, k, n, gen)
            out = torch.empty((m, n) if batch == 1 else (batch, m, n))
            fn = (lambda a=a, b=b, out=out: torch.matmul(a, b, out=out)) if batch == 1 else (
                lambda a=a, b=b, out=out: torch.bmm(a, b, out=out))
            ms = median_ms(fn, reps)
            results["gemm/" + name] = {"ms": ms, "gflops": 2.0 * batch * m * n * k / ms * 1e-6}
        x = torch.rand((8, 3, 224, 224), generator=gen)
        w = torch.rand((768, 3, 16, 16), generator=gen)
        bias = torch.rand(768, generator=gen)
        ms = median_ms(lambda: torch.nn.functional.conv2d(x, w, bias, stride=16), reps)
        results["conv2d/patch_embed_fwd_8x3x224x224_768"] = {
            "ms": ms, "gflops": 2.0 * 8 * 768 * 196 * 768 / ms * 1e-6}
    print(json.dumps({"torch": torch.__version__, "threads": threads, "results": results}))


if __name__ == "__main__":
    main()
