#!/usr/bin/env python3
"""Golden fixtures for fftune's peft adapter files (adapters/peft_format.h), both ways.

Run by hand, never in CI:  python3 tools/gen_fourierft_fixtures.py
Pinned (checked below): torch 2.15.0, transformers 5.24.0, peft 0.21.2.

peft -> fftune. A tiny random-init RobertaForSequenceClassification (hidden 64, 2 layers, 4 heads,
intermediate 96, vocab 100, seed 0) gets
  - FourierFT on query, value, intermediate.dense (64 -> 96: d_out != d_in), n_frequency 50,
    scaling 100, random_loc_seed 777, with n_frequency_pattern overrides for
    layer 1's value (40) and every intermediate.dense (70);
  - separately, LoRA on the same layers, r 4, lora_alpha 8 (lora_B drawn non-zero, so that ΔW is
    not zero).
task_type SEQ_CLS, so peft also saves the classifier ("modules_to_save"); its copy is perturbed
before saving so that loading it is visible. Written under tests/fixtures/peft/:
  base.safetensors             the base model's nn.Linear weights and biases (HF names)
  fourierft_adapter/, lora_adapter/   peft's save_pretrained output
  fourierft_golden.safetensors, lora_golden.safetensors: per adapted layer <name>:
    <name>.delta_weight        get_delta_weight("default")            (out, in)
    <name>.grad_delta_weight   dL/dΔW for the fixed batch and loss      (out, in)
                               (= dYᵀX summed over tokens, from a hook on the adapted layer)
    <name>.grad.<param>        the adapter parameter's gradient (fourierft_spectrum, lora_A, lora_B)
  The loss: cross-entropy of the model (eval mode) on input_ids (2, 8) drawn with seed 1,
  labels [0, 1].

fftune -> peft. tools/export_fftune_adapter (C++) writes adapters saved by fftune under
tests/fixtures/peft/fftune_saved/<method>/ together with fftune's own ΔW per layer
(delta_weights.safetensors). When that folder exists, this script loads each adapter into the
same base model with PeftModel.from_pretrained and asserts that peft's get_delta_weight equals
fftune's ΔW (rtol 1e-5), and that peft reads the config as written.

Last run (all three pinned versions): "fftune -> peft fourierft: 3 layers, ΔW equal (max rel. err.
2.04e-07)", "fftune -> peft lora: 4 layers, ΔW equal (max rel. err. 0.00e+00)". Reruns give the
same tensor values; the safetensors header's metadata order may differ from run to run.
"""
import json
import os
import sys

import torch

PINNED = {"torch": "2.15.0", "transformers": "5.24.0", "peft": "0.21.2"}

import peft  # noqa: E402
import transformers  # noqa: E402
from peft import FourierFTConfig, LoraConfig, PeftModel, TaskType, get_peft_model  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import RobertaConfig, RobertaForSequenceClassification  # noqa: E402

for name, module in (("torch", torch), ("transformers", transformers), ("peft", peft)):
    if not module.__version__.startswith(PINNED[name]):
        sys.exit(f"{name} {module.__version__} installed, the fixtures pin {PINNED[name]}")

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "tests", "fixtures", "peft"))
METADATA = {k: v for k, v in PINNED.items()}
METADATA["generator"] = "tools/gen_fourierft_fixtures.py"
TARGETS = ["query", "value", "intermediate.dense"]


def base_model():
    torch.manual_seed(0)
    config = RobertaConfig(
        vocab_size=100,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=96,
        max_position_embeddings=40,
        num_labels=2,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    model = RobertaForSequenceClassification(config)
    model.eval()
    return model


def batch():
    g = torch.Generator().manual_seed(1)
    input_ids = torch.randint(3, 100, (2, 8), generator=g)
    return input_ids, torch.tensor([0, 1])


def linear_state_dict(model):
    out = {}
    for name, m in model.named_modules():
        if isinstance(m, torch.nn.Linear):
            out[f"{name}.weight"] = m.weight.detach().clone().contiguous()
            if m.bias is not None:
                out[f"{name}.bias"] = m.bias.detach().clone().contiguous()
    return out


def adapted_layers(peft_model):
    """(name without the peft prefix, layer) for every adapted layer."""
    out = []
    for name, m in peft_model.named_modules():
        if isinstance(m, peft.tuners.tuners_utils.BaseTunerLayer) and hasattr(m, "get_delta_weight"):
            out.append((name.removeprefix("base_model.model."), m))
    return out


def record_golden(peft_model, param_names):
    """ΔW, dL/dΔW and the adapter parameters' gradients for the fixed batch."""
    inputs, outputs = {}, {}
    hooks = []
    for name, layer in adapted_layers(peft_model):

        def hook(module, args, output, name=name):
            inputs[name] = args[0]
            output.retain_grad()
            outputs[name] = output

        hooks.append(layer.register_forward_hook(hook))
    input_ids, labels = batch()
    loss = peft_model(input_ids=input_ids, labels=labels).loss
    loss.backward()
    for h in hooks:
        h.remove()
    golden = {}
    for name, layer in adapted_layers(peft_model):
        x = inputs[name].reshape(-1, inputs[name].shape[-1])  # (B*T, in)
        dy = outputs[name].grad.reshape(-1, outputs[name].shape[-1])  # (B*T, out)
        golden[f"{name}.delta_weight"] = layer.get_delta_weight("default").detach().contiguous()
        golden[f"{name}.grad_delta_weight"] = (dy.T @ x).detach().contiguous()
        for p in param_names:
            param = getattr(layer, p)["default"]
            param = param.weight if isinstance(param, torch.nn.Linear) else param
            golden[f"{name}.grad.{p}"] = param.grad.detach().clone().contiguous()
    golden["loss"] = loss.detach().reshape(1)
    return golden


def perturb_modules_to_save(peft_model):
    g = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if ".modules_to_save.default." in name:
                p.add_(0.01 * torch.randn(p.shape, generator=g))


def make_fourierft(model):
    config = FourierFTConfig(
        task_type=TaskType.SEQ_CLS,
        target_modules=TARGETS,
        n_frequency=50,
        scaling=100.0,
        random_loc_seed=777,
        n_frequency_pattern={"1.attention.self.value": 40, "intermediate.dense": 70},
    )
    return get_peft_model(model, config)


def make_lora(model):
    config = LoraConfig(task_type=TaskType.SEQ_CLS, target_modules=TARGETS, r=4, lora_alpha=8)
    pm = get_peft_model(model, config)
    g = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for name, layer in adapted_layers(pm):
            b = layer.lora_B["default"].weight
            b.copy_(0.1 * torch.randn(b.shape, generator=g))
    return pm


def write_peft_to_fftune():
    os.makedirs(OUT, exist_ok=True)
    save_file(linear_state_dict(base_model()), os.path.join(OUT, "base.safetensors"), METADATA)
    for method, make, params in (
        ("fourierft", make_fourierft, ["fourierft_spectrum"]),
        ("lora", make_lora, ["lora_A", "lora_B"]),
    ):
        pm = make(base_model())
        perturb_modules_to_save(pm)
        adapter_dir = os.path.join(OUT, f"{method}_adapter")
        pm.save_pretrained(adapter_dir)
        os.remove(os.path.join(adapter_dir, "README.md"))  # peft's model card, not needed
        golden = record_golden(pm, params)
        save_file(golden, os.path.join(OUT, f"{method}_golden.safetensors"), METADATA)
        print(f"{method}: {len(adapted_layers(pm))} layers, loss {golden['loss'].item():.6f}")


def check_fftune_to_peft():
    saved = os.path.join(OUT, "fftune_saved")
    if not os.path.isdir(saved):
        print(f"{saved} does not exist yet: run build/tools/export_fftune_adapter, then rerun")
        return
    for method in sorted(os.listdir(saved)):
        adapter_dir = os.path.join(saved, method)
        written = json.load(open(os.path.join(adapter_dir, "adapter_config.json")))
        pm = PeftModel.from_pretrained(base_model(), adapter_dir)
        config = pm.peft_config["default"].to_dict()
        for key, value in written.items():
            if key in ("peft_version", "inference_mode", "modules_to_save", "peft_type"):
                continue  # peft fills in its own version/mode, extends modules_to_save for SEQ_CLS
            got = config[key]
            got = sorted(got) if isinstance(got, (set, list)) else got  # peft keeps some as sets
            want = sorted(value) if isinstance(value, list) else value
            assert got == want, f"{method}: config key {key}: peft read {got!r}, file has {want!r}"
        assert sorted(set(config["modules_to_save"])) == sorted(written["modules_to_save"])
        assert config["peft_type"] == written["peft_type"]
        expected = load_file(os.path.join(adapter_dir, "delta_weights.safetensors"))
        layers = dict(adapted_layers(pm))
        assert sorted(layers) == sorted(expected), (sorted(layers), sorted(expected))
        worst = 0.0
        for name, want in expected.items():
            got = layers[name].get_delta_weight("default").detach()
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5 * want.abs().max().item())
            worst = max(worst, ((got - want).abs().max() / want.abs().max()).item())
        saved_heads = load_file(os.path.join(adapter_dir, "adapter_model.safetensors"))
        for name, p in pm.named_parameters():
            if ".modules_to_save.default." in name:
                key = name.replace(".modules_to_save.default.", ".")
                torch.testing.assert_close(p.detach(), saved_heads[key], rtol=0, atol=0)
        print(f"fftune -> peft {method}: {len(expected)} layers, ΔW equal (max rel. err. {worst:.2e})")


if __name__ == "__main__":
    write_peft_to_fftune()
    check_fftune_to_peft()
