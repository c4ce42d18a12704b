#!/usr/bin/env python3
"""Markdown table of the kernel benchmarks (JMH KernelBenchmark, sample mode, -rf json).

    python3 benchmarks/report/kernel_report.py KERNELS.json [--out FILE.md]

One row per kernel and mode (forward with the graph recorded, forward+backward, no-grad forward),
one column per backend with the median time per call in microseconds (JMH's p0.50 over all
iterations and forks), then the ratio pure Java / OpenBLAS (time) when both backends were run,
and backward / forward on OpenBLAS ((forward+backward - forward) / forward, the cost of the
backward pass relative to the forward). The shapes are those of KernelBenchmark's class comment
(benchmarks/README.md, "Kernels"). Python 3 standard library only.
"""
import argparse

import jmh_json

MODES = (("forwardNoGrad", "no-grad"), ("forward", "forward"), ("forwardBackward", "forward+backward"))
BACKENDS = ("openblas", "java")


def medians(path):
    """{(kernel, method): {backend: median us}}, and the kernels in the order they were run."""
    out, order = {}, []
    for run in jmh_json.load(path):
        params = run.get("params", {})
        if "kernel" not in params or "backend" not in params:
            raise SystemExit(f"{path}: run {run.get('benchmark')} has no kernel/backend parameters (not KernelBenchmark output?)")
        kernel = params["kernel"]
        if kernel not in order:
            order.append(kernel)
        out.setdefault((kernel, jmh_json.method(run)), {})[params["backend"]] = jmh_json.median_ms(run) * 1e3
    return out, order


def table(results, kernels):
    backends = [b for b in BACKENDS if any(b in r for r in results.values())]
    both = len(backends) == 2
    cols = ["kernel", "mode"] + [f"{b} us" for b in backends]
    if both:
        cols.append("java / openblas")
    cols.append("backward / forward (openblas)")
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for kernel in kernels:
        for method, label in MODES:
            r = results.get((kernel, method))
            if not r:
                continue
            row = [kernel, label] + [f"{r[b]:.1f}" if b in r else "-" for b in backends]
            if both:
                row.append(f"{r['java'] / r['openblas']:.2f}x" if "java" in r and "openblas" in r else "-")
            fwd = results.get((kernel, "forward"), {}).get("openblas")
            fb = r.get("openblas")
            row.append(f"{(fb - fwd) / fwd:.2f}" if method == "forwardBackward" and fwd and fb else "")
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("result", help="JMH -rf json output of KernelBenchmark")
    p.add_argument("--out", help="also write the table to this Markdown file")
    a = p.parse_args()
    text = table(*medians(a.result))
    jmh_json.emit(text, a.out)


if __name__ == "__main__":
    main()
