#!/usr/bin/env python3
"""Writes the small whole-model fixture that jerex's PyTorchTwinFixtureTest checks in CI (no PyTorch
needed there): a tiny random jerex-compatible model, a tiny batch, and what the PyTorch twin
computes on them in float64.

    /usr/bin/python3 benchmarks/python/twin/make_fixture.py [--out jerex-model/src/test/resources/twin]

Files:
    config.json              {"model": ModelConfig (variant "full"), "encoder_config": BertConfig}
    batch.json               {"padId", "relationTypes", "documents": [per document, jerex's TrainingSample
                              fields: inputIds, entityStarts/Ends/Widths/Labels, relationHeads/Tails
                              (indices into the document's entity samples), relationLabels,
                              relationContextStarts/Ends]}
    weights.safetensors      every parameter of the full model (spert uses the subset it has)
    expected_VARIANT.safetensors  out.entity_logits, out.relation_logits, out.entity_loss,
                              out.relation_loss, out.loss, grad.PARAMETER for every parameter

The batch is built to reach the corners: two documents of different lengths (padding in BERT,
the BiLSTM and the attention masks), multi-piece words, a span starting right after [CLS] and
one ending right before [SEP], a width beyond the width embedding (clipped), relation contexts
that are empty (adjacent spans) and not, in both pair orders, multi-hot labels, more spans per
document than the SEA chunk, and a span over the whole sequence (nothing left for SEA: c = 0).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from io_jerex import write_safetensors  # noqa: E402
from model import JointExtractor  # noqa: E402

BERT = {"layers": 2, "hidden": 16, "heads": 4, "intermediate": 32, "vocabSize": 40, "maxPositions": 16,
        "typeVocabSize": 2, "layerNormEps": 1e-12, "hiddenAct": "gelu"}
MODEL = {"variant": "full", "encoder": "tiny-random", "entityTypes": 5, "relationTypes": 3, "maxSpanSize": 10,
         "sizeEmbedding": 8, "maxSpanWidthIndex": 20, "dropout": 0.0, "fusionHeads": 2, "relationThreshold": 0.4,
         "maxPairs": 1000, "seaSpanChunk": 3, "lowercase": True}


def between(first, second):
    """jerex's SubwordRange.between (SpERT's create_rel_mask): positions strictly between two spans."""
    if first[1] < second[0]:
        start, end = first[1], second[0]
    else:
        start, end = second[1], first[0]
    return (start, end) if end > start else (0, 0)


def document(ids, entities, relations):
    """entities: (start, end, words, label); relations: (head, tail, multi-hot labels)."""
    return {
        "inputIds": ids,
        "entityStarts": [e[0] for e in entities], "entityEnds": [e[1] for e in entities],
        "entityWidths": [e[2] for e in entities], "entityLabels": [e[3] for e in entities],
        "relationHeads": [r[0] for r in relations], "relationTails": [r[1] for r in relations],
        "relationLabels": [r[2] for r in relations],
        "relationContextStarts": [between(entities[r[0]], entities[r[1]])[0] for r in relations],
        "relationContextEnds": [between(entities[r[0]], entities[r[1]])[1] for r in relations],
    }


BATCH = {
    "padId": 0,
    "relationTypes": 3,
    "documents": [
        # [CLS]=1 ... [SEP]=2; 9 pieces; the word of pieces 2-3 is one word of two pieces
        document([1, 17, 23, 5, 31, 8, 12, 39, 2],
                 [(1, 2, 1, 1), (2, 4, 1, 2), (5, 6, 1, 0), (1, 4, 2, 0), (6, 8, 2, 3), (7, 8, 1, 0), (1, 8, 25, 0)],
                 [(0, 4, [1, 0, 0]), (4, 0, [0, 0, 0]), (1, 2, [1, 1, 0]), (0, 1, [0, 0, 1]), (2, 5, [0, 0, 0])]),
        # 6 pieces (padded to 9 in the batch)
        document([1, 9, 33, 14, 27, 2],
                 [(1, 2, 1, 1), (2, 5, 3, 4), (4, 5, 1, 0), (3, 4, 1, 0), (1, 5, 4, 0), (0, 6, 6, 0)],
                 [(0, 1, [0, 1, 0]), (1, 0, [0, 0, 0]), (0, 2, [0, 0, 1])]),
    ],
}


def collate(batch):
    """jerex's Batch: padded ids, and the samples of all documents one after another (relation
    arguments as indices into the flat entity list)."""
    docs = batch["documents"]
    t = max(len(d["inputIds"]) for d in docs)
    out = {k: [] for k in ["entity_doc", "entity_start", "entity_end", "entity_width", "entity_label", "relation_doc",
                           "relation_head", "relation_tail", "context_start", "context_end", "relation_labels"]}
    ids, lengths, offset = [], [], 0
    for i, d in enumerate(docs):
        ids.append(d["inputIds"] + [batch["padId"]] * (t - len(d["inputIds"])))
        lengths.append(len(d["inputIds"]))
        n = len(d["entityStarts"])
        out["entity_doc"] += [i] * n
        out["entity_start"] += d["entityStarts"]
        out["entity_end"] += d["entityEnds"]
        out["entity_width"] += d["entityWidths"]
        out["entity_label"] += d["entityLabels"]
        out["relation_doc"] += [i] * len(d["relationHeads"])
        out["relation_head"] += [offset + h for h in d["relationHeads"]]
        out["relation_tail"] += [offset + h for h in d["relationTails"]]
        out["context_start"] += d["relationContextStarts"]
        out["context_end"] += d["relationContextEnds"]
        out["relation_labels"] += d["relationLabels"]
        offset += n
    tensors = {k: torch.tensor(v, dtype=torch.float64 if k == "relation_labels" else torch.long) for k, v in out.items()}
    tensors["ids"] = torch.tensor(ids)
    tensors["lengths"] = torch.tensor(lengths)
    return tensors


def random_weights(model, seed):
    """Weights large enough that every term matters: N(0, 0.3), LayerNorm weights 1 + N(0, 0.1)."""
    g = torch.Generator().manual_seed(seed)
    weights = {}
    for name, p in model.named_parameters():
        w = torch.randn(p.shape, generator=g, dtype=torch.float64) * (0.1 if "norm" in name.lower() else 0.3)
        if "norm" in name.lower() and name.endswith("weight"):
            w += 1.0
        weights[name] = w.float().double()   # float32-representable, so jerex loads exactly these values
    return weights


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="jerex-model/src/test/resources/twin")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    full = JointExtractor(MODEL, BERT).double()
    weights = random_weights(full, args.seed)
    write_safetensors(os.path.join(args.out, "weights.safetensors"), {k: w.numpy() for k, w in weights.items()})
    with open(os.path.join(args.out, "config.json"), "w") as fh:
        json.dump({"model": MODEL, "encoder_config": BERT}, fh, indent=1)
    with open(os.path.join(args.out, "batch.json"), "w") as fh:
        json.dump(BATCH, fh, indent=1)
    batch = collate(BATCH)
    for variant in ["spert", "full"]:
        model = JointExtractor(dict(MODEL, variant=variant), BERT).double()
        with torch.no_grad():
            for name, p in model.named_parameters():
                p.copy_(weights[name])
        out = model(batch)
        out["loss"].backward()
        arrays = {f"out.{k}": out[k].detach().reshape(-1 if out[k].dim() == 0 else out[k].shape).numpy()
                  for k in ["entity_logits", "relation_logits", "entity_loss", "relation_loss", "loss"]}
        arrays.update({f"grad.{name}": p.grad.numpy() for name, p in model.named_parameters()})
        path = os.path.join(args.out, f"expected_{variant}.safetensors")
        write_safetensors(path, arrays, {"variant": variant, "source": "benchmarks/python/twin/make_fixture.py, float64"})
        print(f"{variant}: loss {float(out['loss']):.6f} (entity {float(out['entity_loss']):.6f}, "
              f"relation {float(out['relation_loss']):.6f}), {len(arrays) - 5} gradients -> {path}")
    total = sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out))
    print(f"{args.out}: {total / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
