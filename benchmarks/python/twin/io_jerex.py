"""Reading and writing what jerex writes: safetensors files, model directories, batches (JSON).

safetensors: an 8-byte little-endian header length N, N bytes of JSON header
({"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}),
then the raw little-endian data (offsets relative to the end of the header).
"""
import json
import os
import struct

import numpy as np
import torch

from model import JointExtractor

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    """-> ({name: numpy array}, metadata dict)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n:]
    arrays = {}
    for name, info in header.items():
        if info["dtype"] not in DTYPES:
            raise ValueError(f"{path}: tensor {name}: unsupported dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        arrays[name] = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"]).copy()
    return arrays, metadata


def write_safetensors(path, arrays, metadata=None):
    """{name: float32 array} -> a safetensors file (F32, in the given order)."""
    header, chunks, offset = {}, [], 0
    for name, a in arrays.items():
        b = np.ascontiguousarray(a, dtype=np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(np.shape(a)), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(text)))
        fh.write(text)
        for c in chunks:
            fh.write(c)


def load_model(model_dir):
    """A jerex model directory (model.json + model.safetensors) -> JointExtractor with its weights.
    Strict: every parameter of the twin must be in the file with the same shape, and nothing else."""
    with open(os.path.join(model_dir, "model.json")) as fh:
        root = json.load(fh)
    model = JointExtractor(root["model"], root["encoder_config"])
    weights, _ = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    load_weights(model, weights, os.path.join(model_dir, "model.safetensors"))
    return model


def load_weights(model, weights, where):
    mine = dict(model.named_parameters())
    missing = sorted(set(mine) - set(weights))
    extra = sorted(set(weights) - set(mine))
    if missing or extra:
        raise ValueError(f"{where}: parameters differ from the twin's: missing {missing}, unexpected {extra}")
    with torch.no_grad():
        for name, p in mine.items():
            if tuple(p.shape) != weights[name].shape:
                raise ValueError(f"{where}: {name} has shape {weights[name].shape}, the twin expects {tuple(p.shape)}")
            p.copy_(torch.from_numpy(weights[name]))


BATCH_INTS = ["entity_doc", "entity_start", "entity_end", "entity_width", "entity_label",
              "relation_doc", "relation_head", "relation_tail", "context_start", "context_end"]


def batch_tensors(b, where="batch"):
    """A batch as jerex's Batch writes it to JSON (field names as the Java fields, camelCase) -> tensors."""
    camel = {"entity_doc": "entityDoc", "entity_start": "entityStart", "entity_end": "entityEnd",
             "entity_width": "entityWidth", "entity_label": "entityLabel", "relation_doc": "relationDoc",
             "relation_head": "relationHead", "relation_tail": "relationTail", "context_start": "contextStart",
             "context_end": "contextEnd"}
    try:
        out = {"ids": torch.tensor(b["ids"], dtype=torch.long), "lengths": torch.tensor(b["lengths"], dtype=torch.long)}
        for k in BATCH_INTS:
            out[k] = torch.tensor(b[camel[k]], dtype=torch.long)
        r, types = len(b["relationHead"]), b["relationTypes"]
        out["relation_labels"] = torch.tensor(b["relationLabels"], dtype=torch.float32).reshape(r, types)
    except KeyError as e:
        raise ValueError(f"{where}: missing field {e}") from None
    return out
