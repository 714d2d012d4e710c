#!/usr/bin/env python3
"""PyTorch twin of bench/bench_step.cpp: one training step (forward, cross-entropy, backward,
AdamW on the trainable parameters) and forward-only inference, at full size with random weights,
built with transformers and adapted with peft as users do:
  ViT-B/16 (google/vit-base-patch16-224-in21k's config), batch 8 × 224², 47 labels
  RoBERTa-base, batch 8 × 128 tokens, dropout 0.1, 2 labels
with FourierFT on query/value (n = 1000, 3000), LoRA r = 8 on query/value, full fine-tuning and
inference. peft's modules_to_save keeps the classifier trainable.

transformers 5.x names ViT's projections q_proj / v_proj in memory (the checkpoints keep
attention.attention.query / value), so the ViT adapters target those names.

PyTorch's best settings (issue 6, part 6): torch.set_num_threads(FFTUNE_NUM_THREADS, default 2);
for a PyTorch built on OpenBLAS, run with OMP_WAIT_POLICY=PASSIVE and without OPENBLAS_CORETYPE
(its AVX-512 kernels): scripts/bench-step does both.
Prints {"torch": version, "threads": N, "results": {name: {"ms": median, "peak_rss_mib": ...}}}.
Reps: BENCH_REPS (default 5) steps after one warm-up step. Each configuration runs in its own
process, so that its peak resident memory is its own. STEP_ONLY: run just that name here."""
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import torch
import transformers
from transformers import (RobertaConfig, RobertaForSequenceClassification, ViTConfig,
                          ViTForImageClassification)

BATCH, TOKENS = 8, 128
MODES = ["fourierft_n1000", "fourierft_n3000", "lora_r8", "full", "inference"]


def build(model_name, mode, gen):
    if model_name == "vit":
        config = ViTConfig(num_labels=47, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
        model = ViTForImageClassification(config)
        targets, scaling = ["q_proj", "v_proj"], 300.0
        inputs = {"pixel_values": torch.randn(BATCH, 3, 224, 224, generator=gen)}
    else:
        config = RobertaConfig(vocab_size=50265, max_position_embeddings=514, type_vocab_size=1,
                               layer_norm_eps=1e-5, pad_token_id=1, num_labels=2)
        model = RobertaForSequenceClassification(config)
        targets, scaling = ["query", "value"], 29.0
        inputs = {"input_ids": torch.randint(3, config.vocab_size, (BATCH, TOKENS), generator=gen),
                  "attention_mask": torch.ones(BATCH, TOKENS, dtype=torch.long)}
    labels = torch.randint(0, config.num_labels, (BATCH,), generator=gen)
    if mode.startswith("fourierft") or mode == "lora_r8":
        from peft import FourierFTConfig, LoraConfig, get_peft_model
        if mode == "lora_r8":
            peft_config = LoraConfig(r=8, lora_alpha=8, target_modules=targets,
                                     modules_to_save=["classifier"])
        else:
            peft_config = FourierFTConfig(n_frequency=int(mode.split("_n")[1]), scaling=scaling,
                                          target_modules=targets, modules_to_save=["classifier"])
        model = get_peft_model(model, peft_config)
    return model, inputs, labels


def run(model_name, mode, reps, gen):
    model, inputs, labels = build(model_name, mode, gen)
    if mode == "inference":
        model.eval()

        def step():
            with torch.no_grad():
                model(**inputs).logits
    else:
        model.train()
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)

        def step():
            loss = torch.nn.functional.cross_entropy(model(**inputs).logits, labels)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
    step()  # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"ms": statistics.median(times), "peak_rss_mib": peak}


def main():
    threads = int(os.environ.get("FFTUNE_NUM_THREADS", "2"))
    reps = int(os.environ.get("BENCH_REPS", "5"))
    torch.set_num_threads(threads)
    only = os.environ.get("STEP_ONLY")
    if only:  # one configuration, in this process
        model_name, mode = only.split("/")[1:]
        result = run(model_name, mode, reps, torch.Generator().manual_seed(0))
        print(json.dumps(result))
        return
    results = {}
    for model_name in ["vit", "roberta"]:
        for mode in MODES:
            name = f"step/{model_name}/{mode}"
            out = subprocess.run([sys.executable, __file__], check=True, capture_output=True,
                                 text=True, env={**os.environ, "STEP_ONLY": name}).stdout
            results[name] = json.loads(out.strip().splitlines()[-1])
            print(name, results[name], file=sys.stderr)
    print(json.dumps({"torch": torch.__version__, "transformers": transformers.__version__,
                      "threads": threads, "results": results}))


if __name__ == "__main__":
    main()
