#!/usr/bin/env python3
"""PyTorch twin of bench/bench_fft.cpp: the same FFT shapes timed with torch's CPU FFT.

Prints one JSON object per line: {"name": <the bench_fft benchmark name>, "ms": <median>}.
Threads: --threads (default: $FFTUNE_NUM_THREADS, else torch's default), set with
torch.set_num_threads so both sides use the same count.
"""
import argparse
import json
import os
import statistics
import time

import torch

SHAPES_2D = [(768, 768), (768, 3072), (1024, 1024), (3072, 768), (4096, 4096)]
ROWS = [(1024, 768), (4096, 768)]


def median_ms(fn, runs, min_seconds=0.5):
    """Median wall time of fn() in ms over >= `runs` timed runs (more for fast ones)."""
    fn()  # warm-up: plan creation, page faults
    times = []
    start = time.perf_counter()
    while len(times) < runs or (time.perf_counter() - start < min_seconds and len(times) < 50):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def cases():
    for n0, n1 in SHAPES_2D:
        for batch in (1, 24):
            if batch == 24 and n0 * n1 >= 4096 * 4096:
                continue  # skipped in bench_fft.cpp too (1.6 GB per side)
            yield "r2c_2d", n0, n1, batch
    for n0, n1 in SHAPES_2D:
        for batch in (1, 24):
            if batch == 24 and n0 * n1 >= 4096 * 4096:
                continue
            yield "c2r_2d", n0, n1, batch
    for rows, n in ROWS:
        yield "rows_r2c", rows, n, None


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    default_threads = int(os.environ.get("FFTUNE_NUM_THREADS", torch.get_num_threads()))
    parser.add_argument("--threads", type=int, default=default_threads)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--filter", default="", help="only names containing this string")
    parser.add_argument("--exact", default="", help="only the case with exactly this name")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(0)

    for kind, a, b, batch in cases():
        if kind == "rows_r2c":
            name = f"BM_rows_r2c/{a}/{b}"
            if args.filter not in name or (args.exact and name != args.exact):
                continue
            x = torch.rand(a, b, generator=gen) * 2 - 1
            ms = median_ms(lambda: torch.fft.rfft(x, dim=-1), args.runs)
        else:
            name = f"BM_{kind}/{a}/{b}/{batch}"
            if args.filter not in name or (args.exact and name != args.exact):
                continue
            shape = (batch, a, b) if batch > 1 else (a, b)
            x = torch.rand(*shape, generator=gen) * 2 - 1
            if kind == "r2c_2d":
                ms = median_ms(lambda: torch.fft.rfft2(x), args.runs)
            else:
                spectrum = torch.fft.rfft2(x)
                ms = median_ms(lambda: torch.fft.irfft2(spectrum, s=(a, b), norm="forward"), args.runs)
            del x
        print(json.dumps({"name": name, "ms": ms, "threads": args.threads}), flush=True)


if __name__ == "__main__":
    with torch.inference_mode():
        main()
