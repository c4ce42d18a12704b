package dev.jerex.bench;

import dev.jerex.model.ModelConfig;
import dev.jerex.model.nn.JointExtractor;
import dev.jerex.model.nn.SemanticEnhancementAttention;
import dev.jerex.nn.LayerNorm;
import dev.jerex.nn.Mode;
import dev.jerex.nn.Module;
import dev.jerex.nn.attention.Attention;
import dev.jerex.nn.attention.MultiHeadAttention;
import dev.jerex.nn.bert.BertConfig;
import dev.jerex.nn.bert.BertModel;
import dev.jerex.nn.rnn.GRU;
import dev.jerex.nn.rnn.LSTM;
import dev.jerex.nn.rnn.Recurrent;
import dev.jerex.nn.span.SpanPooling;
import dev.jerex.tensor.Gradients;
import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.TensorScope;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import dev.jerex.tensor.backend.JavaBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The model's hot loops one by one, at the shapes of a CoNLL04 training step with minilm-l6
 * (d = 384, 12 heads, FFN 1536): batch of B = 2 sentences padded to T = 40 sub-words (real
 * lengths 40 and 33), 100 candidate spans per sentence, 50 relation pairs per sentence.
 *
 * <pre>
 * kernel         what is timed                                        shapes
 * softmax        scores.softmax(-1)                                   [2, 12, 40, 40]
 * layer_norm     LayerNorm(384) (random gamma, beta)                  [2, 40, 384]
 * gelu           x.gelu()                                             [2, 40, 1536]
 * attention      MultiHeadAttention(384, 12 heads), self, key padding [2, 40, 384]
 * lstm_step      one LSTM step (fusion BiLSTM: H 192)                 x_t W_ih^T [2, 768], h, c [2, 192]
 * lstm           LSTM(768 -> 192, bidirectional), lengths 40, 33      [2, 40, 768] -> [2, 40, 384]
 * gru_step       one GRU step (SEA BiGRU: H 192, a sentence's spans)  x_t W_ih^T [100, 576], h [100, 192]
 * gru            GRU(384 -> 192, bidirectional)                       [100, 40, 384] -> [100, 40, 384]
 * span_pool      SpanPooling.maxPool (rangeMax), 200 spans of 1-10    [2, 40, 384] -> [200, 384]
 * sea            SemanticEnhancementAttention.contexts, 6 heads,      [2, 40, 384] -> [200, 384]
 *                chunks sized automatically, 100 spans per sentence
 * relation_head  JointExtractor.relationLogits (local context,        F [2, 40, 384], 200 spans,
 *                eval mode: no dropout), 5 relation types             100 pairs -> [100, 5]
 * </pre>
 *
 * {@code forward} records the graph (the inputs and the parameters require gradients, as in
 * training); {@code forwardBackward} adds the backward of a fixed upstream gradient of the
 * output's shape; {@code forwardNoGrad} is inference. Every call runs inside a
 * {@link TensorScope}, so buffers are recycled through the pool as in a training loop.
 *
 * <p>{@code backend}: {@code openblas} (the default backend on a CPU) or {@code java} (the
 * pure-Java reference). On openblas the setup first checks the output and the gradient of every
 * input and parameter against the pure-Java backend, and fails the trial on a mismatch.
 *
 * <p>Sample mode: the median per call is the 0.50 percentile.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-Xss4m"})
@Threads(1)
public class KernelBenchmark {

    @Param({"softmax", "layer_norm", "gelu", "attention", "lstm_step", "lstm", "gru_step", "gru",
            "span_pool", "sea", "relation_head"})
    public String kernel;

    @Param({"openblas", "java"})
    public String backend;

    static final int B = 2, T = 40, D = 384, HEADS = 12, FFN = 1536;
    static final int[] LENGTHS = {40, 33};
    /** The fusion BiLSTM and SEA's BiGRU have d/2 hidden units per direction. */
    static final int RNN_HIDDEN = D / 2;
    /** SEA and the cross attention use d / 64 heads (Trainer's default fusionHeads). */
    static final int SEA_HEADS = D / 64;
    /** Spans whose SEA contexts go through the BiGRU together: 0 = sized automatically (the CLI's --sea-chunk default). */
    static final int SEA_CHUNK = 0;
    static final int SPANS_PER_SENTENCE = 100, PAIRS_PER_SENTENCE = 50, MAX_SPAN_TOKENS = 10;
    static final int SIZE_EMBEDDING = 25, ENTITY_TYPES = 5, RELATION_TYPES = 5;

    private Case timed;
    private Tensor upstream;

    /**
     * A computation to time, built on one backend: {@code leaves} are the tensors that get a
     * gradient (inputs and parameters), {@code forward} computes the output from them.
     */
    record Case(List<Tensor> leaves, Supplier<Tensor> forward) {}

    /** Whether {@code name} is one of the kernels above (the {@code kernel} parameter's values). */
    static boolean hasCase(String name) {
        try {
            return java.util.Arrays.asList(KernelBenchmark.class.getField("kernel").getAnnotation(Param.class).value()).contains(name);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds the kernel's inputs and parameters on a backend, from fixed seeds (same values on every backend). */
    static Case build(String kernel, Backend backend) {
        Rng rng = new Rng(42);
        switch (kernel) {
            case "softmax": {
                Tensor scores = input(backend, 1, B, HEADS, T, T);
                return new Case(List.of(scores), () -> scores.softmax(-1));
            }
            case "layer_norm": {
                LayerNorm norm = new LayerNorm(backend, D, 1e-12f);
                norm.weight.assign(rng.normal(D, 1f, 0.1f));
                norm.bias.assign(rng.normal(D, 0f, 0.1f));
                Tensor x = input(backend, 1, B, T, D);
                return new Case(leaves(norm, x), () -> norm.forward(x));
            }
            case "gelu": {
                Tensor x = input(backend, 1, B, T, FFN);
                return new Case(List.of(x), x::gelu);
            }
            case "attention": {
                MultiHeadAttention attention = init(new MultiHeadAttention(backend, D, HEADS), rng);
                Tensor paddingHidden = Attention.keyPaddingMask(backend, LENGTHS, T);
                Tensor x = input(backend, 1, B, T, D);
                return new Case(leaves(attention, x), () -> attention.forward(x, x, paddingHidden, null));
            }
            case "lstm_step": {
                LSTM lstm = init(new LSTM(backend, 2 * D, RNN_HIDDEN, 1, true), rng);
                return step(lstm, backend, B, 4);
            }
            case "gru_step": {
                GRU gru = init(new GRU(backend, D, RNN_HIDDEN, 1, true), rng);
                return step(gru, backend, SPANS_PER_SENTENCE, 3);
            }
            case "lstm": {
                LSTM lstm = init(new LSTM(backend, 2 * D, RNN_HIDDEN, 1, true), rng);
                Tensor x = input(backend, 1, B, T, 2 * D);
                return new Case(leaves(lstm, x), () -> lstm.forward(x, LENGTHS).output());
            }
            case "gru": {
                GRU gru = init(new GRU(backend, D, RNN_HIDDEN, 1, true), rng);
                Tensor x = input(backend, 1, SPANS_PER_SENTENCE, T, D);
                return new Case(leaves(gru, x), () -> gru.forward(x, null).output());
            }
            case "span_pool": {
                Spans s = Spans.random(SPANS_PER_SENTENCE, 3);
                Tensor f = input(backend, 1, B, T, D);
                return new Case(List.of(f), () -> SpanPooling.maxPool(f, s.doc, s.start, s.end));
            }
            case "sea": {
                SemanticEnhancementAttention sea = init(new SemanticEnhancementAttention(backend, D, SEA_HEADS, SEA_CHUNK), rng);
                Spans s = Spans.random(SPANS_PER_SENTENCE, 3);
                Tensor f = input(backend, 1, B, T, D);
                return new Case(leaves(sea, f), () -> sea.contexts(f, LENGTHS, s.doc, s.start, s.end));
            }
            case "relation_head":
                return relationHead(backend, rng);
            default:
                throw new IllegalArgumentException("unknown kernel " + kernel);
        }
    }

    /** One step of layer 0's forward direction from random x_t W_ih^T [b, gates*H] and states [b, H]. */
    private static Case step(Recurrent layer, Backend backend, int batch, int gates) {
        Tensor xt = input(backend, 11, batch, gates * RNN_HIDDEN);
        Tensor h = input(backend, 12, batch, RNN_HIDDEN);
        Tensor c = input(backend, 13, batch, RNN_HIDDEN);
        List<Tensor> leaves = new ArrayList<>(List.of(xt, h, layer.hiddenWeight(0, 0)));
        if (gates == 4) leaves.add(c);                        // LSTM: the cell state
        else leaves.add(layer.hiddenBias(0, 0));              // GRU: b_hh stays in the step
        return new Case(leaves, () -> layer.singleStep(0, 0, xt, h, c)[0]);
    }

    /**
     * The relation classifier of the model (variant spert: same relation head as full) on leaf
     * inputs: H = F [B, T, d], the pooled spans [S, d] and their width embeddings [S, 25]. The
     * encoder is a one-layer stand-in of minilm's width: relationLogits only reads its hidden size.
     */
    private static Case relationHead(Backend backend, Rng rng) {
        BertModel encoder = new BertModel(backend, new BertConfig(1, D, HEADS, FFN, 8, 64, 2, 1e-12, "gelu"), false, false, 0f);
        ModelConfig config = new ModelConfig("spert", "minilm-l6", ENTITY_TYPES, RELATION_TYPES, 10, SIZE_EMBEDDING, 100, 0.1f,
                SEA_HEADS, 0.4f, 1000, SEA_CHUNK, true);
        JointExtractor net = new JointExtractor(backend, config, encoder);
        net.initHeads(rng);
        Spans s = Spans.random(SPANS_PER_SENTENCE, 3);
        Pairs p = Pairs.random(s, PAIRS_PER_SENTENCE, 5);
        Tensor f = input(backend, 1, B, T, D);
        Tensor pooled = input(backend, 2, s.doc.length, D);
        Tensor widths = input(backend, 4, s.doc.length, SIZE_EMBEDDING);
        JointExtractor.Encoded enc = new JointExtractor.Encoded(f, f, LENGTHS);
        JointExtractor.SpanFeatures spans = new JointExtractor.SpanFeatures(pooled, widths);
        List<Tensor> leaves = new ArrayList<>(List.of(f, pooled, widths));
        leaves.addAll(net.relationClassifier.parameters());
        return new Case(leaves, () -> net.relationLogits(enc, spans, p.doc, p.head, p.tail, p.contextStart, p.contextEnd, Mode.eval()));
    }

    /** N(0, 1) values from a fixed seed, requiring a gradient. */
    static Tensor input(Backend backend, long seed, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return Tensor.of(backend, new Rng(seed).normal(n, 0f, 1f), shape).requiresGrad(true);
    }

    private static <M extends Module> M init(M m, Rng rng) {
        m.resetParameters(rng);
        return m;
    }

    private static List<Tensor> leaves(Module m, Tensor input) {
        List<Tensor> all = new ArrayList<>();
        all.add(input);
        all.addAll(m.parameters());
        return all;
    }

    /**
     * Candidate spans as the model enumerates them: per sentence, {@code perSentence} spans of 1
     * to 10 sub-words between [CLS] and [SEP] (inside [1, length - 1)), from a fixed seed.
     */
    record Spans(int[] doc, int[] start, int[] end) {
        static Spans random(int perSentence, long seed) {
            Rng rng = new Rng(seed);
            int n = LENGTHS.length * perSentence;
            int[] doc = new int[n], start = new int[n], end = new int[n];
            for (int i = 0; i < n; i++) {
                int b = i / perSentence, inner = LENGTHS[b] - 2;
                int width = 1 + rng.nextInt(Math.min(MAX_SPAN_TOKENS, inner));
                doc[i] = b;
                start[i] = 1 + rng.nextInt(inner - width + 1);
                end[i] = start[i] + width;
            }
            return new Spans(doc, start, end);
        }
    }

    /**
     * Relation candidates: {@code perSentence} ordered pairs of distinct spans of one sentence,
     * each with its local context, the tokens strictly between the two spans (empty when they
     * touch or overlap).
     */
    record Pairs(int[] doc, int[] head, int[] tail, int[] contextStart, int[] contextEnd) {
        static Pairs random(Spans s, int perSentence, long seed) {
            Rng rng = new Rng(seed);
            int sentences = LENGTHS.length, spansPer = s.doc.length / sentences, n = sentences * perSentence;
            int[] doc = new int[n], head = new int[n], tail = new int[n], cs = new int[n], ce = new int[n];
            for (int i = 0; i < n; i++) {
                int b = i / perSentence;
                head[i] = b * spansPer + rng.nextInt(spansPer);
                do tail[i] = b * spansPer + rng.nextInt(spansPer); while (tail[i] == head[i]);
                doc[i] = b;
                int first = s.start[head[i]] <= s.start[tail[i]] ? head[i] : tail[i];
                int second = first == head[i] ? tail[i] : head[i];
                cs[i] = s.end[first];
                ce[i] = Math.max(s.end[first], s.start[second]);
            }
            return new Pairs(doc, head, tail, cs, ce);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        Backend target = Backends.create(backend, 1);
        timed = build(kernel, target);
        Tensor probe;
        try (GradMode off = GradMode.noGrad()) {
            probe = timed.forward().get();
        }
        float[] up = new Rng(9).normal(probe.numel(), 0f, 1f);
        upstream = Tensor.of(target, up, probe.shape());
        if (backend.equals("java")) {   // (OpenBlasBackend is a JavaBackend with BLAS calls: test the name)
            System.out.println("# check skipped: " + kernel + " runs on the pure-Java reference backend itself");
            return;
        }
        Result expected = run(build(kernel, new JavaBackend(1)), up);
        Result got = run(timed, up);
        Check.close(kernel + " forward (" + backend + ")", expected.output, got.output, 2e-4f);
        for (int i = 0; i < expected.gradients.length; i++) {
            String what = kernel + " gradient of leaf " + i + " " + Arrays.toString(timed.leaves().get(i).shape()) + " (" + backend + ")";
            if ((expected.gradients[i] == null) != (got.gradients[i] == null)) {
                throw new IllegalStateException(what + ": " + (got.gradients[i] == null ? "missing" : "present") + ", reference "
                        + (expected.gradients[i] == null ? "none" : "present"));
            }
            if (expected.gradients[i] != null) Check.close(what, expected.gradients[i], got.gradients[i], 1e-3f);
        }
    }

    /** Output and the gradient of every leaf (null where it gets none) for a given upstream gradient. */
    private record Result(float[] output, float[][] gradients) {}

    private static Result run(Case c, float[] upstream) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor out = c.forward().get();
            Gradients g = out.backward(Tensor.of(out.backend(), upstream, out.shape()), false);
            float[][] grads = new float[c.leaves().size()][];
            for (int i = 0; i < grads.length; i++) {
                Tensor gi = g.get(c.leaves().get(i));
                grads[i] = gi == null ? null : gi.toArray();
            }
            return new Result(out.toArray(), grads);
        }
    }

    @Benchmark
    public int forward() {
        try (TensorScope scope = TensorScope.open()) {
            return timed.forward().get().numel();
        }
    }

    @Benchmark
    public int forwardBackward() {
        try (TensorScope scope = TensorScope.open()) {
            return timed.forward().get().backward(upstream, false).size();
        }
    }

    @Benchmark
    public int forwardNoGrad() {
        try (TensorScope scope = TensorScope.open(); GradMode off = GradMode.noGrad()) {
            return timed.forward().get().numel();
        }
    }
}
