#!/usr/bin/env bash
# Runs HERE, after gpu/build-bundle.sh: writes gpu/payload/, everything the training step of
# gpu/run.sh needs, in one folder:
#
#   gpu/build-train-payload.sh [conll04|cmeie] [ENCODER]   (default conll04 with its encoder)
#   PAYLOAD_DIR=gpu/payload-cmeie gpu/build-train-payload.sh cmeie   (another folder; run.sh: PAYLOAD=...)
#   e.g. gpu/build-train-payload.sh conll04 bert-base-cased   (the paper's CoNLL04 encoder: its
#        weights come as parts/, to be carried over several calls: gpu/README.md)
#
#   rt/          the bundled Java runtime (runtime.tar.gz) and core-tensor with the JavaCPP / CUDA
#                presets (from gpu/bundle/; the OpenBLAS natives are left out: the GPU does the work)
#   lib/         jerex-model, nn-layers and their runtime dependencies
#   <encoder>/   the dataset's encoder (conll04: minilm-l6, cmeie: bge-small-zh) as a Hugging Face
#                directory: weights in fp16 (jerex computes in fp32) and the vocabulary cut to the
#                pieces the dataset uses (tools/PruneVocab.java; this leaves its tokenisation unchanged)
#   data/        the dataset's files from ../shared/data/<dataset>
#   train.conf   the encoder's name and the data options of `jerex train` (read by run.sh)
#   parts/       only when the fp16 weights exceed 40 MiB: model.safetensors cut into 30 MiB parts
#                (their names and the whole file's SHA-256 in train.conf); run.sh joins and checks them
# Then, on the GPU machine (carry gpu/payload, or with a bundle built --without-openblas the parts
# named in gpu/README.md, "Everything in one call"):
#   BUNDLE=$PWD/gpu/payload/rt bash gpu/run.sh --skip-tests --skip-bench --epochs 20 --variants spert
set -euo pipefail
cd "$(dirname "$0")/.."
P=${PAYLOAD_DIR:-gpu/payload}   # another folder (e.g. gpu/payload-cmeie) lets two payloads travel in turn
DATASET=${1:-conll04}
case "$DATASET" in
    conll04)
        ENCODER=minilm-l6
        DATA_FILES=(conll04_train.json conll04_dev.json conll04_types.json)
        DATA_ARGS='--train "$PAYLOAD/data/conll04_train.json" --dev "$PAYLOAD/data/conll04_dev.json" --types "$PAYLOAD/data/conll04_types.json"' ;;
    cmeie)
        ENCODER=bge-small-zh
        DATA_FILES=(cmeie_train.json cmeie_types.json)
        DATA_ARGS='--train "$PAYLOAD/data/cmeie_train.json" --dev-fraction 0.1 --types "$PAYLOAD/data/cmeie_types.json"' ;;
    *) echo "unknown dataset $DATASET (expected conll04 or cmeie)" >&2; exit 64 ;;
esac
ENCODER=${2:-$ENCODER}
[ -f gpu/bundle/runtime.tar.gz ] || { echo "run gpu/build-bundle.sh first" >&2; exit 1; }
rm -rf "$P" && mkdir -p "$P/lib" "$P/rt/lib" "$P/data" "$P/$ENCODER"
mvn -q -B -o -DskipTests install -pl jerex-model -am
cp gpu/bundle/runtime.tar.gz "$P/rt/"
for j in gpu/bundle/lib/*.jar; do
    case "$(basename "$j")" in openblas-*-linux-*|assertj*) ;; *) cp "$j" "$P/rt/lib/" ;; esac
done
cp jerex-model/target/jerex-model-*.jar nn-layers/target/nn-layers-*.jar "$P/lib/"
rm -f "$P"/lib/*-tests.jar
# runtime dependencies, less what rt/ has, the encoder jars, and XChart's PDF / SVG back-ends
tr ':' '\n' < jerex-model/target/classpath.txt \
    | grep -vE 'core-tensor|javacpp|openblas|/cuda/|langchain4j|nn-layers|pdfbox|fontbox|graphics2d|VectorGraphics2D|animated-gif|commons-logging' \
    | xargs -I{} cp {} "$P/lib/"
for f in "${DATA_FILES[@]}"; do cp "../shared/data/$DATASET/$f" "$P/data/"; done
{
    echo "# written by gpu/build-train-payload.sh $DATASET; sourced by gpu/run.sh (PAYLOAD is set there)"
    echo "ENCODER_NAME=$ENCODER"
    echo "DATA_ARGS=($DATA_ARGS)"
} > "$P/train.conf"

CACHE=${JEREX_ENCODER_CACHE:-$HOME/.cache/jerex/encoders}/$ENCODER
[ -f "$CACHE/model.safetensors" ] || ./jerex encode --encoder "$ENCODER" --text warm-up > /dev/null
cp "$CACHE/vocab.txt" "$CACHE/config.json" "$P/$ENCODER/"
[ -f "$CACHE/tokenizer_config.json" ] && cp "$CACHE/tokenizer_config.json" "$P/$ENCODER/"
CP="$(cat jerex-model/target/classpath.txt):$(ls nn-layers/target/nn-layers-*.jar | grep -v tests | head -1)"
TOOLS=$(mktemp -d)
javac -d "$TOOLS" -cp "$CP" gpu/tools/PruneVocab.java
java -cp "$TOOLS:$CP" PruneVocab "$CACHE" "$TOOLS/ids.txt" $(ls "$P"/data/*.json | grep -v _types.json)

python3 - "$CACHE" "$P/$ENCODER" "$TOOLS/ids.txt" <<'PY'
# fp32 safetensors -> fp16, keeping only the vocabulary rows in ids.txt (in order)
import json, struct, sys
import numpy as np
src, dst, ids_file = sys.argv[1], sys.argv[2], sys.argv[3]
ids = [int(x) for x in open(ids_file).read().split()]
raw = open(src + '/model.safetensors', 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
out_header, chunks, offset = {}, [], 0
for name, info in header.items():
    if name == '__metadata__' or name.startswith('cls.'):   # the masked-LM head: not used, and vocabulary-sized
        continue
    b, e = info['data_offsets']
    a = np.frombuffer(data[b:e], dtype='<f4').reshape(info['shape']).astype('<f2')
    if name.endswith('word_embeddings.weight'):
        a = a[ids]
    by = np.ascontiguousarray(a).tobytes()
    out_header[name] = {'dtype': 'F16', 'shape': list(a.shape), 'data_offsets': [offset, offset + len(by)]}
    chunks.append(by)
    offset += len(by)
h = json.dumps(out_header).encode()
h += b' ' * ((8 - len(h) % 8) % 8)
with open(dst + '/model.safetensors', 'wb') as f:
    f.write(struct.pack('<Q', len(h))); f.write(h)
    for c in chunks: f.write(c)
vocab = open(src + '/vocab.txt', encoding='utf-8').read().split('\n')
open(dst + '/vocab.txt', 'w', encoding='utf-8').write('\n'.join(vocab[i] for i in ids) + '\n')
config = json.load(open(src + '/config.json'))
config['vocab_size'] = len(ids)
json.dump(config, open(dst + '/config.json', 'w'), indent=2)
PY
rm -rf "$TOOLS"

# Weights too large to travel beside the rest: 30 MiB parts (two fit one call), joined by run.sh.
WEIGHTS=$P/$ENCODER/model.safetensors
if [ "$(stat -c %s "$WEIGHTS")" -gt $((40 * 1024 * 1024)) ]; then
    mkdir -p "$P/parts"
    echo "WEIGHTS_SHA256=$(sha256sum "$WEIGHTS" | cut -d' ' -f1)" >> "$P/train.conf"
    split -b $((30 * 1024 * 1024)) -d "$WEIGHTS" "$P/parts/model.safetensors.part-"
    rm "$WEIGHTS"
    echo "WEIGHT_PARTS=($(cd "$P/parts" && ls model.safetensors.part-* | tr '\n' ' '))" >> "$P/train.conf"
    echo "weights in $(ls "$P"/parts | wc -l) parts of 30 MiB in $P/parts/"
fi
du -sb "$P" "$P"/*
