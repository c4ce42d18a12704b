#!/usr/bin/env python3
"""The side-by-side report of issue #7: jerex against its peers (the PyTorch twin, ONNX Runtime).

    python3 benchmarks/report/model_report.py [RESULTS.jsonl ...] [--encoder-jmh ENCODER.json ...] \\
        [--machine machine.json] [--settings TEXT] --out-dir OUTDIR

Inputs: JSON-lines files with one timing per line (dev.jerex.bench.ModelBench, the twin's
`twin.py bench`), each line exactly

    {"impl": "jerex" | "pytorch" | "onnxruntime", "case": "train_step" | "inference" | "encoder",
     "variant": "spert" | "full" | <shape>, "batch": int, "unit": "ms", "times": [ms, ...],
     "median": ms, "peak_rss_mib": MiB or null}

and EncoderBenchmark's JMH JSON (--encoder-jmh), converted into the same records (impl "jerex"
for ours, "onnxruntime" for onnxRuntime; case "encoder"; variant the shape "BxT"; batch B; times
the measurement iterations of all forks; peak_rss_mib null) and written to OUTDIR/encoder.jsonl.

Outputs:
  OUTDIR/report.md   the machine, then the time table (case, variant, batch, jerex median, peer,
                     peer median, ratio jerex/peer time; <= 1 means jerex is as fast or faster) and
                     the memory table (peak RSS of jerex and of the peer where the tools give it);
  OUTDIR/report.png  bars of jerex and the peer per case (log time axis) with the ratio above each
                     pair, and the peak RSS beside it. Needs matplotlib; without it the script says
                     so on stderr and in report.md, and still writes the tables.

Records of the same impl, case, variant and batch (several files, repeated runs) are pooled: the
median is taken over all their times (over their medians where a record has no times); the peak
RSS is the largest. --machine: the JSON of machine_info.py (taken before the runs); the load
average after the runs is read when this script runs.
"""
import argparse
import json
import math
import os
import statistics
import sys

import jmh_json

REQUIRED = {"impl": str, "case": str, "variant": str, "batch": int, "unit": str, "times": list, "median": (int, float),
            "peak_rss_mib": (int, float, type(None))}
OURS = "jerex"
CASE_ORDER = ("train_step", "inference", "encoder")
ENCODER_IMPLS = {"ours": OURS, "onnxRuntime": "onnxruntime"}


def check_record(rec, where):
    """The record, after checking it has the schema's fields and types; errors name file:line."""
    if not isinstance(rec, dict):
        raise SystemExit(f"{where}: expected a JSON object, got {type(rec).__name__}")
    for key, kind in REQUIRED.items():
        if key not in rec:
            raise SystemExit(f"{where}: field '{key}' is missing")
        value = rec[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise SystemExit(f"{where}: field '{key}' = {value!r} has the wrong type")
    if rec["unit"] != "ms":
        raise SystemExit(f"{where}: unit '{rec['unit']}', expected 'ms'")
    if any(isinstance(t, bool) or not isinstance(t, (int, float)) for t in rec["times"]):
        raise SystemExit(f"{where}: field 'times' must hold numbers")
    if rec["batch"] <= 0:
        raise SystemExit(f"{where}: batch {rec['batch']} must be positive")
    return rec


def read_jsonl(path):
    records = []
    try:
        with open(path) as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    raise SystemExit(f"{path}:{n}: not a JSON line ({e})")
                records.append(check_record(rec, f"{path}:{n}"))
    except OSError as e:
        raise SystemExit(f"{path}: cannot read ({e})")
    return records


def encoder_records(path):
    """EncoderBenchmark's JMH runs as records of the schema (see the module comment)."""
    records = []
    for run in jmh_json.load(path):
        method = jmh_json.method(run)
        if method not in ENCODER_IMPLS or "shape" not in run.get("params", {}):
            raise SystemExit(f"{path}: run {run.get('benchmark')} is not an EncoderBenchmark run (ours / onnxRuntime with a shape)")
        shape = run["params"]["shape"]
        times = jmh_json.times_ms(run)
        records.append({"impl": ENCODER_IMPLS[method], "case": "encoder", "variant": shape,
                        "batch": int(shape.split("x")[0]), "unit": "ms", "times": times,
                        "median": statistics.median(times), "peak_rss_mib": None})
    return records


class Pooled:
    """All records of one impl, case, variant and batch."""

    def __init__(self):
        self.times, self.medians, self.rss, self.records = [], [], [], 0

    def add(self, rec):
        self.records += 1
        if rec["times"]:
            self.times.extend(rec["times"])
        else:
            self.medians.append(rec["median"])
        if rec["peak_rss_mib"] is not None:
            self.rss.append(rec["peak_rss_mib"])

    def median(self):
        return statistics.median(self.times) if self.times else statistics.median(self.medians)

    def count(self):
        return len(self.times) if self.times else len(self.medians)

    def peak_rss(self):
        return max(self.rss) if self.rss else None


def pool(records):
    """{(case, variant, batch): {impl: Pooled}}"""
    out = {}
    for rec in records:
        out.setdefault((rec["case"], rec["variant"], rec["batch"]), {}).setdefault(rec["impl"], Pooled()).add(rec)
    return out


def case_key(key):
    case, variant, batch = key
    return (CASE_ORDER.index(case) if case in CASE_ORDER else len(CASE_ORDER), case, variant, batch)


def rows(pooled):
    """(case, variant, batch, ours Pooled or None, peer name or None, peer Pooled or None), one per peer."""
    out = []
    for key in sorted(pooled, key=case_key):
        impls = pooled[key]
        ours = impls.get(OURS)
        peers = sorted(name for name in impls if name != OURS) or [None]
        for peer in peers:
            out.append(key + (ours, peer, impls.get(peer)))
    return out


def fmt(x, digits=1):
    return "-" if x is None else f"{x:.{digits}f}"


def time_table(table_rows):
    lines = ["| case | variant | batch | jerex median ms | peer | peer median ms | ratio jerex/peer (time) | runs jerex / peer |",
             "|---|---|---|---|---|---|---|---|"]
    for case, variant, batch, ours, peer, theirs in table_rows:
        a = ours.median() if ours else None
        b = theirs.median() if theirs else None
        ratio = f"{a / b:.2f}x" if a is not None and b else "-"
        runs = f"{ours.count() if ours else 0} / {theirs.count() if theirs else 0}"
        lines.append(f"| {case} | {variant} | {batch} | {fmt(a)} | {peer or '-'} | {fmt(b)} | {ratio} | {runs} |")
    return "\n".join(lines) + "\n"


def memory_table(table_rows):
    lines = ["| case | variant | batch | jerex peak RSS MiB | peer | peer peak RSS MiB | ratio jerex/peer |",
             "|---|---|---|---|---|---|---|"]
    count = 0
    for case, variant, batch, ours, peer, theirs in table_rows:
        a = ours.peak_rss() if ours else None
        b = theirs.peak_rss() if theirs else None
        if a is None and b is None:
            continue
        count += 1
        ratio = f"{a / b:.2f}x" if a is not None and b else "-"
        lines.append(f"| {case} | {variant} | {batch} | {fmt(a, 0)} | {peer or '-'} | {fmt(b, 0)} | {ratio} |")
    return ("\n".join(lines) + "\n") if count else "(no peak RSS in the inputs)\n"


def current_loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return None


def machine_section(machine):
    m = machine or {}

    def v(key):
        return m.get(key) or "unknown"

    cores = f"{v('cpus')} CPUs ({v('sockets')} socket(s) x {v('cores_per_socket')} cores x {v('threads_per_core')} thread(s) per core)"
    return "\n".join([
        f"- date: {v('date')}",
        f"- CPU: {v('cpu')}, {cores}",
        f"- JDK: {v('jdk')}; Vector API in the pure-Java backend: {v('vector_api')}",
        f"- OpenBLAS, as loaded: {v('openblas')}",
        f"- PyTorch: {v('pytorch')}",
        f"- ONNX Runtime: {v('onnxruntime')}",
        f"- load average (1, 5, 15 min): {v('loadavg')} before the runs, {current_loadavg() or 'unknown'} after",
    ]) + "\n"


def chart(table_rows, path):
    """report.png; returns None, or the reason it was not written."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        return f"matplotlib is not installed for {sys.executable} ({e})"
    timed = [r for r in table_rows if r[3] or r[5]]
    if not timed:
        return "no timings in the inputs"
    mem = [r for r in timed if (r[3] and r[3].peak_rss() is not None) or (r[5] and r[5].peak_rss() is not None)]
    panels = 2 if mem else 1
    fig, axes = plt.subplots(1, panels, figsize=(max(7, 1.1 * len(timed)) + (5 if mem else 0), 5.5), squeeze=False,
                             gridspec_kw={"width_ratios": [len(timed), max(1, len(mem))]} if mem else None)

    def bars(ax, chosen, value, ylabel, title, log):
        labels = [f"{c}\n{v}\nbatch {b}\nvs {peer or '-'}" for c, v, b, _, peer, _ in chosen]
        xs = range(len(chosen))
        width = 0.38
        ours = [value(r[3]) for r in chosen]
        theirs = [value(r[5]) for r in chosen]
        ax.bar([x - width / 2 for x in xs], [o or 0 for o in ours], width, label="jerex", color="#1f77b4")
        ax.bar([x + width / 2 for x in xs], [t or 0 for t in theirs], width, label="peer (named under each pair)",
               color="#ff7f0e")
        for x, o, t in zip(xs, ours, theirs):
            if o and t:
                top = max(o, t)
                ax.annotate(f"{o / t:.2f}x", (x, top * (1.6 if log else 1.05)), ha="center", fontsize=9, fontweight="bold")
        if log:
            ax.set_yscale("log")
            positive = [y for y in ours + theirs if y]
            if positive:
                ax.set_ylim(min(positive) / 2, max(positive) * 6)
        else:
            ax.set_ylim(0, max([y or 0 for y in ours + theirs] + [1]) * 1.25)
        ax.set_xticks(list(xs))
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8, loc="upper left")

    bars(axes[0][0], timed, lambda p: p.median() if p else None, "median time per call, ms (log)",
         "time: jerex vs peer (ratio = jerex / peer time)", True)
    if mem:
        bars(axes[0][1], mem, lambda p: p.peak_rss() if p else None, "peak RSS, MiB",
             "memory (ratio = jerex / peer)", False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("jsonl", nargs="*", help="JSON-lines timing files (ModelBench, twin.py bench)")
    p.add_argument("--encoder-jmh", nargs="*", default=[], help="EncoderBenchmark JMH JSON files")
    p.add_argument("--machine", help="machine_info.py JSON, taken before the runs")
    p.add_argument("--settings", action="append", default=[], help="a line describing how the runs were made (repeatable)")
    p.add_argument("--out-dir", required=True)
    a = p.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)

    records = []
    for path in a.jsonl:
        records.extend(read_jsonl(path))
    encoder = []
    for path in a.encoder_jmh:
        encoder.extend(encoder_records(path))
    if encoder:
        with open(os.path.join(a.out_dir, "encoder.jsonl"), "w") as f:
            for rec in encoder:
                f.write(json.dumps(rec) + "\n")
    records.extend(encoder)
    if not records:
        raise SystemExit("model_report: no timings given (no JSON-lines files and no --encoder-jmh)")
    machine = None
    if a.machine:
        try:
            with open(a.machine) as f:
                machine = json.load(f)
        except (OSError, ValueError) as e:
            raise SystemExit(f"{a.machine}: cannot read the machine JSON ({e})")

    table_rows = rows(pool(records))
    png = os.path.join(a.out_dir, "report.png")
    why_no_chart = chart(table_rows, png)
    parts = ["# jerex vs peers\n", "## Machine\n", machine_section(machine)]
    if a.settings:
        parts += ["## Settings\n", "\n".join(f"- {s}" for s in a.settings) + "\n"]
    parts += ["## Time\n",
              "Median per call over all runs of each side (ms). Ratio = jerex time / peer time: below 1.00x "
              "jerex is faster. `-`: that side was not measured.\n",
              time_table(table_rows),
              "## Peak memory\n",
              "Peak resident set size of the process (MiB), as each tool reports it.\n",
              memory_table(table_rows),
              "## Chart\n",
              "![jerex vs peers](report.png)\n" if why_no_chart is None else f"**No chart: {why_no_chart}.**\n"]
    text = "\n".join(parts)
    with open(os.path.join(a.out_dir, "report.md"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    if why_no_chart is not None:
        print(f"model_report: report.png NOT written: {why_no_chart}; report.md has the tables", file=sys.stderr)
    if os.path.exists(png) and why_no_chart is not None:
        os.remove(png)   # a chart left from an earlier run would not match these tables


if __name__ == "__main__":
    main()
