#!/usr/bin/env python3
"""Markdown table: the layer benchmarks (JMH LayerBenchmark, sample mode) against PyTorch's
timings of the same shapes (benchmarks/python/bench_layers.py --json).

    python3 benchmarks/report/layer_report.py --jmh after.json [--jmh-before before.json] \
        --torch torch1.json [torch2.json ...] [--out FILE.md]

Ours: the median per call (JMH's p0.50). PyTorch: the median per call of each JSON; with several
files (runs before and after ours, same load) the mean of their medians, and each shown in
brackets. Ratio = ours / PyTorch (time; <= 1.0 is the goal). Python 3 standard library only.
"""
import argparse
import json
import statistics

import jmh_json

MODES = {"forward": "forward", "forwardBackward": "forward_backward", "forwardNoGrad": "forward_nograd"}
LAYERS = ("bilstm", "bigru", "mha", "bert_layer")


def jmh_medians(path):
    with open(path) as f:
        runs = json.load(f)
    out = {}
    for run in runs:
        mode = run["benchmark"].rsplit(".", 1)[-1]
        m = run["primaryMetric"]
        med = m["scorePercentiles"]["50.0"] if "scorePercentiles" in m and m["scorePercentiles"] else m["score"]
        out[(run["params"]["layer"], MODES[mode])] = med  # LayerBenchmark reports ms/op
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jmh", required=True)
    p.add_argument("--jmh-before")
    p.add_argument("--torch", nargs="+", required=True)
    p.add_argument("--out")
    a = p.parse_args()
    after = jmh_medians(a.jmh)
    before = jmh_medians(a.jmh_before) if a.jmh_before else None
    torch = []
    for path in a.torch:
        with open(path) as f:
            torch.append(json.load(f))
    cols = ["layer", "mode"] + (["ours before ms", "ratio before"] if before else []) + \
           ["ours ms", "PyTorch ms", "ratio ours/PyTorch"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for layer in LAYERS:
        for mode in MODES.values():
            key = f"{layer}.{mode}"
            ts = [t[key]["median_ms"] for t in torch if key in t]
            if (layer, mode) not in after or not ts:
                continue
            pt = statistics.mean(ts)
            row = [layer, mode]
            if before:
                b = before.get((layer, mode))
                row += [f"{b:.1f}" if b else "-", f"{b / pt:.2f}x" if b else "-"]
            ours = after[(layer, mode)]
            pts = f"{pt:.1f}" + (" (" + " / ".join(f"{v:.1f}" for v in ts) + ")" if len(ts) > 1 else "")
            row += [f"{ours:.1f}", pts, f"{ours / pt:.2f}x"]
            lines.append("| " + " | ".join(row) + " |")
    text = "\n".join(lines) + "\n"
    jmh_json.emit(text, a.out)


if __name__ == "__main__":
    main()
