#!/usr/bin/env bash
# Builds gpu/bundle/: everything gpu/run.sh needs on a GPU machine that has no JDK and no network.
#
#   gpu/build-bundle.sh               build the bundle (about 1-2 minutes)
#   gpu/build-bundle.sh --self-test   build it, then run the core-tensor tests with the bundled
#                                     runtime on the CPU (gpu/run.sh --backends java --skip-bench)
#   gpu/build-bundle.sh --without-openblas
#                                     leave the OpenBLAS natives (19.7 MB) out, so that the bundle and
#                                     gpu/payload/ travel in one call (the GPU run needs no OpenBLAS:
#                                     the openblas backend then falls back to java, with a log line)
#
# Layout of gpu/bundle/ (gitignored):
#   runtime.tar.gz  a jlink'ed Java 17 runtime (only the modules the code needs), gzipped;
#                    run.sh unpacks it into /tmp
#   lib/             core-tensor's jar and its runtime and test dependencies (JavaCPP, OpenBLAS and
#                    CUDA presets with their linux-x86_64 natives, AssertJ)
#   test-classes/    core-tensor's compiled tests (and CudaGemmBench)
#   nn-test-classes/ nn-layers' compiled tests and PyTorch fixtures (run.sh runs the backend-
#                    parameterised ones when gpu/payload/lib brings nn-layers and Jackson)
#   junit/           junit-platform-console-standalone (runs the tests without Maven)
#   BUILD-INFO.txt   what was bundled, when, from which commit, and the bundle's size
# Budget: the whole bundle must stay within 64 MiB (it travels with the working tree).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUNDLE=gpu/bundle
BUDGET=$((64 * 1024 * 1024))
CONSOLE=org.junit.platform:junit-platform-console-standalone:1.14.1
# Modules of the runtime: jdeps over the bundled jars and classes prints java.base,
# java.management, java.sql (AssertJ), jdk.incubator.vector, jdk.unsupported (JavaCPP);
# java.logging (System.Logger's backend), java.xml (JUnit's XML reports) and jdk.zipfs (reading
# jars as file systems, e.g. resources) are added, and jdk.jfr for flight recordings of the host side.
MODULES=java.base,java.logging,java.management,java.sql,java.xml,jdk.incubator.vector,jdk.jfr,jdk.unsupported,jdk.zipfs

# Maven offline first (the usual case here); online only for what the local repository lacks.
mvn_try() { mvn -q -o "$@" || mvn -q "$@"; }

SELF_TEST=0
WITH_OPENBLAS=1
for arg in "$@"; do
    case "$arg" in
        --self-test) SELF_TEST=1 ;;
        --without-openblas) WITH_OPENBLAS=0 ;;
        *) echo "unknown option $arg (expected --self-test, --without-openblas)" >&2; exit 64 ;;
    esac
done

echo "== building core-tensor (jar + test classes) and nn-layers' test classes, tests not run"
mvn_try -pl core-tensor,nn-layers -am -DskipTests package

rm -rf "$BUNDLE"
mkdir -p "$BUNDLE/lib" "$BUNDLE/junit"

echo "== collecting runtime and test dependencies"
# JUnit itself comes as the console launcher below: its own jars are left out here.
# Byte Buddy (9 MB) serves only AssertJ's soft assertions and assumptions, which the tests do not use.
mvn_try -pl core-tensor dependency:copy-dependencies -DincludeScope=test \
    -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian \
    -DexcludeArtifactIds=byte-buddy -DoutputDirectory="$ROOT/$BUNDLE/lib"
cp core-tensor/target/core-tensor-*-SNAPSHOT.jar "$BUNDLE/lib/" 2>/dev/null || cp core-tensor/target/core-tensor-[0-9]*[0-9].jar "$BUNDLE/lib/"
rm -f "$BUNDLE"/lib/core-tensor-*-tests.jar
cp -r core-tensor/target/test-classes "$BUNDLE/test-classes"
cp -r nn-layers/target/test-classes "$BUNDLE/nn-test-classes"
if [ "$WITH_OPENBLAS" = 0 ]; then
    rm "$BUNDLE"/lib/openblas-*-linux-x86_64.jar
fi

# The CUDA presets' natives jar holds JNI bindings for 28 CUDA libraries (33 MB unpacked); the
# backend uses three of them: keep cudart (runtime + driver API), cublas and nvrtc.
CUDA_NATIVES=$(ls "$BUNDLE"/lib/cuda-*-linux-x86_64.jar)
TRIM=$(mktemp -d)
(cd "$TRIM" && jar xf "$ROOT/$CUDA_NATIVES" META-INF/MANIFEST.MF \
    org/bytedeco/cuda/linux-x86_64/libjnicudart.so org/bytedeco/cuda/linux-x86_64/libjnicublas.so \
    org/bytedeco/cuda/linux-x86_64/libjninvrtc.so)
rm "$CUDA_NATIVES"
jar --create --file "$CUDA_NATIVES" --manifest "$TRIM/META-INF/MANIFEST.MF" -C "$TRIM" org
rm -rf "$TRIM"

echo "== fetching $CONSOLE"
mvn_try dependency:copy -Dartifact=$CONSOLE -DoutputDirectory="$ROOT/$BUNDLE/junit" -Dmdep.stripVersion=true

echo "== checking the module list with jdeps"
NEEDED=$(jdeps --multi-release 17 --ignore-missing-deps --print-module-deps -q \
    "$BUNDLE"/lib/*.jar "$BUNDLE/junit/junit-platform-console-standalone.jar" "$BUNDLE/test-classes" 2>/dev/null || true)
for m in ${NEEDED//,/ }; do
    case ",$MODULES," in *",$m,"*) ;; *) echo "jdeps says $m is needed: adding it"; MODULES="$MODULES,$m" ;; esac
done

echo "== jlink runtime: $MODULES"
jlink --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=2 \
    --strip-native-debug-symbols=exclude-debuginfo-files --output "$BUNDLE/runtime"
# Debian's libjvm.so keeps its symbol table (24 MB); stripped, as release JDKs ship it, 20 MB.
if command -v strip >/dev/null 2>&1; then
    find "$BUNDLE/runtime/lib" -name '*.so' -exec strip --strip-unneeded {} +
fi
"$BUNDLE/runtime/bin/java" -version >/dev/null 2>&1 || { echo "ERROR: the bundled runtime does not start" >&2; exit 1; }
JAVA_VERSION=$("$BUNDLE/runtime/bin/java" -version 2>&1 | head -1)
RUNTIME_BYTES=$(du -sb "$BUNDLE/runtime" | cut -f1)
# The runtime travels gzipped (37 MB -> about 17 MB): run.sh unpacks it into /tmp in a second or two.
# That leaves room under the 64 MiB that the working tree and the bundle share on their way to the GPU.
tar -C "$BUNDLE" -czf "$BUNDLE/runtime.tar.gz" runtime
rm -rf "$BUNDLE/runtime"

SIZE=$(du -sb "$BUNDLE" | cut -f1)
{
    echo "jerex GPU bundle"
    echo "built:   $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(hostname)"
    echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "java:    $JAVA_VERSION"
    echo "modules: $MODULES"
    echo "size:    $SIZE bytes ($((SIZE / 1024 / 1024)) MiB; budget 64 MiB)"
    echo "parts:"
    du -sb "$BUNDLE"/runtime.tar.gz "$BUNDLE"/lib "$BUNDLE"/test-classes "$BUNDLE"/nn-test-classes "$BUNDLE"/junit | sed 's/^/  /'
    echo "  (the runtime unpacked: $RUNTIME_BYTES bytes)"
    echo "jars:"
    (cd "$BUNDLE/lib" && ls -l *.jar | awk '{printf "  %10d  %s\n", $5, $9}')
} > "$BUNDLE/BUILD-INFO.txt"
cat "$BUNDLE/BUILD-INFO.txt"

if [ "$SIZE" -gt "$BUDGET" ]; then
    echo "ERROR: the bundle is $SIZE bytes, over the 64 MiB budget" >&2
    exit 1
fi

if [ "$SELF_TEST" = 1 ]; then
    echo "== self-test: core-tensor tests with the bundled runtime, CPU backends only"
    OUT=${OUT:-$ROOT/gpu/bundle-selftest} bash gpu/run.sh --backends java --skip-bench
fi
