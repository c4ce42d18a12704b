#!/bin/bash
# Prediction soak (dev.jerex.bench.Soak): one Extractor shared by THREADS threads predicting for
# MINUTES minutes, with RSS, tensor memory and heap sampled every SAMPLE seconds into a CSV, then a
# summary and a verdict on whether RSS stays flat. Not part of CI.
#
#   benchmarks/run-soak.sh [MINUTES=30] [THREADS=4] [MODEL_DIR]
#
# MODEL_DIR: a trained model directory (e.g. runs/conll04/best); without it an untrained tiny model
# is built. Environment: OUT (default benchmarks/target/soak), SAMPLE (seconds, default 10),
# BACKEND (default auto), HEAP (-Xmx, default 2g), REBUILD=1 to rebuild the jar.
# Exit code: 0 flat and no errors, 2 RSS growing, 3 prediction errors.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-30}
THREADS=${2:-4}
MODEL=${3:-}
OUT=${OUT:-benchmarks/target/soak}
JAR=${JAR:-benchmarks/target/benchmarks.jar}
mkdir -p "$OUT"
if [[ ! -f $JAR || ${REBUILD:-0} == 1 ]]; then
    mvn -q -o -pl benchmarks -am package -DskipTests
fi
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
{ echo "date: $(date -u +%FT%TZ)"; echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"; echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)";
  echo "minutes: $MINUTES, threads: $THREADS, model: ${MODEL:-untrained tiny model}"; } | tee "$OUT/soak-$STAMP.txt"
set +e
java -Xmx"${HEAP:-2g}" --add-modules jdk.incubator.vector -cp "$JAR" dev.jerex.bench.Soak --minutes "$MINUTES" --threads "$THREADS" \
    ${MODEL:+--model "$MODEL"} --sample-seconds "${SAMPLE:-10}" --backend "${BACKEND:-auto}" --csv "$OUT/soak-$STAMP.csv" 2>&1 \
    | tee -a "$OUT/soak-$STAMP.txt"
rc=${PIPESTATUS[0]}
set -e
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg); CSV: $OUT/soak-$STAMP.csv" | tee -a "$OUT/soak-$STAMP.txt"
exit "$rc"
