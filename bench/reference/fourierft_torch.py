#!/usr/bin/env python3
"""PyTorch twin of bench/bench_fourierft.cpp: what HF peft's FourierFT layer does for the same
work — a dense complex spectrum with the coefficients scattered in, torch.fft.ifft2, .real,
times the scale, then autograd back to the coefficients (peft loops over layers, so 24 layers
are 24 such graphs). And the FourierFT linear layer's backward at the RoBERTa q/v shape the way
peft runs it: x·(W0 + ΔW)ᵀ + b with W0 frozen. Threads: FFTUNE_NUM_THREADS (default 2).
Prints {"torch": version, "threads": N, "results": {name: {"ms": median}}}."""
import json
import os
import statistics
import time

import torch


def median_ms(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def peft_delta(spectrum, indices, d1, d2, scale):
    # peft/tuners/fourierft/layer.py, FourierFTLayer.get_delta_weight
    dense = torch.zeros(d1, d2, dtype=spectrum.dtype)
    dense[indices[0], indices[1]] = spectrum
    return torch.fft.ifft2(dense).real * scale


def main():
    threads = int(os.environ.get("FFTUNE_NUM_THREADS", "2"))
    reps = int(os.environ.get("BENCH_REPS", "7"))
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(0)
    results = {}
    for d1, d2, n, layers in [(768, 768, 1000, 1), (768, 3072, 1000, 1), (1024, 1024, 1000, 1),
                              (4096, 4096, 2000, 1), (768, 768, 1000, 24), (768, 3072, 1000, 24),
                              (1024, 1024, 1000, 24)]:
        idx = torch.randperm(d1 * d2, generator=torch.Generator().manual_seed(2024))[:n]
        indices = torch.stack([idx // d2, idx % d2])
        spectra = [torch.randn(n, generator=gen).requires_grad_() for _ in range(layers)]
        grads = [torch.randn(d1, d2, generator=gen) for _ in range(layers)]

        def step():
            for s, g in zip(spectra, grads):
                peft_delta(s, indices, d1, d2, 300.0).backward(g)
                s.grad = None

        results[f"delta_fwd_bwd/{d1}x{d2}_n{n}_L{layers}"] = {"ms": median_ms(step, reps)}

    tokens, d, n = 1024, 768, 1000
    idx = torch.randperm(d * d, generator=torch.Generator().manual_seed(2024))[:n]
    indices = torch.stack([idx // d, idx % d])
    x = torch.randn(tokens, d, generator=gen).requires_grad_()
    w0 = torch.randn(d, d, generator=gen)
    b = torch.randn(d, generator=gen)
    spectrum = torch.randn(n, generator=gen).requires_grad_()
    gy = torch.randn(tokens, d, generator=gen)

    def linear_backward():
        y = torch.nn.functional.linear(x, w0 + peft_delta(spectrum, indices, d, d, 29.0), b)
        t0 = time.perf_counter()
        y.backward(gy)
        x.grad = None
        spectrum.grad = None
        return (time.perf_counter() - t0) * 1e3

    linear_backward()
    results["linear_bwd/T1024_768_n1000_peft"] = {
        "ms": statistics.median(linear_backward() for _ in range(reps))}
    print(json.dumps({"torch": torch.__version__, "threads": threads, "results": results}))


if __name__ == "__main__":
    main()
