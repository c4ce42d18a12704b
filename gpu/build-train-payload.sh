#!/usr/bin/env bash
# Runs HERE: writes gpu/payload/ for the training step of gpu/run.sh, within the 64 MiB transfer:
#   lib/        jerex-model, nn-layers and their runtime dependencies (core-tensor and the JavaCPP
#               presets come from gpu/bundle/lib)
#   minilm-l6/  the encoder as a Hugging Face directory with fp16 weights (half the size; jerex
#               reads F16 safetensors and computes in fp32)
#   data/       CoNLL04 train / dev / types from ../shared/data/conll04
set -euo pipefail
cd "$(dirname "$0")/.."
P=gpu/payload
rm -rf "$P" && mkdir -p "$P/lib" "$P/data" "$P/minilm-l6"
mvn -q -B -o -DskipTests install -pl jerex-model -am
cp jerex-model/target/jerex-model-*.jar nn-layers/target/nn-layers-*.jar "$P/lib/"
rm -f "$P"/lib/*-tests.jar
tr ':' '\n' < jerex-model/target/classpath.txt | grep -vE 'core-tensor|javacpp|openblas|/cuda/|langchain4j|nn-layers' | xargs -I{} cp {} "$P/lib/"
cp ../shared/data/conll04/conll04_{train,dev,types}.json "$P/data/"
CACHE=${JEREX_ENCODER_CACHE:-$HOME/.cache/jerex/encoders/minilm-l6}
[ -f "$CACHE/model.safetensors" ] || ./jerex encode --encoder minilm-l6 --text warm-up > /dev/null
cp "$CACHE/vocab.txt" "$CACHE/config.json" "$P/minilm-l6/"
[ -f "$CACHE/tokenizer_config.json" ] && cp "$CACHE/tokenizer_config.json" "$P/minilm-l6/"
python3 - "$CACHE/model.safetensors" "$P/minilm-l6/model.safetensors" <<'PY'
import json, struct, sys
import numpy as np
src, dst = sys.argv[1], sys.argv[2]
raw = open(src, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
out_header, chunks, offset = {}, [], 0
for name, info in header.items():
    if name == '__metadata__':
        continue
    b, e = info['data_offsets']
    a = np.frombuffer(data[b:e], dtype='<f4').astype('<f2').tobytes()
    out_header[name] = {'dtype': 'F16', 'shape': info['shape'], 'data_offsets': [offset, offset + len(a)]}
    chunks.append(a)
    offset += len(a)
h = json.dumps(out_header).encode()
h += b' ' * ((8 - len(h) % 8) % 8)
with open(dst, 'wb') as f:
    f.write(struct.pack('<Q', len(h))); f.write(h)
    for c in chunks: f.write(c)
PY
du -sh "$P" "$P"/*
