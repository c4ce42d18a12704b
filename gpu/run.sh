#!/usr/bin/env bash
# Runs ON the GPU machine (H100/H200, CUDA 13 driver, CUDA libraries only as Python packages,
# no JDK, no network), from the repository root, with gpu/bundle/ built by gpu/build-bundle.sh:
#
#   bash gpu/run.sh                       tests on java + cuda, then the gemm benchmark
#   bash gpu/run.sh --backends java       (CPU check of the bundle: what build-bundle.sh --self-test does)
#   bash gpu/run.sh --skip-tests --skip-bench --epochs 1   only the training epochs (needs gpu/payload/)
#   options: --backends LIST  --skip-tests  --skip-bench  --skip-train  --epochs N  --variants LIST
#            --encoder DIR (default the payload's encoder; e.g. one from gpu/tools/random_encoder.py)
#            --tests CLASSES (core-tensor test classes to run, comma-separated, e.g.
#            dev.jerex.tensor.backend.cuda.CudaBackendTest; default all)
#            --eval-each-epoch (evaluate on dev after every epoch, as `jerex train` does by default;
#            without it only after the last, to time the training itself)
#
# Results go to $OUT (default ./out): nvidia-smi.txt, env.txt, tests.log, tests-nn.log (nn-layers'
# backend-parameterised tests, when gpu/payload/lib is there), gemm-bench.txt, train-<variant>-<encoder>.txt
# and the run's CSVs, chart and evaluations in run-<variant>-<encoder>.tar.gz (when gpu/payload/ is there:
# gpu/build-train-payload.sh); JUnit XML to $REPORTS (default
# $OUT/junit). Exit status: non-zero if a step failed.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BUNDLE=${BUNDLE:-$HERE/bundle}
OUT=${OUT:-$PWD/out}
REPORTS=${REPORTS:-$OUT/junit}
# gpu/payload/ (gpu/build-train-payload.sh): the model's jars (nn-layers among them), the encoder as
# a Hugging Face directory (fp16 weights, to fit the 64 MiB transfer) and CoNLL04 train / dev / types.
PAYLOAD=${PAYLOAD:-$HERE/payload}   # another payload folder: PAYLOAD=$PWD/gpu/payload-cmeie
BACKENDS=java,cuda
RUN_TESTS=1
RUN_BENCH=1
RUN_TRAIN=1
EPOCHS=1
VARIANTS=full,spert
ENCODER=
EVAL=--eval-last-only
TESTS=
while [ $# -gt 0 ]; do
    case "$1" in
        --backends) BACKENDS=$2; shift 2 ;;
        --skip-tests) RUN_TESTS=0; shift ;;
        --skip-bench) RUN_BENCH=0; shift ;;
        --skip-train) RUN_TRAIN=0; shift ;;
        --epochs) EPOCHS=$2; shift 2 ;;
        --variants) VARIANTS=$2; shift 2 ;;
        --encoder) ENCODER=$2; shift 2 ;;
        --eval-each-epoch) EVAL=; shift ;;
        --tests) TESTS=$2; shift 2 ;;
        *) echo "unknown option $1 (expected --backends LIST, --skip-tests, --skip-bench, --skip-train, --epochs N, --variants LIST, --encoder DIR, --eval-each-epoch, --tests CLASSES)" >&2; exit 64 ;;
    esac
done
# The payload's encoder and data options (gpu/build-train-payload.sh writes train.conf); CoNLL04
# with minilm-l6 for a payload without one.
ENCODER_NAME=minilm-l6
DATA_ARGS=(--train "$PAYLOAD/data/conll04_train.json" --dev "$PAYLOAD/data/conll04_dev.json" --types "$PAYLOAD/data/conll04_types.json")
WEIGHT_PARTS=()    # the encoder's weights in parts, and the whole file's SHA-256 (large encoders)
WEIGHTS_SHA256=
[ -f "$PAYLOAD/train.conf" ] && . "$PAYLOAD/train.conf"
ENCODER=${ENCODER:-$PAYLOAD/$ENCODER_NAME}
# Weights that travelled as parts (gpu/build-train-payload.sh, several calls): join and check them.
if [ "$RUN_TRAIN" = 1 ] && [ ${#WEIGHT_PARTS[@]} -gt 0 ] && [ ! -f "$ENCODER/model.safetensors" ]; then
    MISSING=$(cd "$PAYLOAD/parts" 2>/dev/null; for f in "${WEIGHT_PARTS[@]}"; do [ -f "$f" ] || printf '%s ' "$f"; done)
    if [ -n "$MISSING" ]; then
        echo "weights parts missing in $PAYLOAD/parts: $MISSING(carry them in earlier calls)" >&2
        exit 66
    fi
    (cd "$PAYLOAD/parts" && cat "${WEIGHT_PARTS[@]}") > "$ENCODER/model.safetensors"
    if [ "$(sha256sum "$ENCODER/model.safetensors" | cut -d' ' -f1)" != "$WEIGHTS_SHA256" ]; then
        echo "the joined weights $ENCODER/model.safetensors do not match the SHA-256 in $PAYLOAD/train.conf" >&2
        rm -f "$ENCODER/model.safetensors"
        exit 66
    fi
fi
mkdir -p "$OUT"
# The bundled Java runtime travels gzipped; unpack it once per bundle build into /tmp.
if [ ! -f "$BUNDLE/runtime.tar.gz" ]; then
    echo "no bundled runtime at $BUNDLE/runtime.tar.gz: run gpu/build-bundle.sh first (on a machine with a JDK and Maven)" >&2
    exit 65
fi
RUNTIME_DIR=${TMPDIR:-/tmp}/jerex-runtime-$(cksum < "$BUNDLE/runtime.tar.gz" | cut -d' ' -f1)
if [ ! -x "$RUNTIME_DIR/runtime/bin/java" ]; then
    mkdir -p "$RUNTIME_DIR" && tar -C "$RUNTIME_DIR" -xzf "$BUNDLE/runtime.tar.gz" || { echo "could not unpack the runtime" >&2; exit 65; }
fi
JAVA=$RUNTIME_DIR/runtime/bin/java
cat "$BUNDLE/BUILD-INFO.txt" 2>/dev/null | head -6

# ---- 1. the CUDA libraries --------------------------------------------------------------------------
# JavaCPP's JNI libraries need libcuda.so.1 (driver), libcudart.so.13, libnvrtc.so.13 (which opens
# libnvrtc-builtins.so.13.* from its own folder or LD_LIBRARY_PATH), libcublas.so.13 and
# libcublasLt.so.13 (cuBLAS is not in the Maven jars). Look where pip and the driver put them
# first (quick), then anywhere (slow: a whole-disk find).
LIBS="libcuda.so.1 libcudart.so.13 libnvrtc.so.13 libcublas.so.13 libcublasLt.so.13"
QUICK_DIRS="/usr/local/nvidia /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/cuda /usr/local/lib /opt /usr/lib/python3 /usr/local/lib/python3*"
if command -v python3 >/dev/null 2>&1; then
    QUICK_DIRS="$(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null) $QUICK_DIRS"
fi
find_lib() {   # prints the folder of the first file named $1
    local hit d
    for d in ${LIB_DIRS//:/ }; do   # a folder already chosen first: keeps cuBLAS and cuBLASLt together
        [ -e "$d/$1" ] && { echo "$d"; return; }
    done
    if [ "$1" = libcuda.so.1 ]; then   # the driver is usually in the loader's cache
        hit=$(ldconfig -p 2>/dev/null | awk -v n="$1" '$1 == n && /x86-64/ {print $NF; exit}')
        [ -n "$hit" ] && { dirname "$hit"; return; }
    fi
    # Skip link-time stubs and forward-compatibility copies of the driver: they do not drive this GPU.
    # shellcheck disable=SC2086
    hit=$(find $QUICK_DIRS -name "$1" \( -type f -o -type l \) -not -path '*/stubs/*' -not -path '*/compat/*' 2>/dev/null | head -1)
    [ -z "$hit" ] && hit=$(find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o -name "$1" \
        -not -path '*/stubs/*' -not -path '*/compat/*' -print 2>/dev/null | head -1)
    [ -n "$hit" ] && dirname "$hit"
}
LIB_DIRS=""
{
    echo "host: $(hostname)  date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    for lib in $LIBS; do
        dir=$(find_lib "$lib")
        echo "$lib: ${dir:-NOT FOUND}"
        if [ -n "$dir" ]; then
            case ":$LIB_DIRS:" in *":$dir:"*) ;; *) LIB_DIRS="${LIB_DIRS:+$LIB_DIRS:}$dir" ;; esac
            [ "$lib" = libnvrtc.so.13 ] && echo "libnvrtc-builtins: $(ls "$dir"/libnvrtc-builtins.so* 2>/dev/null | head -1)"
        fi
    done
} > "$OUT/env.txt"
export LD_LIBRARY_PATH="${LIB_DIRS}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" >> "$OUT/env.txt"
cat "$OUT/env.txt"

if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi 2>&1 | tee "$OUT/nvidia-smi.txt"
else
    echo "nvidia-smi: not found (no NVIDIA driver here)" | tee "$OUT/nvidia-smi.txt"
fi

# Same JVM flags as the Maven tests (surefire.jvm.flags), JavaCPP's native cache in /tmp.
JVM_FLAGS=(-Xss4m -Xmx8g --add-modules jdk.incubator.vector
           -Dorg.bytedeco.javacpp.cachedir=/tmp/jerex-javacpp-cache)
# An explicit jar list: the console launcher's --class-path does not expand "lib/*" as java -cp does.
CP="$BUNDLE/test-classes:$(ls "$BUNDLE"/lib/*.jar | paste -sd: -)"
STATUS=0

# ---- 2. the core-tensor test suite, backends under test: $BACKENDS ---------------------------------
if [ "$RUN_TESTS" = 1 ]; then
    echo "== core-tensor tests, -Djerex.test.backends=$BACKENDS${TESTS:+, only $TESTS}"
    SELECTION="--scan-class-path $BUNDLE/test-classes"
    [ -n "$TESTS" ] && SELECTION=$(for c in ${TESTS//,/ }; do printf -- '--select-class %s ' "$c"; done)
    # jerex.cuda.sync: synchronise after every kernel, so that a fault names its kernel.
    "$JAVA" "${JVM_FLAGS[@]}" -Djerex.test.backends="$BACKENDS" -Djerex.cuda.sync=true \
        -jar "$BUNDLE/junit/junit-platform-console-standalone.jar" execute \
        --class-path "$CP" $SELECTION --include-engine=junit-jupiter \
        --reports-dir "$REPORTS" --details=tree --disable-banner --disable-ansi-colors 2>&1 | tee "$OUT/tests.log"
    rc=${PIPESTATUS[0]}
    echo "== tests exit status: $rc"
    [ "$rc" != 0 ] && STATUS=1
    # nn-layers' backend-parameterised tests (PyTorch fixtures, gradient checks of composite layers,
    # optimisers): their classes come with the bundle, nn-layers and Jackson with the payload.
    if [ -d "$BUNDLE/nn-test-classes" ] && [ -d "$PAYLOAD/lib" ]; then
        echo "== nn-layers tests, -Djerex.test.backends=$BACKENDS"
        NN_CP="$BUNDLE/nn-test-classes:$CP:$(ls "$PAYLOAD"/lib/*.jar | paste -sd: -)"
        "$JAVA" "${JVM_FLAGS[@]}" -Djerex.test.backends="$BACKENDS" -Djerex.cuda.sync=true \
            -jar "$BUNDLE/junit/junit-platform-console-standalone.jar" execute \
            --class-path "$NN_CP" --include-engine=junit-jupiter \
            --select-class dev.jerex.nn.PyTorchFixtureTest --select-class dev.jerex.nn.CompositeGradientCheckTest \
            --select-class dev.jerex.nn.OptimizerFixtureTest --select-class dev.jerex.nn.GradientLayoutTest \
            --reports-dir "$REPORTS/nn" --details=tree --disable-banner --disable-ansi-colors 2>&1 | tee "$OUT/tests-nn.log"
        rc=${PIPESTATUS[0]}
        echo "== nn-layers tests exit status: $rc"
        [ "$rc" != 0 ] && STATUS=1
    fi
fi

# ---- 3. gemm benchmark: our Backend API vs raw cublasSgemm ---------------------------------------
if [ "$RUN_BENCH" = 1 ]; then
    echo "== CudaGemmBench"
    "$JAVA" "${JVM_FLAGS[@]}" -cp "$CP" dev.jerex.tensor.backend.cuda.CudaGemmBench 2>&1 | tee "$OUT/gemm-bench.txt"
    rc=${PIPESTATUS[0]}
    echo "== benchmark exit status: $rc"
    [ "$rc" != 0 ] && STATUS=1
fi

# ---- 4. training on the payload's dataset (CoNLL04 or CMeIE) on the cuda backend --------------------
if [ "$RUN_TRAIN" = 1 ] && [ -d "$PAYLOAD/lib" ]; then
    TCP="$(ls "$BUNDLE"/lib/*.jar "$PAYLOAD"/lib/*.jar | paste -sd: -)"
    for variant in ${VARIANTS//,/ }; do
        echo "== training: $variant, $EPOCHS epoch(s), ${TRAIN_BACKEND:-cuda}"
        rm -rf /tmp/jerex-gpu-"$variant"   # no evaluations of an earlier run in this run's folder
        # TRAIN_JAVA_OPTS: extra JVM options, e.g. a flight recording of the host side:
        #   TRAIN_JAVA_OPTS="-XX:StartFlightRecording=filename=$OUT/train.jfr,settings=profile"
        # TRAIN_BACKEND (default cuda) and TRAIN_EXTRA (more `jerex train` options), e.g. a CPU check
        # of a payload here: TRAIN_BACKEND=java TRAIN_EXTRA="--max-docs 8" bash gpu/run.sh --skip-tests --skip-bench
        "$JAVA" -Xss4m -Xmx16g --add-modules jdk.incubator.vector -Dorg.bytedeco.javacpp.cachedir=/tmp/jerex-javacpp-cache \
            ${TRAIN_JAVA_OPTS:-} -cp "$TCP" dev.jerex.model.cli.Main train --backend "${TRAIN_BACKEND:-cuda}" ${TRAIN_EXTRA:-} --quiet --profile $EVAL \
            "${DATA_ARGS[@]}" --encoder "$ENCODER" --variant "$variant" --epochs "$EPOCHS" --out "/tmp/jerex-gpu-$variant" 2>&1 \
            | tee "$OUT/train-$variant-$(basename "$ENCODER").txt"
        rc=${PIPESTATUS[0]}
        # the run directory without its checkpoints (the models stay in /tmp), as one file: few
        # files come back from a GPU machine
        tar -C /tmp/jerex-gpu-"$variant" -czf "$OUT/run-$variant-$(basename "$ENCODER").tar.gz" --exclude=best --exclude=final . 2>/dev/null
        echo "== training $variant exit status: $rc"
        [ "$rc" != 0 ] && STATUS=1
    done
elif [ "$RUN_TRAIN" = 1 ]; then
    echo "== training: skipped (no gpu/payload/; build it with gpu/build-train-payload.sh and carry it)"
fi

exit $STATUS
