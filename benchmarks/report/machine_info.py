#!/usr/bin/env python3
"""The machine a benchmark ran on, as JSON (read by model_report.py).

    python3 benchmarks/report/machine_info.py [--jar benchmarks/target/benchmarks.jar] [--python /usr/bin/python3] --out machine.json

Fields: date (UTC), cpu (lscpu's model name), cpus / cores_per_socket / sockets /
threads_per_core (lscpu); jdk, openblas (its build configuration and core), onnxruntime and
vector_api, as the benchmarks jar loads them (dev.jerex.bench.Versions); pytorch
(torch.__version__ of --python); loadavg (1, 5, 15 min, at the time of the call). A value that
cannot be found is null. Python 3 standard library only.
"""
import argparse
import datetime
import json
import subprocess
import sys

VERSION_KEYS = ("jdk", "openblas", "onnxruntime", "vector_api")


def command(args):
    """stdout + stderr of a command, or None when it cannot run."""
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (r.stdout + r.stderr) if r.returncode == 0 else None


def lscpu():
    out = command(["lscpu"]) or ""
    fields = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return {
        "cpu": fields.get("Model name"),
        "cpus": fields.get("CPU(s)"),
        "cores_per_socket": fields.get("Core(s) per socket"),
        "sockets": fields.get("Socket(s)"),
        "threads_per_core": fields.get("Thread(s) per core"),
    }


def jar_versions(jar):
    """The key=value lines of dev.jerex.bench.Versions run from the jar."""
    out = {key: None for key in VERSION_KEYS}
    text = command(["java", "--add-modules", "jdk.incubator.vector", "-cp", jar, "dev.jerex.bench.Versions"])
    if text is None:
        print(f"machine_info: could not run dev.jerex.bench.Versions from {jar}: versions left null", file=sys.stderr)
        return out
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key in out:
            out[key] = value.strip()
    return out


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return None


def collect(jar, python):
    info = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    info.update(lscpu())
    info.update(jar_versions(jar))
    torch = command([python, "-c", "import torch; print(torch.__version__)"])
    info["pytorch"] = torch.strip().splitlines()[-1] if torch else None
    info["loadavg"] = loadavg()
    return info


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jar", default="benchmarks/target/benchmarks.jar")
    p.add_argument("--python", default="/usr/bin/python3", help="the Python that runs the PyTorch twin")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    info = collect(a.jar, a.python)
    with open(a.out, "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    json.dump(info, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
