"""Golden fixtures for the ViT models (nn/models/vit.h) from Hugging Face transformers.

Run by hand from the repository root (not in CI):
    pip install torch==2.15.0 transformers==5.24.0 peft==0.21.2 safetensors
    python tools/gen_vit_fixtures.py

Two tiny random-init ViTs (2 layers, hidden 48, 4 heads, intermediate 80, 24×24 images with 3
channels — sizes that are not powers of two), written by save_pretrained in the layout real
checkpoints have (transformers 5.x renames ViT's modules in memory, q_proj/mlp.fc1, but writes
the classic names: attention.attention.query, intermediate.dense, ...):

  tests/fixtures/models/vit_model/        a ViTModel with pooler and no "vit." prefix, patch 8
                                          (the layout of google/vit-base-patch16-224-in21k); no
                                          preprocessor_config.json (the 0.5/0.5 defaults apply)
  tests/fixtures/models/vit_classifier/   a ViTForImageClassification ("vit.", "classifier."),
                                          patch 6, num_labels 5, with a preprocessor_config.json
  tests/fixtures/models/vit_io.safetensors
    model.pixel_values        f32 (B, 3, 24, 24)
    model.last_hidden_state   f32 (B, 10, 48)     vit_model in eval mode
    model.pooler_output       f32 (B, 48)
    cls.pixel_values          f32 (B, 3, 24, 24)
    cls.labels                i64 (B)
    cls.logits                f32 (B, 5)          vit_classifier in eval mode
    cls.loss                  f32 ()              cross_entropy(logits, labels)
    cls.grad.<name>           f32                 d loss / d parameter, by checkpoint name, for
                                                  the classifier, the embeddings and layer 0's
                                                  query weight

peft's adapters on vit_classifier, as peft 0.21.2 writes them on transformers 5.24, whose ViT
names the attention projections q_proj / v_proj in memory: target_modules ["q_proj", "v_proj"]
(["query", "value"] matches nothing there) and adapter keys under the in-memory module paths
(base_model.model.vit.layers.<i>.attention.q_proj.fourierft_spectrum). fftune maps them with
ViTModel::transformers_module_renames() (nn/models/vit.h):

  tests/fixtures/models/vit_fourierft/    FourierFT: n_frequency 40, scaling 30, random_loc_seed
                                          777, coefficients N(0, 1); task_type SEQ_CLS, so the
                                          classifier trains and is saved too
  tests/fixtures/models/vit_lora/         LoRA: r 4, lora_alpha 8, lora_B drawn non-zero
                                          (init_lora_weights False); task_type SEQ_CLS
  tests/fixtures/models/vit_peft_expected.safetensors (inputs: vit_io's cls.pixel_values and
  cls.labels, so that cls.logits are the base model's logits on them)
    <method>.logits           f32 (B, 5)          the adapted vit_classifier in eval mode
    <method>.loss             f32 ()              cross_entropy(logits, labels)
    <method>.grad.<name>      f32                 d loss / d every trainable parameter, under
                                                  fftune's names: <layer>.adapter.fourierft_spectrum
                                                  or .adapter.lora_A / lora_B (layer:
                                                  vit.encoder.layer.0.attention.attention.query,
                                                  ...) and classifier.{weight,bias}

The weights are drawn at scales that keep every layer's output O(1) (HF's own init, N(0, 0.02²),
would make the outputs nearly constant and the comparison weak).
"""
import json
import os

import peft
import safetensors
import torch
import transformers
from peft import FourierFTConfig, LoraConfig, get_peft_model
from safetensors.torch import load_file, save_file
from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor, ViTModel

TORCH_VERSION = "2.15.0+cu132"
TRANSFORMERS_VERSION = "5.24.0"
PEFT_VERSION = "0.21.2"
OUT = "tests/fixtures/models"
B = 3

# transformers 5.x in-memory names -> checkpoint names (a gradient is stored by its checkpoint
# name).
IN_MEMORY_TO_CHECKPOINT = {
    ".layers.": ".encoder.layer.",
    ".attention.q_proj.": ".attention.attention.query.",
    ".attention.k_proj.": ".attention.attention.key.",
    ".attention.v_proj.": ".attention.attention.value.",
    ".attention.o_proj.": ".attention.output.dense.",
    ".mlp.fc1.": ".intermediate.dense.",
    ".mlp.fc2.": ".output.dense.",
}


def checkpoint_name(name):
    name = "." + name
    for old, new in IN_MEMORY_TO_CHECKPOINT.items():
        name = name.replace(old, new)
    return name[1:]


def config(patch_size, num_labels=2):
    return ViTConfig(hidden_size=48, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=80, image_size=24, patch_size=patch_size, num_channels=3,
                     hidden_act="gelu", layer_norm_eps=1e-12, qkv_bias=True,
                     hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                     num_labels=num_labels)


def randomize(model, gen):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "layernorm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith("bias"):
                p.copy_(0.2 * torch.randn(p.shape, generator=gen))
            elif "cls_token" in name or "position_embeddings" in name:
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))
            else:  # Linear and Conv2d weights: unit gain
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) / fan_in ** 0.5)


def fftune_name(peft_name):
    """peft's parameter name -> fftune's: the adapter parameters live in the layer's "adapter"
    child, the classifier (peft's modules_to_save copy) under its plain name, modules under
    their checkpoint names."""
    name = peft_name.replace("base_model.model.", "").replace(".modules_to_save.default", "")
    name = checkpoint_name(name)
    name = name.replace(".fourierft_spectrum.default", ".adapter.fourierft_spectrum")
    name = name.replace(".lora_A.default.weight", ".adapter.lora_A")
    return name.replace(".lora_B.default.weight", ".adapter.lora_B")


def run_adapted(peft_config, method, x, labels, out):
    """peft's adapter on vit_classifier: logits, loss and every trainable parameter's gradient;
    the adapter is saved as peft saves it."""
    base = ViTForImageClassification.from_pretrained(f"{OUT}/vit_classifier",
                                                     attn_implementation="eager")
    torch.manual_seed(3)  # FourierFT's coefficients and LoRA's A, B are drawn from torch's RNG
    model = get_peft_model(base, peft_config)
    model.eval()
    logits = model(pixel_values=x).logits
    loss = torch.nn.functional.cross_entropy(logits, labels)
    loss.backward()
    out[f"{method}.logits"] = logits.detach().contiguous()
    out[f"{method}.loss"] = loss.detach().reshape(())
    n = 0
    for name, p in model.named_parameters():
        if p.requires_grad:
            out[f"{method}.grad.{fftune_name(name)}"] = p.grad.detach().clone()
            n += 1
    # 2 layers x {q_proj, v_proj} x (1 FourierFT / 2 LoRA parameters) + the classifier's 2
    assert n == (4 if method == "fourierft" else 8) + 2, n
    directory = f"{OUT}/vit_{method}"
    model.save_pretrained(directory)
    os.remove(os.path.join(directory, "README.md"))  # peft's model-card template
    with safetensors.safe_open(f"{directory}/adapter_model.safetensors", "pt") as f:
        keys = list(f.keys())
    # The in-memory names, as real peft adapters for ViT on transformers 5 carry them.
    assert any(".layers.0.attention.q_proj." in k for k in keys), keys


def write_peft_fixtures():
    io = load_file(f"{OUT}/vit_io.safetensors")
    x, labels = io["cls.pixel_values"], io["cls.labels"]
    out = {}
    targets = ["q_proj", "v_proj"]  # transformers 5's in-memory names of query and value
    run_adapted(FourierFTConfig(task_type="SEQ_CLS", target_modules=targets, n_frequency=40,
                                scaling=30.0, random_loc_seed=777), "fourierft", x, labels, out)
    run_adapted(LoraConfig(task_type="SEQ_CLS", target_modules=targets, r=4, lora_alpha=8,
                           init_lora_weights=False), "lora", x, labels, out)
    save_file(out, f"{OUT}/vit_peft_expected.safetensors",
              metadata={"torch": torch.__version__, "transformers": transformers.__version__,
                        "peft": peft.__version__, "safetensors": safetensors.__version__})


def main():
    assert torch.__version__ == TORCH_VERSION, torch.__version__
    assert transformers.__version__ == TRANSFORMERS_VERSION, transformers.__version__
    assert peft.__version__ == PEFT_VERSION, peft.__version__
    gen = torch.Generator().manual_seed(6)
    tensors = {}

    model = ViTModel(config(patch_size=8), add_pooling_layer=True).eval()
    randomize(model, gen)
    model.save_pretrained(f"{OUT}/vit_model")
    x = torch.randn(B, 3, 24, 24, generator=gen)
    with torch.no_grad():
        out = model(pixel_values=x)
    tensors["model.pixel_values"] = x
    tensors["model.last_hidden_state"] = out.last_hidden_state
    tensors["model.pooler_output"] = out.pooler_output

    cls = ViTForImageClassification(config(patch_size=6, num_labels=5)).eval()
    randomize(cls, gen)
    cls.save_pretrained(f"{OUT}/vit_classifier")
    ViTImageProcessor(size={"height": 24, "width": 24}, image_mean=[0.485, 0.456, 0.406],
                      image_std=[0.229, 0.224, 0.225]).save_pretrained(f"{OUT}/vit_classifier")
    x = torch.randn(B, 3, 24, 24, generator=gen)
    labels = torch.tensor([4, 0, 2])
    logits = cls(pixel_values=x).logits
    loss = torch.nn.functional.cross_entropy(logits, labels)
    loss.backward()
    tensors["cls.pixel_values"] = x
    tensors["cls.labels"] = labels
    tensors["cls.logits"] = logits.detach()
    tensors["cls.loss"] = loss.detach()
    for name, p in cls.named_parameters():
        ckpt = checkpoint_name(name)
        if (ckpt.startswith("classifier.") or ".embeddings." in ckpt
                or ckpt == "vit.encoder.layer.0.attention.attention.query.weight"):
            tensors[f"cls.grad.{ckpt}"] = p.grad.detach().clone()

    save_file({k: v.contiguous() for k, v in tensors.items()}, f"{OUT}/vit_io.safetensors",
              metadata={"torch": torch.__version__, "transformers": transformers.__version__})
    # The checkpoints must carry the classic names, as real ones do.
    for d in ("vit_model", "vit_classifier"):
        with safetensors.safe_open(f"{OUT}/{d}/model.safetensors", "pt") as f:
            keys = list(f.keys())
        assert any(".attention.attention.query." in k for k in keys), keys
        with open(f"{OUT}/{d}/config.json") as f:
            json.load(f)
    write_peft_fixtures()
    print("wrote", OUT, sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
