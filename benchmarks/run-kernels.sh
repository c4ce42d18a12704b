#!/bin/bash
# The hot loops one by one (JMH KernelBenchmark: softmax, layer norm, GELU, attention, LSTM/GRU
# step and layer, span pooling, SEA, relation head; forward, forward+backward, no-grad; OpenBLAS
# and pure-Java backends) and sgemm at the model's shapes (GemmBenchmark), 1 thread, then the
# Markdown tables OUTDIR/kernels.md. About 10 minutes with the defaults.
#
#   benchmarks/run-kernels.sh [OUTDIR]          (default benchmarks/target/kernel-results)
#
# Env: JAR (default benchmarks/target/benchmarks.jar); REBUILD=1 rebuilds the jar even when it
# exists; FORKS, WARMUP, ITERS, TIME (JMH forks, warm-up and measurement iterations of TIME each;
# defaults 1, 3, 3, 500ms); KERNELS, BACKENDS (comma-separated subsets of KernelBenchmark's
# parameters; default all); GEMM_SHAPES (M x K x N of GemmBenchmark; empty skips it).
# A quick check that everything runs: FORKS=1 WARMUP=1 ITERS=2 TIME=200ms benchmarks/run-kernels.sh /tmp/k
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-benchmarks/target/kernel-results}
JAR=${JAR:-benchmarks/target/benchmarks.jar}
FORKS=${FORKS:-1}
WARMUP=${WARMUP:-3}
ITERS=${ITERS:-3}
TIME=${TIME:-500ms}
KERNELS=${KERNELS:-}
BACKENDS=${BACKENDS:-}
# minilm-l6 on a CoNLL04 batch (2 x 40 sub-words = 80 rows): Q/K/V/out projections, FFN in and
# out, the fusion BiLSTM's input projection (768 -> 4 x 192), its per-step gemm (batch 2), the
# SEA BiGRU's per-step gemm (64 spans) and input projection (64 spans x 40 steps).
GEMM_SHAPES=${GEMM_SHAPES-80x384x384,80x384x1536,80x1536x384,80x768x768,2x192x768,64x192x576,2560x384x576}
mkdir -p "$OUT"

if [[ ! -f $JAR || ${REBUILD:-0} == 1 ]]; then
    mvn -q -o -pl benchmarks -am package -DskipTests
fi

{ echo "date: $(date -u +%FT%TZ)"; echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"; echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$OUT/machine.txt"

# 1 thread everywhere: JMH @Threads(1); OpenBLAS is set to 1 thread by the backend.
# -foe true: a result that does not match the pure-Java backend stops the run.
JMH=(-t 1 -f "$FORKS" -wi "$WARMUP" -w "$TIME" -i "$ITERS" -r "$TIME" -foe true)
PARAMS=()
[[ -n $KERNELS ]] && PARAMS+=(-p kernel="$KERNELS")
[[ -n $BACKENDS ]] && PARAMS+=(-p backend="$BACKENDS")
java -jar "$JAR" 'dev.jerex.bench.KernelBenchmark' "${JMH[@]}" "${PARAMS[@]}" -rf json -rff "$OUT/kernels.json" > "$OUT/kernels.log" 2>&1 \
    || { echo "KernelBenchmark failed, see $OUT/kernels.log:" >&2; grep -E "Exception|Error" "$OUT/kernels.log" | head -5 >&2; exit 1; }
grep '# check' "$OUT/kernels.log" | sed -E 's/^(# Warmup )?Iteration +1: //' > "$OUT/checks.txt" || true

if [[ -n $GEMM_SHAPES ]]; then
    java -jar "$JAR" 'dev.jerex.bench.GemmBenchmark' "${JMH[@]}" -p shape="$GEMM_SHAPES" -rf json -rff "$OUT/gemm.json" > "$OUT/gemm.log" 2>&1 \
        || { echo "GemmBenchmark failed, see $OUT/gemm.log" >&2; exit 1; }
fi
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

{
    echo "# Kernels, 1 thread"
    echo
    sed 's/^/    /' "$OUT/machine.txt"
    echo
    echo "JMH: $FORKS fork(s) x ($WARMUP warm-up + $ITERS measurement) x $TIME. Median per call (us)."
    echo
    python3 benchmarks/report/kernel_report.py "$OUT/kernels.json"
    if [[ -n $GEMM_SHAPES ]]; then
        echo
        echo "## sgemm at the model's shapes (ms per call)"
        echo
        python3 benchmarks/report/gemm_report.py "$OUT/gemm.json"
    fi
} > "$OUT/kernels.md"
cat "$OUT/kernels.md"
