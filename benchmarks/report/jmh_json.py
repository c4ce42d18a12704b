"""Reading JMH's JSON output (-rf json): the measured values of one benchmark run, in ms.

Average-time mode stores one score per measurement iteration (primaryMetric.rawData, per fork);
sample mode stores a histogram of single-call times per iteration (primaryMetric.rawDataHistogram,
per fork: [[value, count], ...]). times_ms() flattens either into a list of values, so that
statistics.median() of it is the median over all iterations of all forks (average-time mode) or
the median per call, JMH's p0.50 (sample mode). Python 3 standard library only.
"""
import json
import statistics

TO_MS = {"ns/op": 1e-6, "us/op": 1e-3, "ms/op": 1.0, "s/op": 1e3}


def emit(text, out=None):
    """Prints a report's Markdown, and writes it to the file `out` too when one is given."""
    import sys
    sys.stdout.write(text)
    if out:
        with open(out, "w") as f:
            f.write(text)


def load(path):
    """The list of benchmark runs in a JMH JSON file; errors name the file."""
    try:
        with open(path) as f:
            runs = json.load(f)
    except (OSError, ValueError) as e:
        raise SystemExit(f"{path}: not a readable JMH JSON file ({e})")
    if not isinstance(runs, list):
        raise SystemExit(f"{path}: expected a JSON list of JMH runs, got {type(runs).__name__}")
    return runs


def method(run):
    """The benchmark method's name, e.g. 'forwardBackward' of 'dev.jerex.bench.KernelBenchmark.forwardBackward'."""
    return run["benchmark"].rsplit(".", 1)[-1]


def times_ms(run):
    """All measured values of a run, in ms (see the module comment)."""
    metric = run["primaryMetric"]
    scale = TO_MS[metric["scoreUnit"]]
    if metric.get("rawData"):
        values = [v for fork in metric["rawData"] for v in fork]
    else:
        values = [v for fork in metric["rawDataHistogram"] for it in fork for v, n in it for _ in range(int(n))]
    return [v * scale for v in values]


def median_ms(run):
    return statistics.median(times_ms(run))
