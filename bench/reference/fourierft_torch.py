#!/usr/bin/env python3
"""PyTorch twin of bench/bench_fourierft.cpp (CPU) and of the FourierFT part of
bench/bench_cuda.cpp (--device cuda): what HF peft's FourierFT layer does for the same work — a
dense complex spectrum with the coefficients scattered in, torch.fft.ifft2, .real, times the
scale, then autograd back to the coefficients (peft loops over layers, so 24 layers are 24 such
graphs). And the FourierFT linear layer the way peft runs it: x·(W0 + ΔW)ᵀ + b with W0 frozen
(on the CPU its backward at the RoBERTa q/v shape; on the GPU forward + backward at the
RoBERTa-base and ViT-B token counts). Threads (CPU): FFTUNE_NUM_THREADS (default 2).
Prints {"torch": version, "device": ..., "threads": N, "results": {name: {"ms": median}}}; the
names are those of the C++ benchmarks, so the two can be compared line by line."""
import argparse
import json
import os
import statistics
import time

import torch


def median_ms(fn, reps, sync):
    fn()
    times = []
    for _ in range(reps):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def peft_delta(spectrum, indices, d1, d2, scale):
    # peft/tuners/fourierft/layer.py, FourierFTLayer.get_delta_weight
    dense = torch.zeros(d1, d2, dtype=spectrum.dtype, device=spectrum.device)
    dense[indices[0], indices[1]] = spectrum
    return torch.fft.ifft2(dense).real * scale


def peft_indices(d1, d2, n, device):
    idx = torch.randperm(d1 * d2, generator=torch.Generator().manual_seed(2024))[:n]
    return torch.stack([idx // d2, idx % d2]).to(device)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    threads = int(os.environ.get("FFTUNE_NUM_THREADS", "2"))
    reps = int(os.environ.get("BENCH_REPS", "7" if args.device == "cpu" else "20"))
    torch.set_num_threads(threads)
    sync = torch.cuda.synchronize if args.device == "cuda" else (lambda: None)
    gen = torch.Generator().manual_seed(0)

    def randn(*shape):
        return torch.randn(*shape, generator=gen).to(device)

    if args.device == "cpu":
        delta_shapes = [(768, 768, 1000, 1), (768, 3072, 1000, 1), (1024, 1024, 1000, 1),
                        (4096, 4096, 2000, 1), (768, 768, 1000, 24), (768, 3072, 1000, 24),
                        (1024, 1024, 1000, 24)]
    else:  # bench/bench_cuda.cpp: RoBERTa-base (n = 1000) and ViT-B (n = 3000), 24 layers
        delta_shapes = [(768, 768, 1000, 1), (768, 768, 1000, 24), (768, 768, 3000, 24)]
    results = {}
    for d1, d2, n, layers in delta_shapes:
        indices = peft_indices(d1, d2, n, device)
        spectra = [randn(n).requires_grad_() for _ in range(layers)]
        grads = [randn(d1, d2) for _ in range(layers)]

        def step():
            for s, g in zip(spectra, grads):
                peft_delta(s, indices, d1, d2, 300.0).backward(g)
                s.grad = None

        results[f"delta_fwd_bwd/{d1}x{d2}_n{n}_L{layers}"] = {"ms": median_ms(step, reps, sync)}

    if args.device == "cpu":
        tokens, d, n = 1024, 768, 1000
        indices = peft_indices(d, d, n, device)
        x = randn(tokens, d).requires_grad_()
        w0, b = randn(d, d), randn(d)
        spectrum = randn(n).requires_grad_()
        gy = randn(tokens, d)

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
    else:
        for tokens, d, n in [(4096, 768, 1000), (12608, 768, 3000)]:
            indices = peft_indices(d, d, n, device)
            x = randn(tokens, d).requires_grad_()
            w0, b = randn(d, d), randn(d)
            spectrum = randn(n).requires_grad_()
            gy = randn(tokens, d)

            def linear_fwd_bwd():
                delta = peft_delta(spectrum, indices, d, d, 29.0)
                torch.nn.functional.linear(x, w0 + delta, b).backward(gy)
                x.grad = None
                spectrum.grad = None

            results[f"linear_fwd_bwd/T{tokens}_{d}_n{n}_peft"] = {
                "ms": median_ms(linear_fwd_bwd, reps, sync)}
    print(json.dumps({"torch": torch.__version__, "device": args.device, "threads": threads,
                      "results": results}))


if __name__ == "__main__":
    main()
