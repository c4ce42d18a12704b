"""The jerex model in PyTorch, written to be read next to the paper's figure and MODEL.md.

This is the PyTorch twin of jerex-model's JointExtractor (arXiv 2502.09247, with SpERT as its
baseline). Every module has the same parameter names as jerex (Module.namedParameters(), which
are also the keys of a model directory's model.safetensors), so a jerex model loads into it
unchanged and the two can be compared tensor by tensor.

    H     = bert(tokens)                                         [B, T, d]      encoder
    F     = fusion(H)          (F = H for spert)                 [B, T, d]      interactive fusion
    span s:  pool(s)  = max over the tokens of s of F             [d]
             width(s) = size_embeddings[#words of s]              [25]
             ctx(s)   = SEA(F, s)  or  H[CLS]                     [d]
             entity logits = entity_classifier(dropout([ctx(s); pool(s); width(s)]))      [types + 1]
    pair (s1, s2):  ctx = max over the tokens strictly between s1 and s2 of F  (0 when adjacent)
                          or H[CLS]
             relation logits = rel_classifier(dropout([ctx; pool(s1); pool(s2); width(s1); width(s2)]))
    loss  = mean cross-entropy over entity samples
          + mean binary cross-entropy over (relation sample, relation type)

The variants (jerex's Variant enum) switch the paper's three additions on and off.
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


@dataclass(frozen=True)
class Variant:
    """Which of the paper's additions to SpERT are on (jerex's Variant enum, MODEL.md "Variants")."""
    fusion: bool                  # task projections (+ cross attention) + BiLSTM between BERT and the heads
    cross_attention: bool         # cross attention both ways inside the fusion
    sea: bool                     # semantic enhancement attention as the entity context (else H[CLS])
    local_relation_context: bool  # max-pool between the two spans as the relation context (else H[CLS])


VARIANTS = {
    "spert":              Variant(fusion=False, cross_attention=False, sea=False, local_relation_context=True),
    "full":               Variant(fusion=True,  cross_attention=True,  sea=True,  local_relation_context=True),
    "no-cross-attention": Variant(fusion=True,  cross_attention=False, sea=True,  local_relation_context=True),
    "cls-context":        Variant(fusion=True,  cross_attention=True,  sea=False, local_relation_context=True),
    "global-context":     Variant(fusion=True,  cross_attention=True,  sea=True,  local_relation_context=False),
}


# ---------------------------------------------------------------------------------------------
# Encoder: BERT, parameter names as Hugging Face's BertModel
# ---------------------------------------------------------------------------------------------

def gelu(x):
    """Exact (erf) GELU, BERT's hidden_act "gelu"."""
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def split_heads(x, heads):
    """[B, T, H*dh] -> [B, H, T, dh]."""
    b, t, d = x.shape
    return x.view(b, t, heads, d // heads).transpose(1, 2)


def merge_heads(x):
    """[B, H, T, dh] -> [B, T, H*dh]."""
    b, h, t, dh = x.shape
    return x.transpose(1, 2).reshape(b, t, h * dh)


def attend(q, k, v, hidden):
    """Scaled dot-product attention (Vaswani et al. 2017, eq. 1).

    q: [B, H, Tq, dh], k, v: [B, H, Tk, dh]; hidden: bool, True where a key is hidden from a
    query, broadcastable to [B, H, Tq, Tk] (or None). Returns [B, H, Tq, dh].
    """
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])          # [B, H, Tq, Tk]
    if hidden is not None:
        scores = scores.masked_fill(hidden, float("-inf"))
    return scores.softmax(-1) @ v


class MultiHeadAttention(nn.Module):
    """query, key, value, out: Linear(d, d) each; no dropout on the weights (nn-layers' MultiHeadAttention)."""

    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value, self.out = (nn.Linear(d, d) for _ in range(4))

    def forward(self, queries, memory, hidden=None):
        """queries [B, Tq, d] attend to memory [B, Tk, d]; hidden as in attend(). Returns [B, Tq, d]."""
        q = split_heads(self.query(queries), self.heads)
        k = split_heads(self.key(memory), self.heads)
        v = split_heads(self.value(memory), self.heads)
        return self.out(merge_heads(attend(q, k, v, hidden)))


class Container(nn.Module):
    """A named group without computation of its own (for Hugging Face's nested names)."""


class BertLayer(nn.Module):
    """One post-LN encoder layer:
        x1  = attention.output.LayerNorm(x + dropout(attention.output.dense(self_attention(x))))
        out = output.LayerNorm(x1 + dropout(output.dense(gelu(intermediate.dense(x1)))))
    """

    def __init__(self, d, heads, ffn, eps, dropout):
        super().__init__()
        self.heads = heads
        self.attention = Container()
        self.attention.self = Container()
        self.attention.self.query, self.attention.self.key, self.attention.self.value = (nn.Linear(d, d) for _ in range(3))
        self.attention.output = Container()
        self.attention.output.dense = nn.Linear(d, d)
        self.attention.output.LayerNorm = nn.LayerNorm(d, eps=eps)
        self.intermediate = Container()
        self.intermediate.dense = nn.Linear(d, ffn)
        self.output = Container()
        self.output.dense = nn.Linear(ffn, d)
        self.output.LayerNorm = nn.LayerNorm(d, eps=eps)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, hidden):
        s = self.attention.self
        q, k, v = (split_heads(p(x), self.heads) for p in (s.query, s.key, s.value))
        a = merge_heads(attend(q, k, v, hidden))
        x1 = self.attention.output.LayerNorm(x + self.dropout(self.attention.output.dense(a)))
        f = self.output.dense(gelu(self.intermediate.dense(x1)))
        return self.output.LayerNorm(x1 + self.dropout(f))


class Bert(nn.Module):
    """embeddings = LayerNorm(word[ids] + position[0..T) + token_type[0]); then the layers.
    Padding keys are hidden from attention."""

    def __init__(self, cfg, dropout):
        super().__init__()
        d = cfg["hidden"]
        self.embeddings = Container()
        self.embeddings.word_embeddings = nn.Embedding(cfg["vocabSize"], d)
        self.embeddings.position_embeddings = nn.Embedding(cfg["maxPositions"], d)
        self.embeddings.token_type_embeddings = nn.Embedding(cfg["typeVocabSize"], d)
        self.embeddings.LayerNorm = nn.LayerNorm(d, eps=cfg["layerNormEps"])
        self.encoder = Container()
        self.encoder.layer = nn.ModuleList(
            BertLayer(d, cfg["heads"], cfg["intermediate"], cfg["layerNormEps"], dropout) for _ in range(cfg["layers"]))
        self.dropout = nn.Dropout(dropout)

    def forward(self, ids, padding):
        """ids [B, T] (long), padding [B, T] (True at padding) -> H [B, T, d]."""
        e = self.embeddings
        t = ids.shape[1]
        x = e.word_embeddings(ids) + e.position_embeddings.weight[:t] + e.token_type_embeddings.weight[0]
        x = self.dropout(e.LayerNorm(x))
        hidden = padding[:, None, None, :]                              # [B, 1, 1, T]: hidden keys
        for layer in self.encoder.layer:
            x = layer(x, hidden)
        return x


# ---------------------------------------------------------------------------------------------
# The paper's additions: interactive fusion and semantic enhancement attention
# ---------------------------------------------------------------------------------------------

class InteractiveFusion(nn.Module):
    """MODEL.md steps 2-3.

        X_e = dropout(gelu(entity_projection(H)))      X_r = dropout(gelu(relation_projection(H)))
        E'  = entity_norm(X_e + entity_cross_attention(query X_e, key/value X_r))
        R'  = relation_norm(X_r + relation_cross_attention(query X_r, key/value X_e))
        F   = BiLSTM([E'; R'])          hidden d/2 per direction, so F: [B, T, d]
    Without cross attention: F = BiLSTM([X_e; X_r]).
    """

    def __init__(self, d, heads, cross_attention, dropout, eps):
        super().__init__()
        self.entity_projection = nn.Linear(d, d)
        self.relation_projection = nn.Linear(d, d)
        if cross_attention:
            self.entity_cross_attention = MultiHeadAttention(d, heads)
            self.relation_cross_attention = MultiHeadAttention(d, heads)
            self.entity_norm = nn.LayerNorm(d, eps=eps)
            self.relation_norm = nn.LayerNorm(d, eps=eps)
        self.cross_attention = cross_attention
        self.bilstm = nn.LSTM(2 * d, d // 2, num_layers=1, bidirectional=True, batch_first=True)
        self.dropout = nn.Dropout(dropout)

    def forward(self, h, lengths, padding):
        xe = self.dropout(gelu(self.entity_projection(h)))
        xr = self.dropout(gelu(self.relation_projection(h)))
        e, r = xe, xr
        if self.cross_attention:
            hidden = padding[:, None, None, :]
            e = self.entity_norm(xe + self.entity_cross_attention(xe, xr, hidden))
            r = self.relation_norm(xr + self.relation_cross_attention(xr, xe, hidden))
        # Each sequence runs to its own length (outputs 0 at padding), as packed sequences do.
        packed = pack_padded_sequence(torch.cat([e, r], dim=2), lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.bilstm(packed)
        return pad_packed_sequence(out, batch_first=True, total_length=h.shape[1])[0]


class SemanticEnhancementAttention(nn.Module):
    """MODEL.md step 6: the context of span s is read from its sentence with s itself hidden.

        M_s  = MHA(F, F, F, hidden keys = s)              [L, d]   (L: the sentence's real length)
        G_s  = BiGRU(M_s)                                  [L, d]   (d/2 per direction)
        c(s) = max over the positions t not in s of G_s[t] [d]     (0 if s covers the whole sentence)

    Written per span; the spans of one sentence are only stacked as batch rows (each row its
    own span, its own mask), `chunk` rows at a time to bound the [rows, heads, L, L] weights.
    c(s) = 0 also for a span that covers the whole sentence (nothing is visible).
    """

    def __init__(self, d, heads, chunk):
        super().__init__()
        self.attention = MultiHeadAttention(d, heads)
        self.bigru = nn.GRU(d, d // 2, num_layers=1, bidirectional=True, batch_first=True)
        self.chunk = max(1, chunk)

    def forward(self, f, lengths, doc, start, end):
        """f [B, T, d]; doc, start, end [S] (sub-word positions, end exclusive) -> c(s) [S, d]."""
        out = f.new_zeros(doc.shape[0], f.shape[2])
        for b in range(f.shape[0]):
            mine = (doc == b).nonzero().flatten()
            length = int(lengths[b])
            for chunk in mine.split(self.chunk):
                out = out.index_copy(0, chunk, self.contexts(f[b, :length], start[chunk], end[chunk]))
        return out

    def contexts(self, fb, start, end):
        """fb [L, d] one sentence; start, end [n] -> c(s) [n, d] for its n spans."""
        n, length = start.shape[0], fb.shape[0]
        t = torch.arange(length)
        in_span = (t[None, :] >= start[:, None]) & (t[None, :] < end[:, None])   # [n, L]: the hidden keys
        # A span that covers the whole sentence has no context (c = 0 below); it hides nothing
        # here, so that its softmax stays finite (an all-hidden row would be 0/0).
        everything = in_span.all(dim=1)
        hidden = in_span & ~everything[:, None]
        # M_s = MHA(F, F, F, hidden keys = s): the projections of F are the same for every span,
        # so they are computed once; only the mask differs (it broadcasts q k^T to [n, H, L, L]).
        att = self.attention
        q, k, v = (split_heads(p(fb[None]), att.heads) for p in (att.query, att.key, att.value))   # [1, H, L, dh]
        m = att.out(merge_heads(attend(q.expand(n, -1, -1, -1), k, v, hidden[:, None, None, :])))  # M_s [n, L, d]
        g, _ = self.bigru(m)                                                     # G_s [n, L, d]
        c = g.masked_fill(in_span[:, :, None], float("-inf")).max(dim=1).values  # max over visible t
        return c.masked_fill(everything[:, None], 0.0)


# ---------------------------------------------------------------------------------------------
# The extractor
# ---------------------------------------------------------------------------------------------

def max_pool(f, doc, start, end):
    """max over tokens [start, end) of f[doc], per span (SpERT's span pooling): [S, d]; 0 for an empty span."""
    t = torch.arange(f.shape[1])
    inside = (t[None, :] >= start[:, None]) & (t[None, :] < end[:, None])      # [S, T]
    pooled = f[doc].masked_fill(~inside[:, :, None], float("-inf")).max(dim=1).values
    return pooled.masked_fill((end <= start)[:, None], 0.0)


class JointExtractor(nn.Module):
    def __init__(self, model_cfg, bert_cfg):
        super().__init__()
        self.cfg = model_cfg
        self.variant = VARIANTS[model_cfg["variant"].lower().replace("_", "-")]
        d = bert_cfg["hidden"]
        eps = bert_cfg["layerNormEps"]
        p = model_cfg["dropout"]
        self.bert = Bert(bert_cfg, p)
        if self.variant.fusion:
            self.fusion = InteractiveFusion(d, model_cfg["fusionHeads"], self.variant.cross_attention, p, eps)
        if self.variant.sea:
            self.sea = SemanticEnhancementAttention(d, model_cfg["fusionHeads"], model_cfg["seaSpanChunk"])
        w = model_cfg["sizeEmbedding"]
        self.size_embeddings = nn.Embedding(model_cfg["maxSpanWidthIndex"], w)
        self.entity_classifier = nn.Linear(2 * d + w, model_cfg["entityTypes"])
        self.rel_classifier = nn.Linear(3 * d + 2 * w, max(1, model_cfg["relationTypes"]))
        self.dropout = nn.Dropout(p)

    def encode(self, ids, lengths):
        """ids [B, T], lengths [B] -> (H, F), both [B, T, d]."""
        padding = torch.arange(ids.shape[1])[None, :] >= lengths[:, None]        # [B, T]
        h = self.bert(ids, padding)
        f = self.fusion(h, lengths, padding) if self.variant.fusion else h
        return h, f

    def span_features(self, f, doc, start, end, words):
        """pool(s) [S, d] and width(s) [S, 25] (the width index clipped to the embedding's rows)."""
        width = self.size_embeddings(words.clamp(max=self.cfg["maxSpanWidthIndex"] - 1))
        return max_pool(f, doc, start, end), width

    def entity_logits(self, h, f, lengths, pooled, width, doc, start, end):
        ctx = self.sea(f, lengths, doc, start, end) if self.variant.sea else h[doc, 0]
        return self.entity_classifier(self.dropout(torch.cat([ctx, pooled, width], dim=1)))

    def relation_logits(self, h, f, pooled, width, pair_doc, head, tail, ctx_start, ctx_end):
        ctx = max_pool(f, pair_doc, ctx_start, ctx_end) if self.variant.local_relation_context else h[pair_doc, 0]
        repr_ = torch.cat([ctx, pooled[head], pooled[tail], width[head], width[tail]], dim=1)
        return self.rel_classifier(self.dropout(repr_))

    def forward(self, batch):
        """SpERT's joint loss on a training batch (jerex's Batch as tensors, see io_jerex.batch_tensors).

        Returns a dict: entity_logits [E, types + 1], relation_logits [R, relation types] (or None),
        entity_loss, relation_loss, loss.
        """
        h, f = self.encode(batch["ids"], batch["lengths"])
        pooled, width = self.span_features(f, batch["entity_doc"], batch["entity_start"], batch["entity_end"], batch["entity_width"])
        entity_logits = self.entity_logits(h, f, batch["lengths"], pooled, width,
                                           batch["entity_doc"], batch["entity_start"], batch["entity_end"])
        entity_loss = F.cross_entropy(entity_logits, batch["entity_label"], ignore_index=-100)
        out = {"entity_logits": entity_logits, "relation_logits": None, "entity_loss": entity_loss,
               "relation_loss": torch.zeros(()), "loss": entity_loss}
        if batch["relation_head"].shape[0] > 0 and self.cfg["relationTypes"] > 0:
            relation_logits = self.relation_logits(h, f, pooled, width, batch["relation_doc"], batch["relation_head"],
                                                   batch["relation_tail"], batch["context_start"], batch["context_end"])
            # mean over (sample, type) = mean over samples of the mean over types
            relation_loss = F.binary_cross_entropy_with_logits(relation_logits, batch["relation_labels"])
            out.update(relation_logits=relation_logits, relation_loss=relation_loss, loss=entity_loss + relation_loss)
        return out


# ---------------------------------------------------------------------------------------------
# Training step and inference, as jerex's Trainer and Predictor do them
# ---------------------------------------------------------------------------------------------

class TransformersAdamW:
    """SpERT's optimiser, the old transformers.AdamW: betas (0.9, 0.999), eps 1e-6, no bias correction,
    decoupled weight decay after the update; no decay for biases and norms (jerex's AdamW.decayGroups).

        m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2
        p -= lr m / (sqrt(v) + eps);   p -= lr wd p
    """

    def __init__(self, named_parameters, weight_decay, betas=(0.9, 0.999), eps=1e-6):
        self.params = []
        for name, p in named_parameters:
            lower = name.lower()
            exempt = name.endswith("bias") or "layernorm" in lower or "norm." in lower
            self.params.append((p, 0.0 if exempt else weight_decay, torch.zeros_like(p), torch.zeros_like(p)))
        self.b1, self.b2 = betas
        self.eps = eps

    @torch.no_grad()
    def step(self, lr):
        for p, wd, m, v in self.params:
            if p.grad is None:
                continue
            g = p.grad
            m.mul_(self.b1).add_(g, alpha=1 - self.b1)
            v.mul_(self.b2).addcmul_(g, g, value=1 - self.b2)
            p.addcdiv_(m, v.sqrt().add_(self.eps), value=-lr)
            if wd:
                p.add_(p, alpha=-lr * wd)


def train_step(model, optimizer, batch, lr=5e-5, max_grad_norm=1.0):
    """One step as jerex's Trainer takes it: loss, backward, clip the global norm, AdamW."""
    model.train()
    for p in model.parameters():
        p.grad = None
    out = model(batch)
    out["loss"].backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step(lr)
    return float(out["loss"])


@torch.no_grad()
def predict(model, doc):
    """jerex's Predictor.predictEncoded for one encoded sentence (a dict from the batches file):
    classify every candidate span; keep those whose argmax is not None; score every ordered pair of
    kept spans (maxPairs at a time) with a sigmoid per relation type; keep scores >= threshold.
    Returns (entities [(word start, word end, type, p)], relations [(head, tail, type, p)])."""
    model.eval()
    cfg = model.cfg
    ids = torch.tensor([doc["ids"]])
    lengths = torch.tensor([len(doc["ids"])])
    start, end = torch.tensor(doc["subword_starts"]), torch.tensor(doc["subword_ends"])
    n = start.shape[0]
    if n == 0:
        return [], []
    zeros = torch.zeros(n, dtype=torch.long)
    h, f = model.encode(ids, lengths)
    pooled, width = model.span_features(f, zeros, start, end, torch.tensor(doc["widths"]))
    probs = model.entity_logits(h, f, lengths, pooled, width, zeros, start, end).softmax(-1)
    best = probs.argmax(dim=1)
    word_start, word_end = doc["word_starts"], doc["word_ends"]
    kept = sorted((int(s) for s in (best != 0).nonzero().flatten()), key=lambda s: (word_start[s], word_end[s]))
    entities = [(word_start[s], word_end[s], int(best[s]), float(probs[s, best[s]])) for s in kept]
    relations = []
    k = len(kept)
    if k < 2 or cfg["relationTypes"] == 0:
        return entities, relations
    pairs = [(i, j) for i in range(k) for j in range(k) if i != j]
    kept_t = torch.tensor(kept)
    for at in range(0, len(pairs), cfg["maxPairs"]):
        chunk = torch.tensor(pairs[at:at + cfg["maxPairs"]])
        head, tail = kept_t[chunk[:, 0]], kept_t[chunk[:, 1]]
        # the context strictly between the two spans, whichever comes first (jerex's SubwordRange.between,
        # SpERT's create_rel_mask); end <= start (adjacent or overlapping spans) pools to 0
        head_first = end[head] < start[tail]
        ctx_start = torch.where(head_first, end[head], end[tail])
        ctx_end = torch.where(head_first, start[tail], start[head])
        scores = model.relation_logits(h, f, pooled, width, torch.zeros_like(head), head, tail, ctx_start, ctx_end).sigmoid()
        for q, r in (scores >= cfg["relationThreshold"]).nonzero().tolist():
            relations.append((int(chunk[q, 0]), int(chunk[q, 1]), r, float(scores[q, r])))
    return entities, relations
