#!/usr/bin/env python3
"""Hugging Face `tokenizers` twin of bench/bench_tokenizer.cpp: encodes the same text with the
same vocab.json + merges.txt (the files bench_tokenizer writes into its directory) through
ByteLevelBPETokenizer, and reports MB/s of UTF-8 input (1e6 bytes per second), median of runs.

  python3 bench/reference/tokenizer_hf.py --dir DIR [--runs 5]

Two ways of calling it, each in a fresh process (tokenizers reads TOKENIZERS_PARALLELISM when it
is first used), both warm (a first pass fills the BPE cache) and cold (a newly loaded tokenizer):
  single   encode_batch(lines) with TOKENIZERS_PARALLELISM=false: one thread, as fftune's bench
  default  encode_batch(lines) as tokenizers runs it out of the box (a rayon thread per core;
           RAYON_NUM_THREADS caps it)
Prints one JSON object per line: {"name", "mode", "mb_per_s", "tokens", "threads"}.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def measure(directory, mode, runs):
    if mode == "single":
        os.environ["TOKENIZERS_PARALLELISM"] = "false"
    from tokenizers import ByteLevelBPETokenizer  # after the environment is set

    def load():
        return ByteLevelBPETokenizer(os.path.join(directory, "vocab.json"),
                                     os.path.join(directory, "merges.txt"))

    with open(os.path.join(directory, "text.txt"), "rb") as f:
        raw = f.read()
    lines = raw.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line, as std::getline reads it
    megabytes = len(raw) / 1e6

    def encode(tokenizer):
        return sum(len(e.ids) for e in tokenizer.encode_batch(lines, add_special_tokens=False))

    threads = 1 if mode == "single" else int(os.environ.get("RAYON_NUM_THREADS", os.cpu_count()))
    warm = load()
    tokens = encode(warm)  # fills the cache
    results = {}
    for kind in ("warm", "cold"):
        times = []
        for _ in range(runs):
            tokenizer = warm if kind == "warm" else load()
            t0 = time.perf_counter()
            encode(tokenizer)
            times.append(time.perf_counter() - t0)
        results[kind] = megabytes / statistics.median(times)
    for kind, mb_per_s in results.items():
        print(json.dumps({"name": f"hf_{mode}_{kind}", "mode": mode, "kind": kind,
                          "mb_per_s": mb_per_s, "tokens": tokens, "threads": threads}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, help="bench_tokenizer's directory")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mode", choices=["single", "default"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:
        measure(args.dir, args.mode, args.runs)
        return
    for mode in ("single", "default"):  # each in its own process
        out = subprocess.run([sys.executable, __file__, "--dir", args.dir, "--runs", str(args.runs),
                              "--mode", mode], check=True, capture_output=True, text=True).stdout
        sys.stdout.write(out)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
