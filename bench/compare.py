#!/usr/bin/env python3
"""Joins a Google Benchmark JSON report (fftune) and a reference JSON report (PyTorch twin,
{"torch", "threads", "results": {name: {"ms": ...}}}) by benchmark name and prints a Markdown
table of median times and the ratio fftune/torch (< 1: fftune is faster).
Usage: compare.py fftune.json torch.json [title]"""
import json
import sys

UNIT_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


def fftune_medians(report):
    out = {}
    for b in report["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"].split("/real_time")[0].split("/iterations")[0]
        out[name] = b["real_time"] * UNIT_MS[b.get("time_unit", "ns")]
    return out


def main():
    ours = fftune_medians(json.load(open(sys.argv[1])))
    ref = json.load(open(sys.argv[2]))
    title = sys.argv[3] if len(sys.argv) > 3 else ""
    ctx = json.load(open(sys.argv[1]))["context"]
    print(f"{title} — {ctx.get('host_name', '?')}, {ctx.get('num_cpus', '?')} CPUs, "
          f"{ctx.get('date', '')}; torch {ref['torch']}, {ref['threads']} threads; medians")
    print()
    print("| benchmark | fftune ms | torch ms | fftune/torch |")
    print("|---|---:|---:|---:|")
    for name, ms in ours.items():
        t = ref["results"].get(name)
        if t is None:
            print(f"| {name} | {ms:.3f} | — | — |")
        else:
            print(f"| {name} | {ms:.3f} | {t['ms']:.3f} | {ms / t['ms']:.2f} |")
    for name, t in ref["results"].items():
        if name not in ours:
            print(f"| {name} | — | {t['ms']:.3f} | — |")


if __name__ == "__main__":
    main()
