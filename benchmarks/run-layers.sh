#!/bin/bash
# Layer benchmarks (JMH LayerBenchmark: BiLSTM, BiGRU, MultiHeadAttention, BertLayer; forward,
# forward+backward, no-grad forward; 1 thread) between two PyTorch runs of the same shapes
# (bench_layers.py, 1 thread), then the Markdown table ours vs PyTorch. About 10 minutes.
#
#   benchmarks/run-layers.sh [OUTDIR] [BEFORE_JAR]
#
# BEFORE_JAR: an older benchmarks.jar to time as well, in the same session (before/after table).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-benchmarks/target/layer-results}
BEFORE=${2:-}
JAR=${JAR:-benchmarks/target/benchmarks.jar}
RUNS=${RUNS:-15}
mkdir -p "$OUT"
if [[ ! -f $JAR || ${REBUILD:-0} == 1 ]]; then
    mvn -q -o -pl core-tensor,nn-layers,benchmarks -am package -DskipTests
fi
{ echo "date: $(date -u +%FT%TZ)"; echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"; echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$OUT/machine.txt"

/usr/bin/python3 benchmarks/python/bench_layers.py --threads 1 --runs "$RUNS" --json "$OUT/torch-1.json" > "$OUT/torch-1.log" 2>&1
JMH=(-t 1 -f 1 -wi 4 -w 2s -i 5 -r 2s)
if [[ -n $BEFORE ]]; then
    java -jar "$BEFORE" 'dev.jerex.bench.LayerBenchmark' "${JMH[@]}" -rf json -rff "$OUT/layers-before.json" > "$OUT/layers-before.log" 2>&1
fi
java -jar "$JAR" 'dev.jerex.bench.LayerBenchmark' "${JMH[@]}" -rf json -rff "$OUT/layers.json" > "$OUT/layers.log" 2>&1
/usr/bin/python3 benchmarks/python/bench_layers.py --threads 1 --runs "$RUNS" --json "$OUT/torch-2.json" > "$OUT/torch-2.log" 2>&1
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

python3 benchmarks/report/layer_report.py --jmh "$OUT/layers.json" ${BEFORE:+--jmh-before "$OUT/layers-before.json"} \
    --torch "$OUT/torch-1.json" "$OUT/torch-2.json" --out "$OUT/layers.md"
