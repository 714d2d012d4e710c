#!/usr/bin/env python3
"""Writes tests/fixtures/nn_torch.safetensors for tests/fixture/test_nn_torch.cpp: the nn layers
(LayerNorm, RoBERTa's attention block and encoder layer, ViT's encoder layer), the learning-rate
schedules and clip_grad_norm_, computed by PyTorch and Hugging Face transformers.

Generated with torch 2.15.0+cu132, transformers 5.24.0 and safetensors 0.8.0 (also recorded in
the file's metadata). Run by hand from the repository root:  python3 tools/gen_nn_fixtures.py

Layers: a tiny random config (hidden 40, 4 heads of 10, intermediate 56, batch 3, 7 tokens; the
RoBERTa input has padded positions). Every parameter is drawn at random (LayerNorm weights too)
and rounded to f32; the layers then run in f64 in eval mode (no dropout), so the outputs are the
exact answer for f32 weights and the C++ side can compare f64 tightly and f32 at 1e-5. A loss
sum(out * R) with a random R gives the gradients of the input and of every parameter.
  <case>.param.<name>       parameter under its Hugging Face checkpoint name
  <case>.x, <case>.R        input (B, T, C) and loss weights
  <case>.attention_mask     i64 (B, T), 1 = token, 0 = padding (RoBERTa cases)
  <case>.out                layer output
  <case>.grad.x             d loss / d x
  <case>.grad.param.<name>  d loss / d parameter
transformers 5.x keeps ViT's modules under new names in memory (attention.q_proj, mlp.fc1, ...)
and renames checkpoint keys on load; the checkpoints users bring (and this file) use the classic
names (attention.attention.query, intermediate.dense, ...): VIT_CHECKPOINT_NAMES maps them.
ViT's eager attention in transformers 5.x takes the softmax in f32 even for f64 inputs, which
would make the f64 reference only f32-accurate; the script swaps in RoBERTa's eager attention
(the same math with the softmax in the input's dtype) for the ViT case.

Schedules: an SGD with two groups (lr 0.1 and 0.003) under each transformers schedule; the lrs
right after construction and after each of STEPS scheduler steps:
  sched.<name>.lrs  f64 (STEPS + 1, 2); metadata "schedules" (JSON) gives each one's arguments.
clip_grad_norm_: three f32 gradients (plus a parameter without one), clipped at max_norm:
  clip.<i>.grad.<p>  gradient before,  clip.<i>.clipped.<p>  after,  clip.<i>.total_norm  f64
"""
import json
import os

import safetensors
import torch
import transformers
from safetensors.torch import save_file
from transformers import RobertaConfig, ViTConfig
from transformers.models.roberta.modeling_roberta import RobertaAttention, RobertaLayer
from transformers.models.roberta import modeling_roberta
from transformers.models.vit import modeling_vit
from transformers.models.vit.modeling_vit import ViTLayer

TORCH_VERSION = "2.15.0+cu132"
TRANSFORMERS_VERSION = "5.24.0"
B, T, C, H, I = 3, 7, 40, 4, 56
STEPS = 14

VIT_CHECKPOINT_NAMES = {
    "attention.q_proj.": "attention.attention.query.",
    "attention.k_proj.": "attention.attention.key.",
    "attention.v_proj.": "attention.attention.value.",
    "attention.o_proj.": "attention.output.dense.",
    "mlp.fc1.": "intermediate.dense.",
    "mlp.fc2.": "output.dense.",
}


def checkpoint_name(name, renames):
    for old, new in renames.items():
        if name.startswith(old):
            return new + name[len(old):]
    return name


def randomize(module, gen):
    with torch.no_grad():
        for name, p in module.named_parameters():
            scale = 0.3 if name.endswith("bias") else 1.0 / p.shape[-1] ** 0.5
            base = 1.0 if ("LayerNorm.weight" in name or "layernorm" in name) and name.endswith(
                "weight") else 0.0
            p.copy_((base + scale * torch.randn(p.shape, generator=gen)).float().double())


def run_case(out, case, module, gen, call, renames=None, mask=None):
    module = module.double().eval()
    randomize(module, gen)
    x = torch.randn(B, T, C, generator=gen).float().double().requires_grad_(True)
    r = torch.randn(B, T, C, generator=gen).double()
    y = call(module, x)
    (y * r).sum().backward()
    out[f"{case}.x"] = x.detach().clone()
    out[f"{case}.R"] = r
    out[f"{case}.out"] = y.detach().clone()
    out[f"{case}.grad.x"] = x.grad.clone()
    if mask is not None:
        out[f"{case}.attention_mask"] = mask
    for name, p in module.named_parameters():
        name = checkpoint_name(name, renames or {})
        out[f"{case}.param.{name}"] = p.detach().clone()
        out[f"{case}.grad.param.{name}"] = p.grad.clone()


def additive_mask(mask):
    # transformers' eager attention: 0 where attended, the dtype's min where padded.
    return (1.0 - mask[:, None, None, :].double()) * torch.finfo(torch.float64).min


def layers(out, gen):
    mask = torch.ones(B, T, dtype=torch.int64)
    mask[1, 5:] = 0
    mask[2, 2:] = 0
    roberta = RobertaConfig(hidden_size=C, num_attention_heads=H, intermediate_size=I,
                            hidden_act="gelu", layer_norm_eps=1e-5, hidden_dropout_prob=0.1,
                            attention_probs_dropout_prob=0.1)
    roberta._attn_implementation = "eager"
    run_case(out, "roberta_attention", RobertaAttention(roberta), gen,
             lambda m, x: m(x, additive_mask(mask))[0], mask=mask)
    run_case(out, "roberta_layer", RobertaLayer(roberta), gen,
             lambda m, x: m(x, additive_mask(mask)), mask=mask)
    vit = ViTConfig(hidden_size=C, num_attention_heads=H, intermediate_size=I, hidden_act="gelu",
                    layer_norm_eps=1e-12, hidden_dropout_prob=0.1,
                    attention_probs_dropout_prob=0.1, qkv_bias=True)
    vit._attn_implementation = "eager"
    modeling_vit.eager_attention_forward = modeling_roberta.eager_attention_forward  # f64 softmax
    run_case(out, "vit_layer", ViTLayer(vit), gen, lambda m, x: m(x), renames=VIT_CHECKPOINT_NAMES)
    # torch.nn.LayerNorm over the last dim
    ln = torch.nn.LayerNorm(C, eps=1e-5)
    run_case(out, "layer_norm", ln, gen, lambda m, x: m(x))


SCHEDULES = [
    {"name": "linear", "fn": "get_linear_schedule_with_warmup",
     "kwargs": {"num_warmup_steps": 3, "num_training_steps": 11}},
    {"name": "linear_nowarmup", "fn": "get_linear_schedule_with_warmup",
     "kwargs": {"num_warmup_steps": 0, "num_training_steps": 10}},
    {"name": "cosine", "fn": "get_cosine_schedule_with_warmup",
     "kwargs": {"num_warmup_steps": 4, "num_training_steps": 12}},
    {"name": "cosine_cycles", "fn": "get_cosine_schedule_with_warmup",
     "kwargs": {"num_warmup_steps": 2, "num_training_steps": 12, "num_cycles": 1.5}},
    {"name": "constant", "fn": "get_constant_schedule_with_warmup",
     "kwargs": {"num_warmup_steps": 5}},
]


def schedules(out):
    for s in SCHEDULES:
        params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
        opt = torch.optim.SGD([{"params": [params[0]], "lr": 0.1},
                               {"params": [params[1]], "lr": 0.003}])
        sched = getattr(transformers, s["fn"])(opt, **s["kwargs"])
        lrs = [[g["lr"] for g in opt.param_groups]]
        for _ in range(STEPS):
            opt.step()
            sched.step()
            lrs.append([g["lr"] for g in opt.param_groups])
        out[f"sched.{s['name']}.lrs"] = torch.tensor(lrs, dtype=torch.float64)


CLIPS = [1.0, 100.0, 0.25]


def clips(out, gen):
    shapes = {"a": (13, 5), "b": (7,), "c": (3, 4, 2)}
    for i, max_norm in enumerate(CLIPS):
        params = {n: torch.zeros(s, requires_grad=True) for n, s in shapes.items()}
        params["nograd"] = torch.zeros(4, requires_grad=True)
        for n, s in shapes.items():
            params[n].grad = (torch.randn(s, generator=gen) * 0.7).float()
            out[f"clip.{i}.grad.{n}"] = params[n].grad.clone()
        total = torch.nn.utils.clip_grad_norm_(list(params.values()), max_norm)
        out[f"clip.{i}.total_norm"] = total.double().reshape(())
        for n in shapes:
            out[f"clip.{i}.clipped.{n}"] = params[n].grad.clone()


def main():
    assert torch.__version__ == TORCH_VERSION, (torch.__version__, TORCH_VERSION)
    assert transformers.__version__ == TRANSFORMERS_VERSION, transformers.__version__
    gen = torch.Generator().manual_seed(20240506)
    out = {}
    layers(out, gen)
    schedules(out)
    clips(out, gen)
    metadata = {
        "torch_version": torch.__version__,
        "transformers_version": transformers.__version__,
        "safetensors_version": safetensors.__version__,
        "generator": "tools/gen_nn_fixtures.py",
        "schedules": json.dumps(SCHEDULES),
        "clips": json.dumps(CLIPS),
    }
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures",
                        "nn_torch.safetensors")
    save_file({k: v.clone().contiguous() for k, v in out.items()}, path, metadata=metadata)
    print(f"wrote {len(out)} tensors to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
