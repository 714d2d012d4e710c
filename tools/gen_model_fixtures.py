#!/usr/bin/env python3
"""Writes tests/fixtures/models/roberta_* for tests/fixture/test_roberta_hf.cpp: tiny random
RoBERTa models saved by Hugging Face transformers in the layouts real checkpoints come in, an
input batch with padding, and what transformers computes from them.

Generated with torch 2.15.0+cu132, transformers 5.24.0, peft 0.21.2 and safetensors 0.8.0 (also
recorded in roberta_expected.safetensors' metadata). Run by hand from the repository root:
    python3 tools/gen_model_fixtures.py

The model: 2 layers, hidden 48, 4 heads, intermediate 80, vocab 120, 40 positions (sizes that are
not powers of two), pad_token_id 1, 3 labels. Every parameter is redrawn at random (LayerNorm
weights and biases too, so that nothing is an identity) and the models run in eval mode (no
dropout) with eager attention, in f32.

Directories (config.json + weights, each as transformers writes or once wrote them):
  roberta_seqcls/   RobertaForSequenceClassification, model.safetensors
  roberta_mlm/      RobertaForMaskedLM as roberta-base: lm_head.* with the decoder tied to the
                    word embeddings (so lm_head.decoder.* is not in the file)
  roberta_sharded/  the roberta_seqcls model as model.safetensors.index.json + 2 shards
  roberta_old/      the roberta_mlm model as older checkpoints carry it: LayerNorm gamma/beta,
                    the roberta.embeddings.position_ids buffer and the tied lm_head.decoder.*
                    written out
  roberta_fourierft/ peft's FourierFT adapter for roberta_seqcls (adapter_config.json +
                    adapter_model.safetensors): query and value, n_frequency 40, scaling 10,
                    random_loc_seed 777, coefficients N(0, 1) (peft's default init);
                    task_type SEQ_CLS, so the classifier trains and is saved too
  roberta_lora/     peft's LoRA adapter for roberta_seqcls: query and value, r 4, lora_alpha 8,
                    lora_B drawn non-zero (init_lora_weights False)
roberta_expected.safetensors:
  input_ids, attention_mask   i64 (B, T), right-padded with pad_token_id
  labels                      i64 (B) class labels;  mlm_labels  i64 (B, T), -100 = not scored
  seqcls.last_hidden_state    (B, T, C);  seqcls.logits  (B, 3);  seqcls.loss  ()
  seqcls.grad.<name>          d cross_entropy(logits, labels) / d parameter, for the classifier's
                              parameters and one encoder weight
  mlm.last_hidden_state       (B, T, C);  mlm.logits  (B, T, V);  mlm.loss  ()
  mlm.grad.<name>             d mlm loss / d parameter (lm_head.dense.weight, lm_head.bias, and
                              the tied word embeddings, which get both uses' gradients)
  fourierft.logits, fourierft.loss, lora.logits, lora.loss   the adapted seqcls model's
  <method>.grad.<name>        d loss / d every trainable parameter, under fftune's names:
                              <layer>.adapter.fourierft_spectrum, <layer>.adapter.lora_A / lora_B
                              (layer: roberta.encoder.layer.0.attention.self.query, ...) and
                              classifier.{dense,out_proj}.{weight,bias}
"""
import json
import os

import safetensors
import torch
import peft
import transformers
from peft import FourierFTConfig, LoraConfig, get_peft_model
from safetensors.torch import save_file
from transformers import RobertaConfig, RobertaForMaskedLM, RobertaForSequenceClassification

TORCH_VERSION = "2.15.0+cu132"
TRANSFORMERS_VERSION = "5.24.0"
PEFT_VERSION = "0.21.2"
OUT = os.path.join("tests", "fixtures", "models")
B, T = 3, 9
LENGTHS = [9, 6, 4]  # tokens per row; the rest is padding
PAD = 1

SEQCLS_GRADS = ["classifier.dense.weight", "classifier.dense.bias", "classifier.out_proj.weight",
                "classifier.out_proj.bias", "roberta.encoder.layer.0.attention.self.query.weight"]
MLM_GRADS = ["lm_head.dense.weight", "lm_head.bias", "roberta.embeddings.word_embeddings.weight"]


def config():
    return RobertaConfig(vocab_size=120, hidden_size=48, num_hidden_layers=2,
                         num_attention_heads=4, intermediate_size=80, max_position_embeddings=40,
                         type_vocab_size=1, pad_token_id=PAD, bos_token_id=0, eos_token_id=2,
                         layer_norm_eps=1e-5, hidden_act="gelu", num_labels=3,
                         attn_implementation="eager")


def randomize(model, seed):
    """Redraws every parameter: weights N(0, 0.15), biases N(0, 0.1), LayerNorm weights
    1 + N(0, 0.1). Tied parameters are drawn once (named_parameters lists them once)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g)
            if "LayerNorm.weight" in name or "layer_norm.weight" in name:
                p.copy_(1 + 0.1 * noise)
            elif name.endswith("bias"):
                p.copy_(0.1 * noise)
            else:
                p.copy_(0.15 * noise)


def batch():
    g = torch.Generator().manual_seed(7)
    ids = torch.full((B, T), PAD, dtype=torch.long)
    mask = torch.zeros((B, T), dtype=torch.long)
    for b, n in enumerate(LENGTHS):
        ids[b, :n] = torch.randint(3, 120, (n,), generator=g)
        ids[b, 0], ids[b, n - 1] = 0, 2  # <s> ... </s>
        mask[b, :n] = 1
    mlm_labels = torch.full((B, T), -100, dtype=torch.long)
    for b, t in [(0, 3), (0, 5), (1, 2), (2, 1)]:
        mlm_labels[b, t] = ids[b, t]
    labels = torch.tensor([2, 0, 1])
    return ids, mask, labels, mlm_labels


def run(model, ids, mask, labels, grads, prefix, out, lm):
    model.eval()
    model.zero_grad()
    res = model(input_ids=ids, attention_mask=mask, labels=labels, output_hidden_states=True)
    res.loss.backward()
    out[f"{prefix}.last_hidden_state"] = res.hidden_states[-1].detach().contiguous()
    out[f"{prefix}.logits"] = res.logits.detach().contiguous()
    out[f"{prefix}.loss"] = res.loss.detach().reshape(())
    params = dict(model.named_parameters())
    for name in grads:
        out[f"{prefix}.grad.{name}"] = params[name].grad.detach().clone()
    if lm:  # the tied decoder: one tensor under both names
        assert model.lm_head.decoder.weight.data_ptr() == \
            model.roberta.embeddings.word_embeddings.weight.data_ptr()


def file_keys(path):
    with safetensors.safe_open(path, "pt") as f:
        return set(f.keys())


def save_old_layout(model, directory):
    """The checkpoint layout of older transformers: gamma/beta, position_ids, tied names kept."""
    os.makedirs(directory, exist_ok=True)
    state = {}
    for name, t in model.state_dict().items():
        if name.endswith("LayerNorm.weight") or name.endswith("layer_norm.weight"):
            name = name[: -len("weight")] + "gamma"
        elif name.endswith("LayerNorm.bias") or name.endswith("layer_norm.bias"):
            name = name[: -len("bias")] + "beta"
        state[name] = t.detach().clone().contiguous()  # clones: tied tensors saved twice
    state["roberta.embeddings.position_ids"] = torch.arange(40).reshape(1, 40)
    assert "lm_head.decoder.weight" in state and "lm_head.decoder.bias" in state
    save_file(state, os.path.join(directory, "model.safetensors"), metadata={"format": "pt"})
    model.config.to_json_file(os.path.join(directory, "config.json"))


def run_adapted(seqcls_dir, peft_config, method, ids, mask, labels, out):
    """peft's adapter on the seqcls model: logits, loss and the adapter parameters' gradients."""
    base = RobertaForSequenceClassification.from_pretrained(seqcls_dir,
                                                            attn_implementation="eager")
    torch.manual_seed(3)  # FourierFT's coefficients and LoRA's A, B are drawn from torch's RNG
    model = get_peft_model(base, peft_config)
    model.eval()
    res = model(input_ids=ids, attention_mask=mask, labels=labels)
    res.loss.backward()
    out[f"{method}.logits"] = res.logits.detach().contiguous()
    out[f"{method}.loss"] = res.loss.detach().reshape(())
    n = 0
    for name, p in model.named_parameters():
        if p.requires_grad:
            # peft's names -> fftune's: the adapter parameters live in the layer's "adapter"
            # child; the classifier (peft's modules_to_save copy) under its plain name.
            name = name.replace("base_model.model.", "").replace(".modules_to_save.default", "")
            name = name.replace(".fourierft_spectrum.default", ".adapter.fourierft_spectrum")
            name = name.replace(".lora_A.default.weight", ".adapter.lora_A")
            name = name.replace(".lora_B.default.weight", ".adapter.lora_B")
            out[f"{method}.grad.{name}"] = p.grad.detach().clone()
            n += 1
    # 2 layers x {query, value} x (1 FourierFT / 2 LoRA parameters) + 4 of the classifier
    assert n == (4 if method == "fourierft" else 8) + 4, n
    directory = os.path.join(OUT, f"roberta_{method}")
    model.save_pretrained(directory)
    os.remove(os.path.join(directory, "README.md"))  # peft's model-card template


def main():
    assert torch.__version__ == TORCH_VERSION, torch.__version__
    assert transformers.__version__ == TRANSFORMERS_VERSION, transformers.__version__
    assert peft.__version__ == PEFT_VERSION, peft.__version__
    torch.manual_seed(0)
    ids, mask, labels, mlm_labels = batch()
    out = {"input_ids": ids, "attention_mask": mask, "labels": labels, "mlm_labels": mlm_labels}

    seqcls = RobertaForSequenceClassification(config())
    randomize(seqcls, 1)
    run(seqcls, ids, mask, labels, SEQCLS_GRADS, "seqcls", out, lm=False)
    seqcls.save_pretrained(os.path.join(OUT, "roberta_seqcls"))
    seqcls.save_pretrained(os.path.join(OUT, "roberta_sharded"), max_shard_size="120KB")

    mlm = RobertaForMaskedLM(config())
    randomize(mlm, 2)
    run(mlm, ids, mask, mlm_labels, MLM_GRADS, "mlm", out, lm=True)
    mlm.save_pretrained(os.path.join(OUT, "roberta_mlm"))
    save_old_layout(mlm, os.path.join(OUT, "roberta_old"))

    # The files must be in the real checkpoint layout (transformers 5 renames some models'
    # modules in memory; RoBERTa keeps the classic names, checked here).
    mlm_keys = file_keys(os.path.join(OUT, "roberta_mlm", "model.safetensors"))
    assert "roberta.encoder.layer.0.attention.self.query.weight" in mlm_keys
    assert "lm_head.bias" in mlm_keys and "lm_head.decoder.weight" not in mlm_keys, mlm_keys
    index = json.load(open(os.path.join(OUT, "roberta_sharded", "model.safetensors.index.json")))
    shards = sorted(set(index["weight_map"].values()))
    assert len(shards) == 2, shards

    seqcls_dir = os.path.join(OUT, "roberta_seqcls")
    # task_type SEQ_CLS, as a GLUE run would: peft then also trains (and saves) the classifier.
    run_adapted(seqcls_dir, FourierFTConfig(task_type="SEQ_CLS", target_modules=["query", "value"],
                                            n_frequency=40, scaling=10.0, random_loc_seed=777),
                "fourierft", ids, mask, labels, out)
    run_adapted(seqcls_dir, LoraConfig(task_type="SEQ_CLS", target_modules=["query", "value"], r=4,
                                       lora_alpha=8, init_lora_weights=False),
                "lora", ids, mask, labels, out)

    metadata = {"torch": torch.__version__, "transformers": transformers.__version__,
                "peft": peft.__version__, "safetensors": safetensors.__version__}
    save_file(out, os.path.join(OUT, "roberta_expected.safetensors"), metadata=metadata)


if __name__ == "__main__":
    main()
