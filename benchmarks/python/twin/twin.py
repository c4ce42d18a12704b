#!/usr/bin/env python3
"""The PyTorch twin of the jerex model (model.py): parity with jerex and timing against it.

    python3 benchmarks/python/twin/twin.py parity DIR [--atol 1e-5] [--rtol 1e-3]
        DIR as dev.jerex.bench.ModelParity writes it (model/, batch.json, outputs.safetensors,
        gradients.safetensors): loads the same weights and batch, runs forward and backward in
        float32 and prints, per output and per parameter gradient, the max |twin - jerex| and the
        max relative difference; exits 1 when any element has |a - b| > atol + rtol * |b|.

    python3 benchmarks/python/twin/twin.py bench --model DIR --batches FILE --out results.jsonl
            --case train_step|inference [--batch 2|8|64] [--warmup 2] [--runs 8]
        Times one case in this process (1 thread) and appends one JSON line to --out
        (benchmarks/README.md, "Whole model vs the PyTorch twin").

Why the tolerance (float32 against float32, two different summation orders): every reduction
(gemm, softmax, LayerNorm, the gradient sums over tokens and samples) rounds differently in the
two implementations. With unit round-off u = 6e-8 and sums of n ~ 10^3..10^4 terms the forward
error is ~sqrt(n) u ~ 1e-6 relative, which six BERT layers, a BiLSTM and a BiGRU amplify to
~1e-5..1e-4. rtol = 1e-3 leaves an order of magnitude of room above that and is still far below
what a real mistake gives (a wrong mask or a missing term changes values at 1e-2..1: see the
fixture test). atol covers elements that are ~0 by cancellation: 1e-5 for outputs (logits are
O(0.1)..O(1)); for gradients atol is 1e-3 times the largest |jerex gradient| of that tensor,
since a gradient tensor's small elements are sums that cancel to well below its scale, plus a
floor of 1e-7 times the largest gradient of the whole model for the tensors whose gradient is
zero in exact arithmetic and only rounding noise in both (the attention key biases: softmax
does not change when the same q.b_k is added to every score of a query).
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from io_jerex import batch_tensors, load_model, read_safetensors  # noqa: E402
from model import TransformersAdamW, predict, train_step  # noqa: E402


# ---------------------------------------------------------------------------------------------
# parity
# ---------------------------------------------------------------------------------------------

def compare(name, twin, jerex, atol, rtol):
    """-> (max |diff|, max relative diff, ok) of one tensor; relative to max(|jerex|, 1e-6)."""
    if twin.shape != jerex.shape:
        print(f"{name}: shape {twin.shape} (twin) vs {jerex.shape} (jerex)")
        return float("inf"), float("inf"), False
    diff = np.abs(twin.astype(np.float64) - jerex.astype(np.float64))
    rel = diff / np.maximum(np.abs(jerex), 1e-6)
    ok = bool(np.all(diff <= atol + rtol * np.abs(jerex)))
    return float(diff.max(initial=0.0)), float(rel.max(initial=0.0)), ok


def parity(args):
    d = args.dir
    model = load_model(os.path.join(d, "model"))
    if model.cfg["dropout"] != 0:
        print(f"{d}/model/model.json: dropout {model.cfg['dropout']}; parity needs 0", file=sys.stderr)
        return 2
    with open(os.path.join(d, "batch.json")) as fh:
        batch = batch_tensors(json.load(fh), os.path.join(d, "batch.json"))
    expected, _ = read_safetensors(os.path.join(d, "outputs.safetensors"))
    expected_grads, _ = read_safetensors(os.path.join(d, "gradients.safetensors"))

    model.train()
    out = model(batch)
    out["loss"].backward()

    rows = []   # (kind, name, max abs, max rel, ok)
    for name in ["entity_logits", "relation_logits", "entity_loss", "relation_loss", "loss"]:
        t = out[name]
        twin = t.detach().numpy().reshape(expected[name].shape) if t is not None else np.zeros((0,), np.float32)
        rows.append(("output", name, *compare(name, twin, expected[name], args.atol, args.rtol)))
    params = dict(model.named_parameters())
    missing = sorted(set(params) - set(expected_grads))
    if missing:
        print(f"{d}/gradients.safetensors: no gradient for {missing}", file=sys.stderr)
        return 2
    largest = max(float(np.abs(g).max(initial=0.0)) for g in expected_grads.values())
    for name, p in params.items():
        g = p.grad.numpy() if p.grad is not None else np.zeros(tuple(p.shape), np.float32)
        ref = expected_grads[name]
        atol = args.grad_atol * float(np.abs(ref).max(initial=0.0)) + args.grad_floor * largest
        rows.append(("grad", name, *compare(name, g, ref, atol, args.rtol)))

    print(f"{'':6} {'tensor':62} {'max|diff|':>10} {'max rel':>10} {'scale':>10}")
    for kind, name, mx, rel, ok in rows:
        scale = float(np.abs(expected[name] if kind == "output" else expected_grads[name]).max(initial=0.0))
        print(f"{kind:6} {name:62} {mx:10.2e} {rel:10.2e} {scale:10.2e}{'' if ok else '  FAIL'}")
    worst = sorted((r for r in rows if r[0] == "grad"), key=lambda r: -r[2])[:5]
    print("largest gradient differences: " + ", ".join(f"{r[1]} {r[2]:.2e}" for r in worst))
    failed = [r[1] for r in rows if not r[4]]
    print(f"loss: twin {float(out['loss']):.6f}, jerex {float(expected['loss'][0]):.6f}; "
          f"{len(rows)} tensors, {'all within' if not failed else str(len(failed)) + ' outside'} "
          f"|a-b| <= atol + {args.rtol:g}|b| (atol {args.atol:g} for outputs; for gradients "
          f"{args.grad_atol:g} x the tensor's max|grad| + {args.grad_floor:g} x the model's max|grad| = {largest:.3g})")
    return 1 if failed else 0


# ---------------------------------------------------------------------------------------------
# bench
# ---------------------------------------------------------------------------------------------

def peak_rss_mib():
    """Peak resident set size of this process (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench(args):
    torch.set_num_threads(1)
    model = load_model(args.model)
    with open(args.batches) as fh:
        inputs = json.load(fh)
    times = []
    if args.case == "train_step":
        key = str(args.batch)
        if key not in inputs["train"]:
            print(f"{args.batches}: no training batches of size {key} (has {sorted(inputs['train'])})", file=sys.stderr)
            return 2
        batches = [batch_tensors(b, f"{args.batches} train/{key}") for b in inputs["train"][key]]
        optimizer = TransformersAdamW(model.named_parameters(), weight_decay=0.01)
        for i in range(args.warmup + args.runs):
            t0 = time.perf_counter()
            train_step(model, optimizer, batches[i % len(batches)])
            if i >= args.warmup:
                times.append((time.perf_counter() - t0) * 1e3)
    else:
        docs = inputs["inference"][:args.batch]
        if len(docs) < args.batch:
            print(f"{args.batches}: {len(docs)} inference sentences, asked for {args.batch}", file=sys.stderr)
            return 2
        for i in range(args.warmup + args.runs):
            t0 = time.perf_counter()
            found = [predict(model, doc) for doc in docs]
            if i >= args.warmup:
                times.append((time.perf_counter() - t0) * 1e3)
        print(f"# inference: {sum(len(e) for e, _ in found)} entities, {sum(len(r) for _, r in found)} relations predicted",
              file=sys.stderr)
    row = {"impl": "pytorch", "case": args.case, "variant": model.cfg["variant"], "batch": args.batch, "unit": "ms",
           "times": [round(t, 3) for t in times], "median": round(statistics.median(times), 3),
           "peak_rss_mib": round(peak_rss_mib(), 1)}
    line = json.dumps(row)
    print(line)
    with open(args.out, "a") as fh:
        fh.write(line + "\n")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parity", help="compare with what dev.jerex.bench.ModelParity wrote")
    p.add_argument("dir")
    p.add_argument("--atol", type=float, default=1e-5, help="absolute tolerance of the outputs")
    p.add_argument("--grad-atol", type=float, default=1e-3, help="absolute tolerance of a gradient, times its max |jerex value|")
    p.add_argument("--grad-floor", type=float, default=1e-7, help="plus this times the largest |gradient| of the model")
    p.add_argument("--rtol", type=float, default=1e-3)
    b = sub.add_parser("bench", help="time a training step or inference (one case per process, for its peak RSS)")
    b.add_argument("--model", required=True)
    b.add_argument("--batches", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--case", choices=["train_step", "inference"], required=True)
    b.add_argument("--batch", type=int, default=None, help="documents per training batch (2, 8) or inference sentences (64)")
    b.add_argument("--warmup", type=int, default=2)
    b.add_argument("--runs", type=int, default=8)
    args = ap.parse_args()
    if args.command == "parity":
        return parity(args)
    if args.batch is None:
        args.batch = 2 if args.case == "train_step" else 64
    return bench(args)


if __name__ == "__main__":
    sys.exit(main())
