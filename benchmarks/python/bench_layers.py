#!/usr/bin/env python3
"""PyTorch peer timings for the Java layer benchmarks (float32, CPU).

    /usr/bin/python3 benchmarks/python/bench_layers.py [--threads 1] [--runs 10] [--warmup 3] [--json FILE]

Shapes (as the Java benchmarks and docs/PERF.md):
  bilstm / bigru : batch 8, 64 steps, input 768, hidden 384, 1 layer, bidirectional, batch_first
  mha            : torch.nn.MultiheadAttention self-attention, batch 8, seq 64, d 768, 12 heads
  bert_layer     : one hand-written Hugging Face-style BERT encoder layer (post-LN, exact GELU),
                   d 384, 12 heads, FFN 1536, batch 8 x 64 tokens, attention mask all ones
Each layer is timed three ways:
  forward           forward with autograd recording (as in training)
  forward_backward  forward, then backward of (out * up).sum() to the parameters and to the input
  forward_nograd    forward under torch.no_grad() (inference)
Every timing is the median (and min) of --runs calls after --warmup calls; a JSON object goes to
stdout (and to --json FILE). Debian's torch needs libopenblas0-openmp, else it falls back to the
reference BLAS (about 6 GFLOPS): the "blas" field reports what torch was built with and which BLAS
library is actually mapped into the process.
"""
import argparse
import ctypes
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def gelu_erf(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


class BertLayer(nn.Module):
    """Hugging Face BertLayer (post-LN), eval, no dropout, written out as in tools/fixtures/make_fixtures.py."""

    def __init__(self, d, heads, ffn, eps=1e-12):
        super().__init__()
        self.heads, self.eps = heads, eps
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.attn_out = nn.Linear(d, d)
        self.ln1 = nn.LayerNorm(d, eps=eps)
        self.intermediate = nn.Linear(d, ffn)
        self.output = nn.Linear(ffn, d)
        self.ln2 = nn.LayerNorm(d, eps=eps)

    def forward(self, hidden, attention_mask):
        # hidden: [B, T, d]; attention_mask: [B, T] (1 = real token)
        B, T, d = hidden.shape
        dh = d // self.heads

        def split(x):  # [B, T, d] -> [B, h, T, dh]
            return x.view(B, T, self.heads, dh).transpose(1, 2)

        q, k, v = split(self.query(hidden)), split(self.key(hidden)), split(self.value(hidden))
        ext = (1.0 - attention_mask.to(hidden.dtype))[:, None, None, :] * -10000.0   # [B, 1, 1, T]
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh) + ext, dim=-1)
        ctx = (probs @ v).transpose(1, 2).reshape(B, T, d)
        a = self.ln1(self.attn_out(ctx) + hidden)
        return self.ln2(self.output(gelu_erf(self.intermediate(a))) + a)


def check_bert_layer(layer, x, mask):
    """Validate the hand-written layer against torch.nn.TransformerEncoderLayer before timing it."""
    d = x.shape[-1]
    ref = nn.TransformerEncoderLayer(d, layer.heads, dim_feedforward=layer.intermediate.out_features, dropout=0.0,
                                     activation="gelu", layer_norm_eps=layer.eps, batch_first=True).train()
    with torch.no_grad():
        ref.self_attn.in_proj_weight.copy_(torch.cat([layer.query.weight, layer.key.weight, layer.value.weight]))
        ref.self_attn.in_proj_bias.copy_(torch.cat([layer.query.bias, layer.key.bias, layer.value.bias]))
        for mine, theirs in [(layer.attn_out, ref.self_attn.out_proj), (layer.intermediate, ref.linear1),
                             (layer.output, ref.linear2), (layer.ln1, ref.norm1), (layer.ln2, ref.norm2)]:
            theirs.weight.copy_(mine.weight)
            theirs.bias.copy_(mine.bias)
        diff = (ref(x, src_key_padding_mask=mask == 0) - layer(x, mask)).abs().max().item()
    if diff > 1e-4:
        raise AssertionError(f"hand-written BERT layer differs from TransformerEncoderLayer by {diff:.2e}")
    return diff


def measure(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return {"median_ms": round(statistics.median(times), 3), "min_ms": round(min(times), 3), "runs": runs}


def bench_layer(name, module, make_inputs, call, args, results):
    """make_inputs(requires_grad) -> tuple; call(module, *inputs) -> output tensor."""
    module.eval()  # dropout-free everywhere; autograd still records in the two grad modes
    x_grad = make_inputs(True)
    x_plain = make_inputs(False)
    with torch.no_grad():
        up = torch.randn_like(call(module, *x_plain))

    def forward():
        return call(module, *x_grad)

    def forward_backward():
        module.zero_grad(set_to_none=True)
        x_grad[0].grad = None
        (call(module, *x_grad) * up).sum().backward()

    def forward_nograd():
        with torch.no_grad():
            return call(module, *x_plain)

    for mode, fn in [("forward", forward), ("forward_backward", forward_backward), ("forward_nograd", forward_nograd)]:
        results[f"{name}.{mode}"] = r = measure(fn, args.warmup, args.runs)
        print(f"{name + '.' + mode:30s} median {r['median_ms']:9.2f} ms   min {r['min_ms']:9.2f} ms   "
              f"runs {r['runs']}", file=sys.stderr)


def blas_summary():
    config = torch.__config__.show()
    keys = ("BLAS_INFO", "LAPACK_INFO", "USE_MKL", "USE_MKLDNN", "USE_OPENMP", "CPU capability")
    built = [part.strip() for line in config.splitlines() for part in line.split(",")
             if any(k in part for k in keys)]
    torch.ones(64, 64) @ torch.ones(64, 64)  # make sure the BLAS is loaded before looking
    try:
        with open("/proc/self/maps") as f:
            mapped = sorted({line.split()[-1] for line in f
                             if any(s in line for s in ("blas", "lapack", "mkl", "gomp", "omp"))})
    except OSError:
        mapped = []
    summary = {"build": built, "mapped_libraries": mapped, "mkldnn_available": torch.backends.mkldnn.is_available()}
    for lib in mapped:
        if "libopenblas" in lib:  # which kernels OpenBLAS picked for this CPU (DYNAMIC_ARCH builds)
            try:
                openblas = ctypes.CDLL(lib)
                openblas.openblas_get_config.restype = ctypes.c_char_p
                openblas.openblas_get_corename.restype = ctypes.c_char_p
                summary["openblas_config"] = openblas.openblas_get_config().decode()
                summary["openblas_core"] = openblas.openblas_get_corename().decode()
            except (OSError, AttributeError):
                pass
    return summary


def cpu_summary():
    info = {"logical_cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        for line in text.splitlines():
            if line.startswith("model name"):
                info["model"] = line.split(":", 1)[1].strip()
                break
        info["avx512f"] = " avx512f" in text
    except OSError:
        pass
    return info


def sgemm_gflops():
    """Calibration: float32 GEMM 512x768 @ 768x768 through torch's BLAS (PERF.md: ~118-141 GFLOPS, 1 thread)."""
    a, b = torch.randn(512, 768), torch.randn(768, 768)
    r = measure(lambda: a @ b, 3, 20)
    return round(2 * 512 * 768 * 768 / (r["median_ms"] * 1e-3) / 1e9, 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--only", help="comma-separated subset of bilstm,bigru,mha,bert_layer")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)  # Debian's torch starts with 1 thread here: always set it
    torch.manual_seed(0)
    only = set(args.only.split(",")) if args.only else {"bilstm", "bigru", "mha", "bert_layer"}
    B, T = 8, 64
    results = {
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "dtype": "float32",
        "cpu": cpu_summary(),
        "blas": blas_summary(),
        "sgemm_512x768x768_gflops": sgemm_gflops(),
        "loadavg_at_start": [round(v, 2) for v in os.getloadavg()],
        "shapes": {"rnn": "batch 8, 64 steps, input 768, hidden 384, 1 layer, bidirectional",
                   "mha": "batch 8, seq 64, d 768, 12 heads, self-attention, need_weights=False",
                   "bert_layer": "batch 8 x 64, d 384, 12 heads, FFN 1536, post-LN, exact GELU"},
        "modes": {"forward": "autograd recording", "forward_backward": "grads to params and input",
                  "forward_nograd": "torch.no_grad()"},
    }

    for name, cell in [("bilstm", nn.LSTM), ("bigru", nn.GRU)]:
        if name in only:
            rnn = cell(768, 384, num_layers=1, bidirectional=True, batch_first=True)
            bench_layer(name, rnn, lambda g: (torch.randn(B, T, 768, requires_grad=g),),
                        lambda m, x: m(x)[0], args, results)
    if "mha" in only:
        mha = nn.MultiheadAttention(768, 12, dropout=0.0, batch_first=True)
        bench_layer("mha", mha, lambda g: (torch.randn(B, T, 768, requires_grad=g),),
                    lambda m, x: m(x, x, x, need_weights=False)[0], args, results)
    if "bert_layer" in only:
        layer = BertLayer(384, 12, 1536)
        mask = torch.ones(B, T, dtype=torch.long)
        results["bert_layer.check_max_abs_diff_vs_TransformerEncoderLayer"] = check_bert_layer(
            layer, torch.randn(B, T, 384), mask)
        bench_layer("bert_layer", layer, lambda g: (torch.randn(B, T, 384, requires_grad=g), mask),
                    lambda m, x, am: m(x, am), args, results)

    results["loadavg_at_end"] = [round(v, 2) for v in os.getloadavg()]
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
