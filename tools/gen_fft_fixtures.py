#!/usr/bin/env python3
"""Writes tests/fixtures/fft_ops.safetensors with PyTorch's torch.fft, for
tests/fixture/test_fft_torch.cpp, which compares fftune's FFT ops (ops/fft.cpp) with it.

Run by hand, never in CI:  python3 tools/gen_fft_fixtures.py
Last run with: torch 2.15.0+cu132 (CPU), safetensors 0.8.0, Python 3.11.7 (also recorded in the
file's metadata).

One case per (op, norm, shape, precision), named "<op>/<norm>/<shape>/<precision>/<role>":
  x     the input                      size  i64: the n (1-D) or s (2-D) argument, -1 = default
  y     op(x, n or s, norm)            g     a random output gradient (y's shape and dtype)
  dx    the input gradient of sum(Re(conj(g)·y)) (torch's autograd, x.grad after y.backward(g))
Complex values are stored as F64 (..., 2) (real, imag) pairs (torch.view_as_real) in f64 cases,
since safetensors has no complex128 type, and as C64 in f32 cases.
The inputs of irfft and irfft2 are half spectra of real tensors (rfft/rfft2 of a real x), so
their self-mirrored columns are Hermitian: the c2r of anything else is implementation-defined
(see Note [FFT adjoints] in ops/fft.cpp).
"""
import os
import platform

import safetensors
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "fft_ops.safetensors")

SHAPES = [(4, 6), (5, 7), (8, 5), (2, 3, 4)]
NORMS = ["backward", "ortho", "forward"]
OPS = ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2"]
# A few cases that cut or pad the input: (op, shape, n or s).
# For irfft/irfft2 the shape is that of the real tensor whose half spectrum is the input; a cut
# keeps it Hermitian, and so does a pad of the last dim that only adds zero bins past the old ones.
SIZED = [("fft", (3, 5), [8]), ("ifft", (3, 6), [4]), ("rfft", (2, 6), [9]),
         ("irfft", (2, 7), [5]), ("irfft", (2, 7), [10]), ("irfft", (3, 8), [-1]),
         ("fft2", (3, 4), [5, 3]), ("rfft2", (4, 5), [3, 8]), ("irfft2", (4, 6), [4, 5]),
         ("irfft2", (3, 6), [-1, -1])]

gen = torch.Generator().manual_seed(20240503)


def randn(shape, dtype):
    if dtype.is_complex:
        real = torch.float64 if dtype == torch.complex128 else torch.float32
        return torch.complex(torch.randn(shape, dtype=real, generator=gen),
                             torch.randn(shape, dtype=real, generator=gen))
    return torch.randn(shape, dtype=dtype, generator=gen)


def make_input(op, shape, real, cplx):
    """The input of `op`: of `shape`, or for irfft/irfft2 the half spectrum of a real `shape`."""
    if op in ("rfft", "rfft2"):
        return randn(shape, real)
    if op == "irfft":
        return torch.fft.rfft(randn(shape, real))
    if op == "irfft2":
        return torch.fft.rfft2(randn(shape, real))
    return randn(shape, cplx)


def run(op, x, size, norm):
    f = getattr(torch.fft, op)
    if size[0] == -1:
        return f(x, norm=norm)
    if op.endswith("2"):
        return f(x, s=size, norm=norm)
    return f(x, n=size[0], norm=norm)


def stored(t, precision):
    t = t.detach()
    if t.is_complex() and precision == "f64":
        return torch.view_as_real(t).contiguous()
    return t.contiguous()


def add_case(tensors, op, norm, tag, precision, shape, size):
    real = torch.float64 if precision == "f64" else torch.float32
    cplx = torch.complex128 if precision == "f64" else torch.complex64
    x = make_input(op, shape, real, cplx).detach().requires_grad_(True)
    y = run(op, x, size, norm)
    g = randn(tuple(y.shape), y.dtype)
    y.backward(g)
    name = f"{op}/{norm}/{tag}/{precision}"
    tensors[name + "/x"] = stored(x, precision)
    tensors[name + "/y"] = stored(y, precision)
    tensors[name + "/g"] = stored(g, precision)
    tensors[name + "/dx"] = stored(x.grad, precision)
    tensors[name + "/size"] = torch.tensor(size, dtype=torch.int64)


def main():
    tensors = {}
    for op in OPS:
        for shape in SHAPES:
            # The default sizes; irfft/irfft2 get the real shape's sizes, so that odd output
            # lengths (which the default 2·(bins−1) never gives) are covered.
            if op == "irfft":
                default = [shape[-1]]
            elif op == "irfft2":
                default = list(shape[-2:])
            else:
                default = [-1, -1] if op.endswith("2") else [-1]
            tag = "x".join(map(str, shape))
            for norm in NORMS:
                add_case(tensors, op, norm, tag, "f64", shape, default)
            add_case(tensors, op, "backward", tag, "f32", shape, default)
    for op, shape, size in SIZED:
        tag = "x".join(map(str, shape)) + "_s" + "x".join(map(str, size))
        for norm in NORMS:
            add_case(tensors, op, norm, tag, "f64", shape, size)
    metadata = {
        "source": "tools/gen_fft_fixtures.py",
        "torch": torch.__version__,
        "safetensors": safetensors.__version__,
        "python": platform.python_version(),
        "complex_f64": "F64 (..., 2) real/imag pairs (torch.view_as_real)",
    }
    save_file(tensors, OUT, metadata=metadata)
    print("wrote", os.path.normpath(OUT), len(tensors), "tensors,",
          os.path.getsize(OUT), "bytes; torch", torch.__version__)


if __name__ == "__main__":
    main()
