package dev.jerex.bench;

import dev.jerex.nn.Module;
import dev.jerex.nn.attention.MultiHeadAttention;
import dev.jerex.nn.bert.BertLayer;
import dev.jerex.nn.rnn.GRU;
import dev.jerex.nn.rnn.LSTM;
import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.TensorScope;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import dev.jerex.tensor.backend.JavaBackend;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The layers of the model at the shapes of {@code benchmarks/python/bench_layers.py} (PyTorch's
 * timings of the same shapes), on the OpenBLAS backend, one thread:
 * <ul>
 *   <li>{@code bilstm}, {@code bigru}: batch 8, 64 steps, input 768, hidden 384, bidirectional;</li>
 *   <li>{@code mha}: self-attention, batch 8, seq 64, d 768, 12 heads;</li>
 *   <li>{@code bert_layer}: one post-LN BERT layer, d 384, 12 heads, FFN 1536, batch 8 x 64,
 *       with an all-zero additive score bias (as PyTorch's all-ones attention mask).</li>
 * </ul>
 * {@code forward} records the graph (the input and the parameters require gradients, as in
 * training); {@code forwardBackward} adds the backward of (out * up).sum() to the parameters and
 * the input; {@code forwardNoGrad} is inference. Every call runs inside a {@link TensorScope}, so
 * buffers are recycled through the pool as in a training loop. The setup first checks the
 * OpenBLAS forward output against the pure-Java backend's.
 *
 * <p>Sample mode: the score to compare with PyTorch's median is the 0.50 percentile.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-Xss4m"})
@Threads(1)
public class LayerBenchmark {

    @Param({"bilstm", "bigru", "mha", "bert_layer"})
    public String layer;

    static final int B = 8, T = 64;

    private Function<Tensor, Tensor> forward;
    private Tensor x, up;

    /** The layer on a backend, parameters from a fixed seed; returns out = f(x). */
    static Function<Tensor, Tensor> build(String layer, Backend backend) {
        Rng rng = new Rng(42);
        switch (layer) {
            case "bilstm": {
                LSTM m = init(new LSTM(backend, 768, 384, 1, true), rng);
                return in -> m.forward(in, null).output();
            }
            case "bigru": {
                GRU m = init(new GRU(backend, 768, 384, 1, true), rng);
                return in -> m.forward(in, null).output();
            }
            case "mha": {
                MultiHeadAttention m = init(new MultiHeadAttention(backend, 768, 12), rng);
                return in -> m.forward(in, in, null, null);
            }
            case "bert_layer": {
                BertLayer m = init(new BertLayer(backend, 384, 12, 1536, 1e-12f, 0.1f), rng);
                Tensor bias = Tensor.zeros(backend, B, 1, 1, T);
                return in -> m.forward(in, bias, null, dev.jerex.nn.Mode.eval());
            }
            default:
                throw new IllegalArgumentException("unknown layer " + layer);
        }
    }

    static int inputDim(String layer) {
        return layer.equals("bert_layer") ? 384 : 768;
    }

    private static <M extends Module> M init(M m, Rng rng) {
        m.resetParameters(rng);
        return m;
    }

    @Setup(Level.Trial)
    public void setUp() {
        Backend blas = Backends.create("openblas", 1);
        JavaBackend java = new JavaBackend(1);
        int d = inputDim(layer);
        float[] input = new Rng(7).normal(B * T * d, 0f, 1f);
        forward = build(layer, blas);
        x = Tensor.of(blas, input, B, T, d).requiresGrad(true);
        float[] reference;
        try (GradMode off = GradMode.noGrad()) {
            reference = build(layer, java).apply(Tensor.of(java, input, B, T, d)).toArray();
        }
        float[] got;
        try (TensorScope scope = TensorScope.open()) {
            got = forward.apply(x).toArray();
        }
        Check.close(layer + " forward (openblas)", reference, got, 2e-4f);
        up = Tensor.of(blas, new Rng(9).normal(got.length, 0f, 1f), outShape(layer));
    }

    static int[] outShape(String layer) {
        return new int[] {B, T, inputDim(layer)};
    }

    @Benchmark
    public float forward() {
        try (TensorScope scope = TensorScope.open()) {
            return forward.apply(x).numel();
        }
    }

    @Benchmark
    public int forwardBackward() {
        try (TensorScope scope = TensorScope.open()) {
            return forward.apply(x).mul(up).sum().backward().hashCode();
        }
    }

    @Benchmark
    public float forwardNoGrad() {
        try (TensorScope scope = TensorScope.open(); GradMode off = GradMode.noGrad()) {
            return forward.apply(x).numel();
        }
    }
}
