#!/usr/bin/env python3
"""Writes tests/fixtures/ops.safetensors with PyTorch, for tests/fixture/test_ops_torch.cpp, which
runs every differentiable op of ops/ops.h through fftune and compares values and gradients.

Run by hand, never in CI:  python3 tools/gen_op_fixtures.py
Last run with: torch 2.15.0+cu132 (CPU), safetensors 0.8.0, numpy 2.4.6, Python 3.11.7 (also
recorded in the file's __metadata__).

One case per (op, case name). For the case "<op>/<case>" the file holds
  <op>/<case>/in<i>    the i-th input, contiguous (f32, c64 for complex, i64 for indices, BOOL
                       for conditions and masks)
  <op>/<case>/out<j>   the j-th output (f32, c64, or i64 for indices)
  <op>/<case>/gout<j>  a random output gradient, for each differentiable output
  <op>/<case>/gin<i>   the gradient of input i (torch autograd), for each input in "grad"
and __metadata__["<op>/<case>"] is a JSON object with the case's parameters:
  "inputs"     the role of each input in order ("x", "weight", "target", ...)
  "grad"       the roles that require grad (the others are constants, or frozen on purpose)
  "transpose"  {role: [d0, d1]}: the op's input is in<i>.transpose(d0, d1), a non-contiguous
               view; gin<i> is the gradient of that view (the op input's shape)
and the op's own parameters (dim, dims, keepdim, correction, eps, ignore_index,
label_smoothing, reduction, stride, padding, approximate, exponent, scalar, value, p, training,
normalized_shape, min, max — null for a missing clamp bound).

The inputs are f32 values; torch computes in f64 from them and the results are rounded to f32,
so the expected values are accurate to f32 rounding and a test's tolerance measures fftune's
error alone, not the sum of two f32 errors.

Dropout: only the deterministic cases are here (training=False, and p=0): fftune draws its masks
with Philox from fftune's own Generator, which by design does not reproduce torch's mask
stream; tests/unit/test_dropout.cpp checks the random masks' statistics instead.
Modules ("module_linear", "module_mlp"): nn::Linear and a two-layer MLP with torch.nn.Linear's
parameters, which are inputs named as named_parameters() names them ("fc1.weight", ...);
the C++ test copies them into the fftune module and compares the module parameters' gradients.
The optimizers have their own fixture: tools/gen_optim_fixtures.py.
FFT ops (fft, ifft, rfft, irfft and the 2-D forms) have their own, larger fixture:
tools/gen_fft_fixtures.py -> tests/fixtures/fft_ops.safetensors.
"""
import json
import os
import platform

import numpy
import safetensors
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "ops.safetensors")

gen = torch.Generator().manual_seed(20240517)


def randn(*shape):
    return torch.randn(shape, generator=gen, dtype=torch.float32)


def positive(*shape):
    """Away from 0: for log, sqrt, rsqrt, fractional powers, divisors."""
    return torch.rand(shape, generator=gen, dtype=torch.float32) * 2 + 0.25


def nonzero(*shape):
    """|v| in [0.25, 2.25) with a random sign: divisors, abs and relu away from their kinks."""
    sign = torch.randint(0, 2, shape, generator=gen).float() * 2 - 1
    return sign * positive(*shape)


def crandn(*shape):
    return torch.complex(randn(*shape), randn(*shape))


def randint(high, *shape):
    return torch.randint(0, high, shape, generator=gen, dtype=torch.int64)


def mask(*shape):
    return torch.randint(0, 2, shape, generator=gen).bool()


def wide(t):
    """The f64 (c128) twin of a stored f32 (c64) tensor; indices and masks are left alone."""
    if t.dtype == torch.float32:
        return t.double()
    if t.dtype == torch.complex64:
        return t.to(torch.complex128)
    return t


def narrow(t):
    """Back to the stored precision: f64 -> f32, c128 -> c64."""
    t = t.detach().resolve_conj().resolve_neg()
    if t.dtype == torch.float64:
        t = t.float()
    elif t.dtype == torch.complex128:
        t = t.to(torch.complex64)
    return t.contiguous()


def random_like(t):
    if t.is_complex():
        return crandn(*t.shape)
    return randn(*t.shape)


tensors = {}
metadata = {}


def case(op, name, fn, inputs, params=None, grad=None, transpose=None):
    """Records one case. inputs: [(role, tensor in the op's shape)]; grad: the roles that require
    grad (default: every floating or complex input); transpose: {role: (d0, d1)} for inputs that
    the op receives as a non-contiguous transposed view."""
    params = dict(params or {})
    transpose = dict(transpose or {})
    roles = [role for role, _ in inputs]
    if grad is None:
        grad = [r for r, t in inputs if t.is_floating_point() or t.is_complex()]
    key = f"{op}/{name}"
    assert key not in metadata, key
    leaves, views = [], []
    for i, (role, t) in enumerate(inputs):
        # Stored contiguously; a transposed input is stored as the transpose of the op's view.
        stored = t.transpose(*transpose[role]).contiguous() if role in transpose else t
        tensors[f"{key}/in{i}"] = stored.clone().contiguous()
        leaf = wide(stored).clone().requires_grad_(role in grad)
        leaves.append(leaf)
        views.append(leaf.transpose(*transpose[role]) if role in transpose else leaf)
    outs = fn(*views)
    outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
    backward_outs, gouts = [], []
    for j, y in enumerate(outs):
        tensors[f"{key}/out{j}"] = narrow(y)
        if y.requires_grad:
            g = random_like(narrow(y))
            tensors[f"{key}/gout{j}"] = g
            backward_outs.append(y)
            gouts.append(wide(g))
    if grad:
        assert backward_outs, key
        torch.autograd.backward(backward_outs, gouts)
    for i, (role, _) in enumerate(inputs):
        if role not in grad:
            continue
        leaf = leaves[i]
        g = leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)
        tensors[f"{key}/gin{i}"] = narrow(g.transpose(*transpose[role]) if role in transpose else g)
    params.update({"inputs": roles, "grad": grad,
                   "transpose": {r: list(d) for r, d in transpose.items()}})
    metadata[key] = json.dumps(params, sort_keys=True)


# A few cases have 63·521 or 32771 elements: above ops/cpu/loops.h's kParallelGrain (32768),
# so the threaded kernels (blocked sums, per-thread partial dweight) meet torch too.


def unary_cases():
    ops = {"neg": torch.neg, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt,
           "rsqrt": torch.rsqrt, "abs": torch.abs, "tanh": torch.tanh,
           "sigmoid": torch.sigmoid, "relu": torch.relu}
    domain = {"log": positive, "sqrt": positive, "rsqrt": positive, "abs": nonzero,
              "relu": nonzero}
    for op, f in ops.items():
        make = domain.get(op, randn)
        case(op, "7", f, [("x", make(7))])
        case(op, "2x3x5", f, [("x", make(2, 3, 5))])
        case(op, "4x5_t", f, [("x", make(4, 5))], transpose={"x": (0, 1)})
    for approximate in ["none", "tanh"]:
        f = lambda x, a=approximate: torch.nn.functional.gelu(x, approximate=a)
        p = {"approximate": approximate}
        case("gelu", f"{approximate}/7", f, [("x", randn(7) * 2)], p)
        case("gelu", f"{approximate}/2x3x5", f, [("x", randn(2, 3, 5) * 2)], p)
        case("gelu", f"{approximate}/4x5_t", f, [("x", randn(4, 5) * 2)], p,
             transpose={"x": (0, 1)})
    # Integer exponents on any sign; fractional ones on positive bases only.
    for exponent, make, shape, t in [
            (2.0, randn, (7,), None), (3.0, randn, (2, 3, 5), None),
            (0.5, positive, (4, 5), (0, 1)), (-1.5, positive, (7,), None),
            (2.5, positive, (2, 3, 5), None), (-2.0, nonzero, (3, 4), None)]:
        tag = "x".join(map(str, shape)) + ("_t" if t else "")
        case("pow", f"e{exponent}/{tag}", lambda x, e=exponent: torch.pow(x, e),
             [("x", make(*shape))], {"exponent": exponent}, transpose={"x": t} if t else None)


def binary_cases():
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
           "maximum": torch.maximum}
    for op, f in ops.items():
        b_make = nonzero if op == "div" else randn
        case(op, "3x5", f, [("a", randn(3, 5)), ("b", b_make(3, 5))])
        case(op, "2x3x4_by_3x1", f, [("a", randn(2, 3, 4)), ("b", b_make(3, 1))])
        case(op, "4x1_by_1x5", f, [("a", randn(4, 1)), ("b", b_make(1, 5))])
        case(op, "3x4_by_0d", f, [("a", randn(3, 4)), ("b", b_make())])
        case(op, "3x4_t_by_4", f, [("a", randn(3, 4)), ("b", b_make(4))],
             transpose={"a": (0, 1)})
    # tensor ∘ scalar
    for op, f in ops.items():
        if op == "maximum":
            continue
        case(op + "_scalar", "3x5", lambda x, f=f: f(x, 1.5), [("x", randn(3, 5))],
             {"scalar": 1.5})
        case(op + "_scalar", "2x3x4_t", lambda x, f=f: f(x, -0.75), [("x", randn(2, 3, 4))],
             {"scalar": -0.75}, transpose={"x": (1, 2)})


def select_cases():
    case("where", "3x4", torch.where,
         [("cond", mask(3, 4)), ("a", randn(3, 4)), ("b", randn(3, 4))])
    case("where", "3x1_by_3x4_by_4", torch.where,
         [("cond", mask(3, 1)), ("a", randn(3, 4)), ("b", randn(4))])
    case("where", "2x3x4_t", torch.where,
         [("cond", mask(2, 3, 4)), ("a", randn(2, 3, 4)), ("b", randn(1, 4))],
         transpose={"a": (0, 2)})
    fill = lambda x, m, v=-2.5: x.masked_fill(m, v)
    case("masked_fill", "3x4", fill, [("x", randn(3, 4)), ("mask", mask(3, 4))], {"value": -2.5})
    case("masked_fill", "2x3x4_by_4", fill, [("x", randn(2, 3, 4)), ("mask", mask(4))],
         {"value": -2.5})
    case("masked_fill", "4x5_t", fill, [("x", randn(4, 5)), ("mask", mask(4, 1))],
         {"value": -2.5}, transpose={"x": (0, 1)})


def reduction_cases():
    for op in ["sum", "mean"]:
        f = getattr(torch, op)
        for name, shape, dims, keepdim, t in [
                ("all/3x5", (3, 5), [], False, None), ("d1/3x5", (3, 5), [1], False, None),
                ("d02_keep/2x3x5", (2, 3, 5), [0, 2], True, None),
                ("dm1/4x5_t", (4, 5), [-1], False, (0, 1)), ("d0/7", (7,), [0], False, None),
                ("all/32771", (32771,), [], False, None)]:
            fn = (lambda x, d=dims, k=keepdim, f=f: f(x, d, keepdim=k)) if dims else f
            case(op, name, fn, [("x", randn(*shape))], {"dims": dims, "keepdim": keepdim},
                 transpose={"x": t} if t else None)
    for name, shape, dims, correction, keepdim, shift, t in [
            ("all/3x5", (3, 5), [], 1, False, 0.0, None),
            ("d1_c0_keep/3x5", (3, 5), [1], 0, True, 0.0, None),
            ("d02/2x3x5", (2, 3, 5), [0, 2], 1, False, 0.0, None),
            ("dm1_c2/4x5_t", (4, 5), [-1], 2, False, 0.0, (0, 1)),
            ("d0_shifted/9x3", (9, 3), [0], 1, False, 4.0, None)]:
        fn = lambda x, d=dims, c=correction, k=keepdim: torch.var(
            x, dim=d if d else None, correction=c, keepdim=k)
        case("var", name, fn, [("x", randn(*shape) + shift)],
             {"dims": dims, "correction": correction, "keepdim": keepdim})
    for name, shape, dim, keepdim, t in [("d1/3x5", (3, 5), 1, False, None),
                                         ("d0_keep/3x5", (3, 5), 0, True, None),
                                         ("dm1/2x3x5", (2, 3, 5), -1, False, None),
                                         ("d1/2x3x5", (2, 3, 5), 1, True, None),
                                         ("d0/4x5_t", (4, 5), 0, False, (0, 1))]:
        p = {"dim": dim, "keepdim": keepdim}
        tr = {"x": t} if t else None
        case("max", name, lambda x, d=dim, k=keepdim: tuple(torch.max(x, d, keepdim=k)),
             [("x", randn(*shape))], p, transpose=tr)
        case("argmax", name, lambda x, d=dim, k=keepdim: torch.argmax(x, d, keepdim=k),
             [("x", randn(*shape))], p, grad=[], transpose=tr)
    case("max_all", "3x5", torch.max, [("x", randn(3, 5))])
    case("max_all", "2x3x4_t", torch.max, [("x", randn(2, 3, 4))], transpose={"x": (0, 1)})
    case("sum_to", "2x3x4_to_3x1", lambda x: x.sum_to_size(3, 1), [("x", randn(2, 3, 4))],
         {"shape": [3, 1]})
    case("sum_to", "3x4_to_4", lambda x: x.sum_to_size(4), [("x", randn(3, 4))], {"shape": [4]})


def linalg_cases():
    mm = torch.matmul
    case("matmul", "7_by_7", mm, [("a", randn(7)), ("b", randn(7))])
    case("matmul", "3x5_by_5x4", mm, [("a", randn(3, 5)), ("b", randn(5, 4))])
    case("matmul", "5_by_5x4", mm, [("a", randn(5)), ("b", randn(5, 4))])
    case("matmul", "3x5_by_5", mm, [("a", randn(3, 5)), ("b", randn(5))])
    case("matmul", "2x3x5_by_2x5x4", mm, [("a", randn(2, 3, 5)), ("b", randn(2, 5, 4))])
    case("matmul", "2x3x5_by_5x4", mm, [("a", randn(2, 3, 5)), ("b", randn(5, 4))])
    case("matmul", "2x1x3x5_by_3x5x4", mm, [("a", randn(2, 1, 3, 5)), ("b", randn(3, 5, 4))])
    case("matmul", "3x5_by_5x4_bt", mm, [("a", randn(3, 5)), ("b", randn(5, 4))],
         transpose={"b": (0, 1)})
    case("matmul", "2x3x5_at_by_5x4", mm, [("a", randn(2, 3, 5)), ("b", randn(5, 4))],
         transpose={"a": (1, 2)})
    case("matmul", "3x5_by_5x4_b_only", mm, [("a", randn(3, 5)), ("b", randn(5, 4))], grad=["b"])
    case("matmul", "3x300_by_300x4", mm, [("a", randn(3, 300)), ("b", randn(300, 4))])
    lin = torch.nn.functional.linear
    case("linear", "4x5_by_3x5_bias", lin, [("x", randn(4, 5)), ("weight", randn(3, 5)),
                                             ("bias", randn(3))])
    case("linear", "4x5_by_3x5", lin, [("x", randn(4, 5)), ("weight", randn(3, 5))])
    case("linear", "2x3x5_by_4x5_bias", lin, [("x", randn(2, 3, 5)), ("weight", randn(4, 5)),
                                               ("bias", randn(4))])
    case("linear", "7_by_3x7_bias", lin, [("x", randn(7)), ("weight", randn(3, 7)),
                                           ("bias", randn(3))])
    case("linear", "4x5_by_3x5_wt_bias", lin, [("x", randn(4, 5)), ("weight", randn(3, 5)),
                                                ("bias", randn(3))], transpose={"weight": (0, 1)})
    case("linear", "2x3x5_frozen_weight", lin, [("x", randn(2, 3, 5)), ("weight", randn(4, 5)),
                                                 ("bias", randn(4))], grad=["x", "bias"])


def norm_cases():
    # "shifted": logits near 100, where exp overflows f32 unless the row maximum is subtracted
    # first. (Scaled-up logits would test the same, but saturate the softmax: its gradient is
    # then a difference of nearly equal numbers, ill-conditioned in f32 whatever the code.)
    for op in ["softmax", "log_softmax"]:
        f = getattr(torch, op)
        for name, shape, dim, shift, t in [("dm1/4x7", (4, 7), -1, 0.0, None),
                                           ("d0/4x7", (4, 7), 0, 0.0, None),
                                           ("d1/2x3x5", (2, 3, 5), 1, 0.0, None),
                                           ("dm1/4x5_t", (4, 5), -1, 0.0, (0, 1)),
                                           ("d0/9", (9,), 0, 0.0, None),
                                           ("dm1_shifted/3x6", (3, 6), -1, 100.0, None)]:
            case(op, name, lambda x, d=dim, f=f: f(x, d), [("x", randn(*shape) * 2 + shift)],
                 {"dim": dim}, transpose={"x": t} if t else None)
    ln = torch.nn.functional.layer_norm
    for name, x_shape, norm, eps, affine, grad, t in [
            ("4x6_wb", (4, 6), [6], 1e-5, "wb", None, None),
            ("2x3x5_by_3x5_wb", (2, 3, 5), [3, 5], 1e-3, "wb", None, None),
            ("3x7_plain", (3, 7), [7], 1e-5, "", None, None),
            ("2x4x6_w", (2, 4, 6), [6], 1e-5, "w", None, None),
            ("4x6_t_wb", (4, 6), [6], 1e-5, "wb", None, (0, 1)),
            ("3x5_frozen_wb", (3, 5), [5], 1e-5, "wb", ["x"], None),
            ("63x521_wb", (63, 521), [521], 1e-5, "wb", None, None)]:
        inputs = [("x", randn(*x_shape) * 2 + 0.5)]
        if "w" in affine:
            inputs.append(("weight", randn(*norm)))
        if "b" in affine:
            inputs.append(("bias", randn(*norm)))

        def fn(x, w=None, b=None, norm=norm, eps=eps):
            return ln(x, norm, w, b, eps)
        case("layer_norm", name, fn, inputs, {"normalized_shape": norm, "eps": eps}, grad=grad,
             transpose={"x": t} if t else None)


def nn_cases():
    emb = lambda w, i: torch.nn.functional.embedding(i, w)
    case("embedding", "10x4_by_2x3", emb,
         [("weight", randn(10, 4)), ("indices", torch.tensor([[1, 7, 1], [0, 9, 7]]))])
    case("embedding", "6x3_by_5", emb, [("weight", randn(6, 3)), ("indices", randint(6, 5))])
    case("embedding", "5x4_t_by_2x2x3", emb,
         [("weight", randn(5, 4)), ("indices", randint(5, 2, 2, 3))],
         transpose={"weight": (0, 1)})
    drop = torch.nn.functional.dropout
    case("dropout", "eval_p0.5/3x5", lambda x: drop(x, 0.5, training=False), [("x", randn(3, 5))],
         {"p": 0.5, "training": False})
    case("dropout", "train_p0/2x3x4", lambda x: drop(x, 0.0, training=True),
         [("x", randn(2, 3, 4))], {"p": 0.0, "training": True})
    case("dropout", "eval_p0.2/4x5_t", lambda x: drop(x, 0.2, training=False),
         [("x", randn(4, 5))], {"p": 0.2, "training": False}, transpose={"x": (0, 1)})
    ce = torch.nn.functional.cross_entropy
    ignored_bc = torch.tensor([3, -100, 0, 6, -100])
    for name, logits, target, ignore, smoothing, reduction, t in [
            ("5x7_mean", randn(5, 7), randint(7, 5), -100, 0.0, "mean", None),
            ("5x7_ignore", randn(5, 7), ignored_bc, -100, 0.0, "mean", None),
            ("5x7_ignore2", randn(5, 7), torch.tensor([2, 4, 2, 0, 2]), 2, 0.0, "mean", None),
            ("5x7_smooth", randn(5, 7), randint(7, 5), -100, 0.1, "mean", None),
            ("5x7_ignore_smooth", randn(5, 7), ignored_bc, -100, 0.25, "mean", None),
            ("5x7_ignore_smooth_sum", randn(5, 7), ignored_bc, -100, 0.1, "sum", None),
            ("5x7_ignore_smooth_none", randn(5, 7), ignored_bc, -100, 0.1, "none", None),
            ("5x7_t_mean", randn(5, 7), randint(7, 5), -100, 0.0, "mean", (0, 1)),
            ("3x5x4_ignore_smooth", randn(3, 5, 4),
             torch.tensor([[0, 4, -100, 2], [1, 1, 3, -100], [4, 0, 2, 2]]), -100, 0.1, "mean",
             None),
            ("2x4x3x2_none", randn(2, 4, 3, 2), randint(4, 2, 3, 2), -100, 0.0, "none", None),
            ("2x4x3_sum", randn(2, 4, 3), randint(4, 2, 3), -100, 0.0, "sum", None),
            ("6_single", randn(6), torch.tensor(4), -100, 0.05, "mean", None),
            ("63x521_ignore_smooth", randn(63, 521),
             torch.where(randint(8, 63) == 0, -100, randint(521, 63)), -100, 0.1, "mean", None)]:
        fn = lambda x, y, i=ignore, s=smoothing, r=reduction: ce(
            x, y, ignore_index=i, label_smoothing=s, reduction=r)
        case("cross_entropy", name, fn, [("logits", logits * 2), ("target", target)],
             {"ignore_index": ignore, "label_smoothing": smoothing, "reduction": reduction},
             transpose={"logits": t} if t else None)
    mse = torch.nn.functional.mse_loss
    for name, shape, reduction, t in [("3x5_mean", (3, 5), "mean", None),
                                      ("2x3x4_sum", (2, 3, 4), "sum", None),
                                      ("7_none", (7,), "none", None),
                                      ("4x5_t_mean", (4, 5), "mean", (0, 1))]:
        case("mse_loss", name, lambda x, y, r=reduction: mse(x, y, reduction=r),
             [("input", randn(*shape)), ("target", randn(*shape))], {"reduction": reduction},
             transpose={"input": t} if t else None)


def join_index_cases():
    for name, shapes, dim, t in [("d0/2x3_4x3_1x3", [(2, 3), (4, 3), (1, 3)], 0, None),
                                 ("d1/2x3_2x1_2x4", [(2, 3), (2, 1), (2, 4)], 1, None),
                                 ("dm1/2x3x2_2x3x4_2x3x1", [(2, 3, 2), (2, 3, 4), (2, 3, 1)], -1,
                                  None),
                                 ("d0/3x4_t_2x4_1x4", [(3, 4), (2, 4), (1, 4)], 0, (0, 1))]:
        case("cat", name, lambda a, b, c, d=dim: torch.cat([a, b, c], d),
             [(f"t{i}", randn(*s)) for i, s in enumerate(shapes)], {"dim": dim},
             transpose={"t0": t} if t else None)
    for name, shape, dim, t in [("d0/3x4", (3, 4), 0, None), ("d1/3x4", (3, 4), 1, None),
                                ("d3/2x3x5", (2, 3, 5), 3, None), ("dm1/3x4", (3, 4), -1, None),
                                ("d1/4x3_t", (4, 3), 1, (0, 1))]:
        case("stack", name, lambda a, b, c, d=dim: torch.stack([a, b, c], d),
             [(f"t{i}", randn(*shape)) for i in range(3)], {"dim": dim},
             transpose={"t1": t} if t else None)
    for name, shape, dim, index, t in [("d0/5x4", (5, 4), 0, [4, 0, 0, 2], None),
                                       ("d1/3x5", (3, 5), 1, [1, 3, 1, 4, 0, 1], None),
                                       ("d1/2x4x3", (2, 4, 3), 1, [3, 3, 0], None),
                                       ("dm1/4x5_t", (4, 5), -1, [2, 0, 2], (0, 1))]:
        case("index_select", name, lambda x, i, d=dim: torch.index_select(x, d, i),
             [("x", randn(*shape)), ("index", torch.tensor(index))], {"dim": dim},
             transpose={"x": t} if t else None)
    for name, shape, dim, index_shape, t in [("d1/3x5_by_3x4", (3, 5), 1, (3, 4), None),
                                             ("d0/3x5_by_2x5", (3, 5), 0, (2, 5), None),
                                             ("d1/3x5_by_2x3", (3, 5), 1, (2, 3), None),
                                             ("dm1/2x3x4_by_2x3x6", (2, 3, 4), -1, (2, 3, 6), None),
                                             ("d0/4x5_t_by_6x3", (4, 5), 0, (6, 3), (0, 1))]:
        case("gather", name, lambda x, i, d=dim: torch.gather(x, d, i),
             [("x", randn(*shape)), ("index", randint(shape[dim], *index_shape))], {"dim": dim},
             transpose={"x": t} if t else None)
    # torch differentiates src only where it has the index's shape (a larger src is allowed
    # forward): the larger-src case checks x's gradient alone.
    for name, shape, dim, index_shape, src_shape, grad, t in [
            ("d0/4x5_by_3x5", (4, 5), 0, (3, 5), (3, 5), None, None),
            ("d1/4x5_by_4x2_src4x3", (4, 5), 1, (4, 2), (4, 3), ["x"], None),
            ("dm1/2x3x4_by_2x2x6", (2, 3, 4), -1, (2, 2, 6), (2, 2, 6), None, None),
            ("d0/4x5_t_by_6x3", (4, 5), 0, (6, 3), (6, 3), None, (0, 1))]:
        case("scatter_add", name, lambda x, i, s, d=dim: torch.scatter_add(x, d, i, s),
             [("x", randn(*shape)), ("index", randint(shape[dim], *index_shape)),
              ("src", randn(*src_shape))], {"dim": dim}, grad=grad,
             transpose={"x": t} if t else None)


def conv_cases():
    conv = torch.nn.functional.conv2d
    for name, x_shape, w_shape, bias, stride, padding, t in [
            ("2x3x5x6_by_4x3x3x3_bias", (2, 3, 5, 6), (4, 3, 3, 3), True, (1, 1), (0, 0), None),
            ("2x3x7x6_s2x1_p1x2", (2, 3, 7, 6), (4, 3, 3, 2), False, (2, 1), (1, 2), None),
            ("1x2x7x5_by_3x2x2x4_s3x2_p0x1", (1, 2, 7, 5), (3, 2, 2, 4), True, (3, 2), (0, 1),
             None),
            ("2x4x5x5_1x1_s2", (2, 4, 5, 5), (3, 4, 1, 1), True, (2, 2), (0, 0), None),
            ("2x3x6x5_t_p1", (2, 3, 6, 5), (2, 3, 3, 3), True, (1, 1), (1, 1), (2, 3)),
            ("1x16x6x6_by_8x16x3x3_p1", (1, 16, 6, 6), (8, 16, 3, 3), True, (1, 1), (1, 1),
             None)]:
        inputs = [("x", randn(*x_shape)), ("weight", randn(*w_shape) * 0.5)]
        if bias:
            inputs.append(("bias", randn(w_shape[0])))

        def fn(x, w, b=None, s=stride, p=padding):
            return conv(x, w, b, stride=s, padding=p)
        case("conv2d", name, fn, inputs, {"stride": list(stride), "padding": list(padding)},
             transpose={"x": t} if t else None)


def complex_cases():
    case("conj", "3x4", torch.conj, [("x", crandn(3, 4))])
    case("conj", "4x3_t", torch.conj, [("x", crandn(4, 3))], transpose={"x": (0, 1)})
    case("real", "3x4", torch.real, [("x", crandn(3, 4))])
    case("real", "2x3x4_t", torch.real, [("x", crandn(2, 3, 4))], transpose={"x": (1, 2)})
    case("imag", "3x4", torch.imag, [("x", crandn(3, 4))])
    case("imag", "2x3x4_t", torch.imag, [("x", crandn(2, 3, 4))], transpose={"x": (0, 2)})
    case("complex_abs", "3x4", torch.abs, [("z", crandn(3, 4))])
    case("complex_abs", "2x3x4_t", torch.abs, [("z", crandn(2, 3, 4))], transpose={"z": (0, 1)})
    case("view_as_real", "3x4", torch.view_as_real, [("x", crandn(3, 4))])
    case("view_as_real", "2x3x4", torch.view_as_real, [("x", crandn(2, 3, 4))])
    case("view_as_complex", "3x4x2", torch.view_as_complex, [("x", randn(3, 4, 2))])
    case("view_as_complex", "5x2", torch.view_as_complex, [("x", randn(5, 2))])
    case("complex", "3x4", torch.complex, [("re", randn(3, 4)), ("im", randn(3, 4))])
    case("complex", "3x4_by_4", torch.complex, [("re", randn(3, 4)), ("im", randn(4))])
    case("complex", "3x4_t_by_3x1", torch.complex, [("re", randn(3, 4)), ("im", randn(3, 1))],
         transpose={"re": (0, 1)})


class Mlp(torch.nn.Module):
    """The C++ test's Mlp: fc1, tanh-GELU, fc2."""

    def __init__(self, sizes):
        super().__init__()
        self.fc1 = torch.nn.Linear(sizes[0], sizes[1])
        self.fc2 = torch.nn.Linear(sizes[1], sizes[2])

    def forward(self, x):
        return self.fc2(torch.nn.functional.gelu(self.fc1(x), approximate="tanh"))


def module_cases():
    """nn modules (nn/linear.h) with torch's parameters: the inputs after "x" (and "target") are
    the parameters, named as named_parameters() names them in both libraries."""
    for name, module, x, target, reduction in [
            ("linear/2x3x5_to_4", torch.nn.Linear(5, 4), randn(2, 3, 5), None, None),
            ("linear/7x5_to_3_nobias", torch.nn.Linear(5, 3, bias=False), randn(7, 5), None,
             None),
            ("mlp/6x5_8_3_ce", Mlp([5, 8, 3]), randn(6, 5), randint(3, 6), "mean")]:
        params = [(n, p.detach().float().clone()) for n, p in module.named_parameters()]
        inputs = [("x", x)] + ([("target", target)] if target is not None else []) + params
        names = [n for n, _ in params]
        sizes = [module.in_features, module.out_features] if isinstance(
            module, torch.nn.Linear) else [module.fc1.in_features, module.fc1.out_features,
                                           module.fc2.out_features]

        def fn(*args, module=module, names=names, has_target=target is not None):
            x, rest = args[0], args[1:]
            y_target, rest = (rest[0], rest[1:]) if has_target else (None, rest)
            y = torch.func.functional_call(module.double(), dict(zip(names, rest)), (x,))
            return torch.nn.functional.cross_entropy(y, y_target) if has_target else y
        case("module_" + name.split("/")[0], name.split("/")[1], fn, inputs,
             {"sizes": sizes, "bias": "fc1.bias" in names or "bias" in names,
              **({"reduction": reduction} if reduction else {})})


def clamp_cases():
    # Generated last: the cases above keep their random inputs when cases are added here.
    for name, x, lo, hi, t in [
            ("both/3x5", randn(3, 5), -0.5, 0.7, None),
            ("min/2x3x4", randn(2, 3, 4), -0.25, None, None),
            ("max/7", randn(7), None, 0.3, None), ("inverted/3x4", randn(3, 4), 0.5, -0.5, None),
            ("both/4x5_t", randn(4, 5), -0.6, 0.4, (0, 1)),
            # Inputs exactly on the bounds, where torch passes no gradient (only min < x < max).
            ("on_bounds/6", torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0]), -0.5, 0.5, None)]:
        case("clamp", name, lambda x, lo=lo, hi=hi: torch.clamp(x, lo, hi), [("x", x)],
             {"min": lo, "max": hi}, transpose={"x": t} if t else None)


def main():
    torch.manual_seed(20240517)  # torch.nn.Linear's initial parameters in module_cases
    unary_cases()
    binary_cases()
    select_cases()
    reduction_cases()
    linalg_cases()
    norm_cases()
    nn_cases()
    join_index_cases()
    conv_cases()
    complex_cases()
    module_cases()
    clamp_cases()
    meta = dict(metadata)
    meta.update({
        "source": "tools/gen_op_fixtures.py",
        "torch": torch.__version__,
        "safetensors": safetensors.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
        "num_cases": str(len(metadata)),
        "reference": "inputs f32; torch computes in f64 from them; results rounded to f32",
        "dropout": "only training=False and p=0: fftune's Philox masks differ from torch's",
    })
    save_file(tensors, OUT, metadata=meta)
    print("wrote", os.path.normpath(OUT), len(metadata), "cases,", len(tensors), "tensors,",
          os.path.getsize(OUT), "bytes; torch", torch.__version__)


if __name__ == "__main__":
    main()
