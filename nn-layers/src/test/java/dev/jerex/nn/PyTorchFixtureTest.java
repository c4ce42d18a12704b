package dev.jerex.nn;

import dev.jerex.nn.attention.Attention;
import dev.jerex.nn.attention.MultiHeadAttention;
import dev.jerex.nn.bert.BertLayer;
import dev.jerex.nn.rnn.GRU;
import dev.jerex.nn.rnn.LSTM;
import dev.jerex.nn.rnn.Recurrent;
import dev.jerex.nn.span.SpanPooling;
import dev.jerex.tensor.NnOps;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every layer against PyTorch (tools/fixtures/make_fixtures.py): outputs, input gradients and
 * parameter gradients, on every available backend.
 */
class PyTorchFixtureTest {
    private static final String BACKENDS = "dev.jerex.tensor.TestBackends#all";

    private static Map<String, Tensor> map(Object... kv) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Tensor) kv[i + 1]);
        return m;
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void linear(Backend b) {
        Fixture f = Fixture.load("linear", b);
        Linear layer = new Linear(b, 5, 4);
        f.loadParameters(layer);
        Tensor x = f.input("x");
        f.checkAll(map("y", layer.forward(x)), map("x", x), layer);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void layerNorm(Backend b) {
        for (String name : new String[] {"layernorm", "layernorm_eps1e-5"}) {
            Fixture f = Fixture.load(name, b);
            LayerNorm ln = new LayerNorm(b, 6, name.equals("layernorm") ? 1e-12f : 1e-5f);
            f.loadParameters(ln);
            Tensor x = f.input("x");
            f.checkAll(map("y", ln.forward(x)), map("x", x), ln);
        }
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void geluFeedForward(Backend b) {
        Fixture f = Fixture.load("gelu_ffn", b);
        FeedForward ffn = new FeedForward(b, 8, 16);
        f.loadParameters(ffn);
        Tensor x = f.input("x");
        f.checkAll(map("y", ffn.forward(x)), map("x", x), ffn);
    }

    /** 1 = hidden masks of the fixtures (I64) as a float tensor of the given shape. */
    private static Tensor mask(Fixture f, String key, int... shape) {
        int[] v = f.ints(key);
        float[] m = new float[v.length];
        for (int i = 0; i < v.length; i++) m[i] = v[i];
        return Tensor.of(f.tensor(key).backend(), m, shape);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void selfAttentionWithPadding(Backend b) {
        Fixture f = Fixture.load("mha_self_padding", b);
        MultiHeadAttention mha = new MultiHeadAttention(b, 8, 2);
        f.loadParameters(mha);
        Tensor x = f.input("x");
        Tensor hidden = mask(f, "in.key_padding_mask", 2, 1, 1, 5);
        f.checkAll(map("y", mha.forward(x, x, hidden, null)), map("x", x), mha);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void crossAttentionWithPadding(Backend b) {
        Fixture f = Fixture.load("mha_cross_padding", b);
        MultiHeadAttention mha = new MultiHeadAttention(b, 8, 2);
        f.loadParameters(mha);
        Tensor q = f.input("query"), mem = f.input("memory");
        Tensor hidden = mask(f, "in.key_padding_mask", 2, 1, 1, 6);
        f.checkAll(map("y", mha.forward(q, mem, hidden, null)), map("query", q, "memory", mem), mha);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void attentionWithASpanHidden(Backend b) {
        Fixture f = Fixture.load("mha_span_mask", b);
        MultiHeadAttention mha = new MultiHeadAttention(b, 8, 2);
        f.loadParameters(mha);
        Tensor x = f.input("x");
        Tensor padding = mask(f, "in.key_padding_mask", 2, 1, 1, 5);
        Tensor span = mask(f, "in.attn_mask", 2, 1, 5, 5);
        f.checkAll(map("y", mha.forward(x, x, span.maximum(padding), null)), map("x", x), mha);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void attentionWithAnAdditiveMask(Backend b) {
        Fixture f = Fixture.load("mha_additive_mask", b);
        MultiHeadAttention mha = new MultiHeadAttention(b, 8, 2);
        f.loadParameters(mha);
        Tensor x = f.input("x");
        f.checkAll(map("y", mha.forward(x, x, null, f.tensor("in.attn_bias"))), map("x", x), mha);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void bertLayer(Backend b) {
        Fixture f = Fixture.load("bert_layer", b);
        BertLayer layer = new BertLayer(b, 8, 2, 16, 1e-12f, 0.1f);
        f.loadParameters(layer);
        Tensor x = f.input("hidden");
        // (1 - attention_mask) * -10000 as [B, 1, 1, T]
        Tensor bias = mask(f, "in.attention_mask", 2, 1, 1, 5).mul(-1f).add(1f).mul(-10000f);
        f.checkAll(map("hidden", layer.forward(x, bias, null, Mode.eval())), map("hidden", x), layer);
    }

    private static void checkRecurrent(Fixture f, Recurrent rnn, boolean withLengths, boolean lstm) {
        f.loadParameters(rnn);
        Tensor x = f.input("x");
        Recurrent.Output out = rnn.forward(x, withLengths ? f.ints("in.lengths") : null);
        Map<String, Tensor> outs = map("output", out.output(), "h_n", out.hN());
        if (lstm) outs.put("c_n", out.cN());
        f.checkAll(outs, map("x", x), rnn);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void lstm(Backend b) {
        checkRecurrent(Fixture.load("lstm", b), new LSTM(b, 6, 4, 1, false), false, true);
        checkRecurrent(Fixture.load("lstm_2layer", b), new LSTM(b, 6, 4, 2, false), false, true);
        checkRecurrent(Fixture.load("bilstm_varlen", b), new LSTM(b, 6, 4, 1, true), true, true);
        checkRecurrent(Fixture.load("bilstm_varlen_unsorted", b), new LSTM(b, 6, 4, 1, true), true, true);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void gru(Backend b) {
        checkRecurrent(Fixture.load("gru", b), new GRU(b, 6, 4, 1, false), false, false);
        checkRecurrent(Fixture.load("bigru_varlen", b), new GRU(b, 6, 4, 1, true), true, false);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void spanMaxPooling(Backend b) {
        Fixture f = Fixture.load("span_maxpool", b);
        Tensor h = f.input("h");
        int[] spans = f.ints("in.spans");   // [2, 4, 2]
        int n = spans.length / 2;
        int[] batch = new int[n], start = new int[n], end = new int[n];
        for (int s = 0; s < n; s++) {
            batch[s] = s / 4;
            start[s] = spans[2 * s];
            end[s] = spans[2 * s + 1];
        }
        Tensor pooled = SpanPooling.maxPool(h, batch, start, end).reshape(2, 4, 6);
        f.checkAll(map("pooled", pooled), map("h", h), null);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void widthEmbedding(Backend b) {
        Fixture f = Fixture.load("span_width_embedding", b);
        Embedding emb = new Embedding(b, 10, 3);
        f.loadParameters(emb);
        f.checkAll(map("emb", emb.forward(f.ints("in.widths")).reshape(2, 4, 3)), map(), emb);
    }

    @ParameterizedTest @MethodSource(BACKENDS)
    void losses(Backend b) {
        Fixture ce = Fixture.load("cross_entropy", b);
        Tensor logits = ce.input("logits");
        ce.checkAll(map("loss", NnOps.crossEntropy(logits, ce.ints("in.targets"), -100)), map("logits", logits), null);

        Fixture bce = Fixture.load("bce_logits", b);
        Tensor x = bce.input("logits");
        bce.checkAll(map("loss", NnOps.binaryCrossEntropyWithLogits(x, bce.tensor("in.targets"))), map("logits", x), null);
    }
}
