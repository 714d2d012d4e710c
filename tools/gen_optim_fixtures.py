#!/usr/bin/env python3
"""Writes tests/fixtures/optim.safetensors: torch.optim.AdamW and torch.optim.SGD trajectories
that tests/fixture/test_optim_torch.cpp replays with fftune's optimizers.

Generated with torch 2.15.0+cu132 and safetensors 0.8.0 (both also recorded in the file's
metadata). Run by hand from the repository root:  python3 tools/gen_optim_fixtures.py

Each case runs 5 steps on three parameters in two groups (different lr, weight decay and, for
AdamW, betas/eps), once in f32 and once in f64:
  group 0: w0 (17, 9), b0 (5,)      group 1: w1 (3, 2)
b0 has no gradient at step 2; w1 none at steps 0 and 3 (so its state starts late and its step
count lags). Before step 3 the lr of group 0 is halved (what a schedule does). Tensors:
  <case>.<dtype>.init.<param>         the parameter before step 0
  <case>.<dtype>.grad.<step>.<param>  its gradient at that step (absent: grad is None)
  <case>.<dtype>.after.<step>.<param> the parameter after that step
Metadata "cases" (JSON) describes each case's groups and lr changes.
"""
import json
import os

import safetensors
import torch
from safetensors.torch import save_file

TORCH_VERSION = "2.15.0+cu132"
STEPS = 5
SHAPES = {"w0": (17, 9), "b0": (5,), "w1": (3, 2)}
GROUP_PARAMS = [["w0", "b0"], ["w1"]]
NO_GRAD = {("b0", 2), ("w1", 0), ("w1", 3)}
LR_CHANGES = [{"step": 3, "group": 0, "factor": 0.5}]

CASES = [
    {"name": "adamw", "optimizer": "adamw", "groups": [
        {"lr": 1e-2, "weight_decay": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        {"lr": 3e-3, "weight_decay": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}]},
    {"name": "adamw_nowd", "optimizer": "adamw", "groups": [
        {"lr": 1e-2, "weight_decay": 0.0, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        {"lr": 3e-3, "weight_decay": 0.0, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}]},
    {"name": "sgd_momentum", "optimizer": "sgd", "groups": [
        {"lr": 0.05, "weight_decay": 1e-2, "momentum": 0.9, "nesterov": False},
        {"lr": 0.02, "weight_decay": 5e-3, "momentum": 0.9, "nesterov": False}]},
    {"name": "sgd_nesterov", "optimizer": "sgd", "groups": [
        {"lr": 0.05, "weight_decay": 1e-2, "momentum": 0.9, "nesterov": True},
        {"lr": 0.02, "weight_decay": 5e-3, "momentum": 0.9, "nesterov": True}]},
]


def make_optimizer(case, params):
    groups = []
    for names, g in zip(GROUP_PARAMS, case["groups"]):
        ps = [params[n] for n in names]
        if case["optimizer"] == "adamw":
            groups.append({"params": ps, "lr": g["lr"], "weight_decay": g["weight_decay"],
                           "betas": (g["beta1"], g["beta2"]), "eps": g["eps"]})
        else:
            groups.append({"params": ps, "lr": g["lr"], "weight_decay": g["weight_decay"],
                           "momentum": g["momentum"], "nesterov": g["nesterov"]})
    if case["optimizer"] == "adamw":
        return torch.optim.AdamW(groups, foreach=False)
    return torch.optim.SGD(groups, foreach=False)


def main():
    assert torch.__version__ == TORCH_VERSION, (torch.__version__, TORCH_VERSION)
    gen = torch.Generator().manual_seed(20240503)
    init = {n: torch.randn(s, generator=gen, dtype=torch.float64) for n, s in SHAPES.items()}
    # Gradients of varying scale per step, so that the moments do not settle.
    grads = {(n, k): torch.randn(s, generator=gen, dtype=torch.float64) * (0.5 + k)
             for n, s in SHAPES.items() for k in range(STEPS) if (n, k) not in NO_GRAD}

    out = {}
    for case in CASES:
        for dtype, tag in ((torch.float32, "f32"), (torch.float64, "f64")):
            prefix = f"{case['name']}.{tag}"
            params = {n: init[n].to(dtype).clone().requires_grad_(True) for n in SHAPES}
            for n, p in params.items():
                out[f"{prefix}.init.{n}"] = p.detach().clone()
            opt = make_optimizer(case, params)
            for k in range(STEPS):
                for change in LR_CHANGES:
                    if change["step"] == k:
                        opt.param_groups[change["group"]]["lr"] *= change["factor"]
                for n, p in params.items():
                    if (n, k) in NO_GRAD:
                        p.grad = None
                    else:
                        p.grad = grads[(n, k)].to(dtype).clone()
                        out[f"{prefix}.grad.{k}.{n}"] = p.grad.clone()
                opt.step()
                for n, p in params.items():
                    out[f"{prefix}.after.{k}.{n}"] = p.detach().clone()

    meta_cases = [dict(case, params=GROUP_PARAMS, steps=STEPS, lr_changes=LR_CHANGES)
                  for case in CASES]
    metadata = {
        "torch_version": torch.__version__,
        "safetensors_version": safetensors.__version__,
        "generator": "tools/gen_optim_fixtures.py",
        "cases": json.dumps(meta_cases),
    }
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "optim.safetensors")
    save_file({k: v.contiguous() for k, v in out.items()}, path, metadata=metadata)
    print(f"wrote {len(out)} tensors to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
