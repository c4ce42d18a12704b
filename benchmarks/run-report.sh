#!/bin/bash
# The side-by-side report of issue #7: jerex against its PyTorch twin (whole model: a training
# step, inference) and against ONNX Runtime (the encoder alone), 1 thread each, then
# OUTDIR/report.md (machine, time table, peak-memory table) and OUTDIR/report.png (chart).
#
#   benchmarks/run-report.sh [OUTDIR]          (default benchmarks/target/report)
#
# Steps (a step whose tool is missing is skipped with a message; the report has what ran):
#   1. machine.json   machine_info.py: CPU, cores, JDK, OpenBLAS, ONNX Runtime, PyTorch, load
#   2. per variant x case x batch: jerex (ModelBench) then the twin (twin.py bench), one process
#      each (each reports its own peak RSS), into jerex-model.jsonl and pytorch.jsonl
#   3. encoder.json   EncoderBenchmark (JMH; checks ours against ONNX Runtime before timing)
#   4. report.md, report.png, encoder.jsonl   model_report.py
#
# Env (the defaults aim at ~15 minutes: ~2 for the encoder step (estimate); the whole-model part
# depends on the tools and has not been timed):
#   JAR (benchmarks/target/benchmarks.jar; REBUILD=1 rebuilds it even when it exists)
#   VARIANTS ("spert full"), CASES ("train_step:2 train_step:8 inference:64": case:batch)
#   TRAINED_SPERT, TRAINED_FULL: trained model directories to time (else heads from seed 42)
#   DATA (../shared/data/conll04)
#   MODEL_WARMUP (1), MODEL_RUNS (5): untimed and timed calls per whole-model case and side
#   ENC_FORKS (1), ENC_WARMUP (3), ENC_ITERS (5), ENC_TIME (2s), ENC_SHAPES ("1x32,32x32,8x128"):
#       EncoderBenchmark's JMH settings; ENC_SHAPES= (empty) skips the encoder step
#   REPORT_PYTHON (/usr/bin/python3: the one with matplotlib)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-benchmarks/target/report}
JAR=${JAR:-benchmarks/target/benchmarks.jar}
VARIANTS=${VARIANTS:-spert full}
CASES=${CASES:-train_step:2 train_step:8 inference:64}
MODEL_WARMUP=${MODEL_WARMUP:-1}
MODEL_RUNS=${MODEL_RUNS:-5}
ENC_FORKS=${ENC_FORKS:-1}
ENC_WARMUP=${ENC_WARMUP:-3}
ENC_ITERS=${ENC_ITERS:-5}
ENC_TIME=${ENC_TIME:-2s}
ENC_SHAPES=${ENC_SHAPES-1x32,32x32,8x128}
REPORT_PYTHON=${REPORT_PYTHON:-/usr/bin/python3}

# The whole-model tools: ModelBench (jerex) and twin.py bench (PyTorch). Per variant, `prepare`
# writes the model directory and the batches both sides time (same weights, same batches; `run`
# checks it re-draws the very same ones); each call then times ONE case in its own process and
# appends one JSON line {"impl", "case", "variant", "batch", "unit": "ms", "times", "median",
# "peak_rss_mib"} to $1. Inference wants trained heads (TRAINED_SPERT / TRAINED_FULL: model
# directories), else random heads keep most spans and score every pair of them.
MODEL_BENCH=(java --add-modules jdk.incubator.vector -Xss4m -cp "$JAR" dev.jerex.bench.ModelBench)
TWIN=${TWIN:-benchmarks/python/twin/twin.py}
TWIN_PYTHON=${TWIN_PYTHON:-/usr/bin/python3}
DATA=${DATA:-../shared/data/conll04}
work_dir() { echo "$OUT/model-$1"; }                     # $1 = variant
prepare_model() {                                          # $1 = variant
    local trained_var=TRAINED_${1^^}
    "${MODEL_BENCH[@]}" prepare --variant "$1" --data "$DATA" --out "$(work_dir "$1")" ${!trained_var:+--trained "${!trained_var}"}
}
case_args() {                                              # $1 = out.jsonl, $2 = variant, $3 = case, $4 = batch
    echo --model "$(work_dir "$2")/model" --batches "$(work_dir "$2")/batches.json" --out "$1" --case "$3" --batch "$4" \
        --warmup "$MODEL_WARMUP" --runs "$MODEL_RUNS"
}
run_model_bench() { "${MODEL_BENCH[@]}" run $(case_args "$@") --backend openblas; }
run_twin() { "$TWIN_PYTHON" "$TWIN" bench $(case_args "$@"); }

mkdir -p "$OUT"
SKIPPED=()
skip() { echo "SKIP: $*" >&2; SKIPPED+=("$*"); }

if [[ ! -f $JAR || ${REBUILD:-0} == 1 ]]; then
    mvn -q -o -pl benchmarks -am package -DskipTests || { echo "build failed" >&2; exit 1; }
fi

# 1. the machine, before the runs
python3 benchmarks/report/machine_info.py --jar "$JAR" --python "$TWIN_PYTHON" --out "$OUT/machine.json" > /dev/null || exit 1

# 2. whole model: jerex and the twin side by side, case by case (same load for both)
JEREX_JSONL=$OUT/jerex-model.jsonl
TORCH_JSONL=$OUT/pytorch.jsonl
rm -f "$JEREX_JSONL" "$TORCH_JSONL"   # both tools append
have_model_bench=1
if ! unzip -l "$JAR" dev/jerex/bench/ModelBench.class > /dev/null 2>&1; then
    skip "jerex whole model: ModelBench is not in $JAR (not built yet?)"
    have_model_bench=0
fi
have_twin=1
if [[ ! -f $TWIN ]]; then
    skip "PyTorch twin: $TWIN not found"
    have_twin=0
elif ! "$TWIN_PYTHON" -c 'import torch' > /dev/null 2>&1; then
    skip "PyTorch twin: $TWIN_PYTHON cannot import torch"
    have_twin=0
fi
for variant in $VARIANTS; do
    if (( have_model_bench )); then
        prepare_model "$variant" > "$OUT/model-$variant-prepare.log" 2>&1 \
            || { skip "$variant: ModelBench prepare failed: see $OUT/model-$variant-prepare.log"; continue; }
    fi
    for cb in $CASES; do
        case_=${cb%%:*} batch=${cb##*:}
        log=$OUT/model-$variant-$case_-$batch
        trained_var=TRAINED_${variant^^}
        if [[ $case_ == inference && -z ${!trained_var:-} ]]; then
            skip "$variant inference: needs a trained model ($trained_var=DIR; e.g. ./jerex train --variant $variant --epochs 1 --out runs/$variant, then DIR=runs/$variant/final): untrained heads keep most spans and score every pair of them"
            continue
        fi
        if (( have_model_bench )); then
            echo "jerex   $variant $case_ batch $batch"
            run_model_bench "$JEREX_JSONL" "$variant" "$case_" "$batch" > "$log-jerex.log" 2>&1 \
                || skip "jerex $variant $case_ batch $batch failed (exit $?): see $log-jerex.log"
        fi
        if (( have_twin )); then
            echo "pytorch $variant $case_ batch $batch"
            run_twin "$TORCH_JSONL" "$variant" "$case_" "$batch" > "$log-pytorch.log" 2>&1 \
                || skip "PyTorch twin $variant $case_ batch $batch failed (exit $?): see $log-pytorch.log"
        fi
    done
done

# 3. the encoder alone vs ONNX Runtime (JMH; the setup fails the trial if the outputs differ)
ENCODER_ARGS=()
if [[ -n $ENC_SHAPES ]]; then
    echo "encoder $ENC_SHAPES"
    rm -f "$OUT/encoder.json"
    if java -jar "$JAR" 'dev.jerex.bench.EncoderBenchmark' -t 1 -f "$ENC_FORKS" -wi "$ENC_WARMUP" -w "$ENC_TIME" \
            -i "$ENC_ITERS" -r "$ENC_TIME" -p shape="$ENC_SHAPES" -foe true -rf json -rff "$OUT/encoder.json" > "$OUT/encoder.log" 2>&1; then
        ENCODER_ARGS=(--encoder-jmh "$OUT/encoder.json")
    else
        skip "encoder vs ONNX Runtime failed: see $OUT/encoder.log"
    fi
else
    skip "encoder vs ONNX Runtime: ENC_SHAPES is empty"
fi

# 4. the report
INPUTS=()
for f in "$JEREX_JSONL" "$TORCH_JSONL"; do [[ -s $f ]] && INPUTS+=("$f"); done
SETTINGS=()
(( ${#INPUTS[@]} )) && SETTINGS+=(--settings "whole model: $MODEL_WARMUP untimed + $MODEL_RUNS timed calls per case and side, one process per case, 1 thread")
(( ${#ENCODER_ARGS[@]} )) && SETTINGS+=(--settings "encoder: JMH $ENC_FORKS fork(s) x ($ENC_WARMUP warm-up + $ENC_ITERS measurement) x $ENC_TIME, average time per call, 1 thread")
for s in "${SKIPPED[@]}"; do SETTINGS+=(--settings "skipped: $s"); done
"$REPORT_PYTHON" benchmarks/report/model_report.py "${INPUTS[@]}" "${ENCODER_ARGS[@]}" --machine "$OUT/machine.json" \
    "${SETTINGS[@]}" --out-dir "$OUT" || exit 1
if (( ${#SKIPPED[@]} )); then
    echo "--- ${#SKIPPED[@]} step(s) skipped or failed:" >&2
    printf '  %s\n' "${SKIPPED[@]}" >&2
fi
echo "wrote $OUT/report.md$( [[ -f $OUT/report.png ]] && echo " and $OUT/report.png")"
