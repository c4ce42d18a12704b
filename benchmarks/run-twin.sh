#!/bin/bash
# The whole model, jerex vs its PyTorch twin (benchmarks/python/twin), 1 thread, same weights and
# batches: a training step at batch 2 and 8 and inference on 64 CoNLL04 dev sentences, for spert
# and full with minilm-l6. Each case runs in its own process (for its peak RSS), jerex then
# PyTorch; one JSON line per case goes to OUTDIR/results.jsonl.
#
#   benchmarks/run-twin.sh [OUTDIR]
#
# Environment: WARMUP (default 2) and RUNS (default 8) per case; TRAINED_SPERT / TRAINED_FULL =
# trained model directories to time (else fresh heads from seed 42: fine for training steps, but
# not for inference, where random heads keep most candidate spans and score every pair of them);
# DATA (../shared/data/conll04); BACKEND (openblas); JAR (benchmarks/target/benchmarks.jar);
# VARIANTS ("spert full") and CASES ("train_step:2 train_step:8 inference:64") to run a subset.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-benchmarks/target/twin-results}
JAR=${JAR:-benchmarks/target/benchmarks.jar}
WARMUP=${WARMUP:-2}
RUNS=${RUNS:-8}
DATA=${DATA:-../shared/data/conll04}
BACKEND=${BACKEND:-openblas}
VARIANTS=${VARIANTS:-spert full}
CASES=${CASES:-train_step:2 train_step:8 inference:64}
JAVA=(java --add-modules jdk.incubator.vector -Xss4m -cp "$JAR")
mkdir -p "$OUT"
if [[ ! -f $JAR || ${REBUILD:-0} == 1 ]]; then
    mvn -q -o -pl benchmarks -am package -DskipTests
fi
{ echo "date: $(date -u +%FT%TZ)"; echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"; echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$OUT/machine.txt"
for variant in $VARIANTS; do
    trained_var=TRAINED_${variant^^}
    trained=${!trained_var:-}
    dir="$OUT/$variant"
    "${JAVA[@]}" dev.jerex.bench.ModelBench prepare --variant "$variant" --data "$DATA" --out "$dir" ${trained:+--trained "$trained"}
    for c in $CASES; do
        args=(--model "$dir/model" --batches "$dir/batches.json" --out "$OUT/results.jsonl" --case "${c%%:*}" --batch "${c##*:}"
              --warmup "$WARMUP" --runs "$RUNS")
        "${JAVA[@]}" dev.jerex.bench.ModelBench run "${args[@]}" --backend "$BACKEND"
        /usr/bin/python3 benchmarks/python/twin/twin.py bench "${args[@]}"
    done
done
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
