#!/bin/bash
# The sgemm comparison of GemmBenchmark (Tensor API on OpenBLAS vs raw cblas_sgemm vs Tensor API
# on pure Java), 1 thread, then the Markdown report. About 12-14 minutes.
#
#   benchmarks/run-gemm.sh [OUTDIR]          (default benchmarks/target/gemm-results)
#
# Env: JAR (default benchmarks/target/benchmarks.jar); REBUILD=1 rebuilds the jar even when it exists; FORKS, WARMUP,
# ITERS (JMH forks, warm-up and measurement iterations of 1 s each); NOVECTOR_SHAPES (shapes for
# the extra tensorJava run without the Vector API; empty skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-benchmarks/target/gemm-results}
JAR=${JAR:-benchmarks/target/benchmarks.jar}
FORKS=${FORKS:-2}
WARMUP=${WARMUP:-3}
ITERS=${ITERS:-5}
NOVECTOR_SHAPES=${NOVECTOR_SHAPES:-256x256x256,512x512x512,128x768x768,128x384x384}
mkdir -p "$OUT"

if [[ ! -f $JAR || ${REBUILD:-0} == 1 ]]; then
    mvn -q -o -pl core-tensor,nn-layers,benchmarks -am package -DskipTests
fi

{ echo "date: $(date -u +%FT%TZ)"; echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"; echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$OUT/machine.txt"

# 1 thread everywhere: JMH @Threads(1); OpenBLAS is set to 1 thread by the backend.
java -jar "$JAR" 'dev.jerex.bench.GemmBenchmark' -t 1 -f "$FORKS" -wi "$WARMUP" -w 1s -i "$ITERS" -r 1s \
    -rf json -rff "$OUT/gemm.json" | tee "$OUT/gemm.log"

REPORT_ARGS=()
if [[ -n $NOVECTOR_SHAPES ]]; then
    java -jar "$JAR" 'dev.jerex.bench.GemmBenchmark.(tensorJava|rawCblas)' -t 1 -f 1 -wi 2 -w 1s -i 3 -r 1s \
        -p shape="$NOVECTOR_SHAPES" -jvmArgsAppend -Djerex.noVectorApi=true \
        -rf json -rff "$OUT/gemm-novector.json" | tee "$OUT/gemm-novector.log"
    REPORT_ARGS=(--novector "$OUT/gemm-novector.json")
fi
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

python3 benchmarks/report/gemm_report.py "$OUT/gemm.json" "${REPORT_ARGS[@]}" --out "$OUT/gemm.md"
