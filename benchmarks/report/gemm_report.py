#!/usr/bin/env python3
"""Markdown table of the sgemm comparison from JMH's JSON output (GemmBenchmark).

    python3 benchmarks/report/gemm_report.py RESULT.json [--novector NOVEC.json] [--out FILE.md]

For every shape M x K x N: the median time of each variant (the median over all measurement
iterations of all forks, from primaryMetric.rawData), its GFLOPS (2 M N K / time), and the speed
ratios against raw cblas_sgemm on the same buffers, raw_time / variant_time (1.0 = as fast as
raw OpenBLAS; the Tensor-API goal is >= 0.95). The last row is the median of each column over the
shapes. --novector adds the tensorJava times of a run with -Djerex.noVectorApi=true.
Python 3 standard library only.
"""
import argparse
import statistics

import jmh_json

VARIANTS = ("rawCblas", "tensorOpenBlas", "tensorJava")


def medians(path):
    """{shape: {variant: median ms}} from a JMH JSON file (average-time or sample mode)."""
    out = {}
    for run in jmh_json.load(path):
        out.setdefault(run["params"]["shape"], {})[jmh_json.method(run)] = jmh_json.median_ms(run)
    return out


def flops(shape):
    m, k, n = (int(x) for x in shape.split("x"))
    return 2.0 * m * n * k


def table(results, novector=None):
    cols = ["shape M x K x N", "rawCblas ms", "tensorOpenBlas ms", "tensorJava ms"]
    if novector:
        cols.append("tensorJava no-Vector ms")
    cols += ["raw GFLOPS", "Java GFLOPS", "speed ratio OpenBLAS tensor/raw", "speed ratio Java/raw"]
    if novector:
        cols.append("speed ratio Java no-Vector/raw")
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    ratios = {"blas": [], "java": [], "novec": []}

    def shape_key(s):
        m, k, n = (int(x) for x in s.split("x"))
        return (not (m == k == n), k, m, n)

    for shape in sorted(results, key=shape_key):
        r = results[shape]
        raw = r.get("rawCblas")
        row = [shape.replace("x", " x ")]
        row += [f"{r[v]:.3f}" if v in r else "-" for v in VARIANTS]
        nv = novector.get(shape, {}).get("tensorJava") if novector else None
        if novector:
            row.append(f"{nv:.3f}" if nv else "-")
        row.append(f"{flops(shape) / raw / 1e6:.1f}" if raw else "-")
        row.append(f"{flops(shape) / r['tensorJava'] / 1e6:.1f}" if "tensorJava" in r else "-")
        # the no-Vector ratio uses that run's own rawCblas when it has one (same load)
        nv_raw = novector.get(shape, {}).get("rawCblas", raw) if novector else None
        for key, t, base in (("blas", r.get("tensorOpenBlas"), raw), ("java", r.get("tensorJava"), raw),
                             ("novec", nv, nv_raw))[:3 if novector else 2]:
            if base and t:
                ratios[key].append(base / t)
                row.append(f"{base / t:.3f}")
            else:
                row.append("-")
        lines.append("| " + " | ".join(row) + " |")
    summary = ["**median over shapes**"] + [""] * (len(cols) - 1 - (3 if novector else 2))
    for key in ("blas", "java") + (("novec",) if novector else ()):
        summary.append(f"**{statistics.median(ratios[key]):.3f}**" if ratios[key] else "-")
    lines.append("| " + " | ".join(summary) + " |")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("result", help="JMH -rf json output of GemmBenchmark")
    p.add_argument("--novector", help="JMH JSON of tensorJava run with -Djerex.noVectorApi=true")
    p.add_argument("--out", help="also write the table to this Markdown file")
    a = p.parse_args()
    text = table(medians(a.result), medians(a.novector) if a.novector else None)
    jmh_json.emit(text, a.out)


if __name__ == "__main__":
    main()
