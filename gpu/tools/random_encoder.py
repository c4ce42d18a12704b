#!/usr/bin/env python3
"""Writes a BERT encoder directory of a given size with random weights, for timing a model of that
size on a GPU machine its real weights cannot reach (bert-base-cased is 433 MB in fp32; the GPU
machine gets files through a 64 MiB transfer and has no network).

    python3 gpu/tools/random_encoder.py TEMPLATE_DIR OUT_DIR [--hidden 768] [--layers 12]
                                        [--heads 12] [--intermediate 3072]

TEMPLATE_DIR is a Hugging Face BERT directory (config.json, vocab.txt, model.safetensors): its
vocabulary, tokenizer settings and tensor names are kept, so the tokenisation is the template's;
every tensor of layer 0 is repeated for each of --layers layers; any dimension equal to the
template's hidden or intermediate size becomes --hidden or --intermediate. Weights are drawn
from N(0, 0.02) (BERT's initializer range), LayerNorm weights are 1 and biases 0, stored as fp32.
Only the time of a training step means anything with these weights, not its accuracy.
"""
import argparse
import json
import os
import re
import shutil
import struct

import numpy as np


def read_header(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        return json.loads(f.read(n))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('template')
    p.add_argument('out')
    p.add_argument('--hidden', type=int, default=768)
    p.add_argument('--layers', type=int, default=12)
    p.add_argument('--heads', type=int, default=12)
    p.add_argument('--intermediate', type=int, default=3072)
    p.add_argument('--seed', type=int, default=1)
    a = p.parse_args()

    config = json.load(open(os.path.join(a.template, 'config.json')))
    old_hidden, old_inter = config['hidden_size'], config['intermediate_size']
    header = read_header(os.path.join(a.template, 'model.safetensors'))
    layer0 = re.compile(r'(.*\blayer\.)0(\..*)')

    # (name, shape) of the new model, in the template's order with layer 0 repeated
    tensors = []
    for name, info in header.items():
        if name == '__metadata__' or re.search(r'\blayer\.[1-9]\d*\.', name):
            continue
        shape = [a.hidden if d == old_hidden else a.intermediate if d == old_inter else d for d in info['shape']]
        m = layer0.match(name)
        names = [f'{m.group(1)}{i}{m.group(2)}' for i in range(a.layers)] if m else [name]
        tensors += [(n, shape) for n in names]

    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out, exist_ok=True)
    out_header, offset = {}, 0
    for name, shape in tensors:
        size = int(np.prod(shape)) * 4
        out_header[name] = {'dtype': 'F32', 'shape': shape, 'data_offsets': [offset, offset + size]}
        offset += size
    h = json.dumps(out_header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(os.path.join(a.out, 'model.safetensors'), 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for name, shape in tensors:
            is_norm = 'LayerNorm' in name or name.endswith('norm.weight') or name.endswith('norm.bias')
            if is_norm or name.endswith('.bias'):
                value = np.ones(shape, '<f4') if is_norm and name.endswith('weight') else np.zeros(shape, '<f4')
            else:
                value = rng.normal(0, 0.02, shape).astype('<f4')
            f.write(value.tobytes())

    config.update(hidden_size=a.hidden, num_hidden_layers=a.layers, num_attention_heads=a.heads,
                  intermediate_size=a.intermediate)
    json.dump(config, open(os.path.join(a.out, 'config.json'), 'w'), indent=2)
    for extra in ('vocab.txt', 'tokenizer_config.json'):
        if os.path.exists(os.path.join(a.template, extra)):
            shutil.copy(os.path.join(a.template, extra), a.out)
    print(f'{a.out}: {len(tensors)} tensors, {sum(int(np.prod(s)) for _, s in tensors):,} parameters, '
          f'hidden {a.hidden}, {a.layers} layers, {a.heads} heads, intermediate {a.intermediate}')


if __name__ == '__main__':
    main()
