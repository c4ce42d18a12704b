package dev.jerex.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import dev.jerex.nn.bert.BertModel;
import dev.jerex.nn.bert.EncoderArtifacts;
import dev.jerex.nn.bert.EncoderCatalog;
import dev.jerex.nn.bert.EncoderJarReader;
import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.TensorScope;
import dev.jerex.tensor.backend.Backends;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoder inference, ours (BertModel on the OpenBLAS backend, no-grad) against ONNX Runtime on the
 * same .onnx file, one thread each, same token ids (batch x tokens, no padding). The setup checks
 * that both give the same last_hidden_state (max |diff| <= 1e-4) before anything is timed.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Threads(1)
public class EncoderBenchmark {
    @Param({"minilm-l6"})
    public String encoder;

    /** batch x tokens */
    @Param({"1x32", "32x32", "8x128"})
    public String shape;

    private BertModel ours;
    private int[][] ids;
    private int[] lengths;
    private OrtEnvironment env;
    private OrtSession session;
    private OnnxTensor ortIds, ortMask, ortTypes;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String[] p = shape.split("x");
        int b = Integer.parseInt(p[0]), t = Integer.parseInt(p[1]);
        EncoderCatalog catalog = new EncoderCatalog();
        EncoderArtifacts a = catalog.load(encoder);
        ours = BertModel.fromPretrained(Backends.create("openblas", 1), a.config(), a.weights(), 0f);
        Rng rng = new Rng(7);
        ids = new int[b][t];
        lengths = new int[b];
        long[][] lIds = new long[b][t], lMask = new long[b][t], lTypes = new long[b][t];
        for (int i = 0; i < b; i++) {
            lengths[i] = t;
            for (int j = 0; j < t; j++) {
                int id = j == 0 ? a.tokenizer().clsId() : j == t - 1 ? a.tokenizer().sepId() : 1000 + rng.nextInt(a.config().vocabSize() - 1000);
                ids[i][j] = id;
                lIds[i][j] = id;
                lMask[i][j] = 1;
            }
        }
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        session = env.createSession(EncoderJarReader.onnxBytes(catalog.localJar(EncoderCatalog.find(encoder).orElseThrow())), options);
        ortIds = OnnxTensor.createTensor(env, lIds);
        ortMask = OnnxTensor.createTensor(env, lMask);
        ortTypes = OnnxTensor.createTensor(env, lTypes);
        float[][][] expected;
        try (OrtSession.Result r = session.run(Map.of("input_ids", ortIds, "attention_mask", ortMask, "token_type_ids", ortTypes))) {
            expected = (float[][][]) r.get(0).getValue();
        }
        float[] flat = new float[b * t * expected[0][0].length];
        int k = 0;
        for (float[][] x : expected) for (float[] y : x) for (float z : y) flat[k++] = z;
        float[] got;
        try (GradMode off = GradMode.noGrad()) {
            got = ours.forward(ids, lengths, dev.jerex.nn.Mode.eval()).toArray();
        }
        double max = 0;
        for (int i = 0; i < flat.length; i++) max = Math.max(max, Math.abs(flat[i] - got[i]));
        if (max > 1e-4) throw new IllegalStateException(encoder + " " + shape + ": ours differs from ONNX Runtime by " + max);
        System.out.printf("# check %s %s: max |diff| vs ONNX Runtime %.2e%n", encoder, shape, max);
    }

    @Benchmark
    public float ours() {
        try (GradMode off = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
            Tensor h = ours.forward(ids, lengths, dev.jerex.nn.Mode.eval());
            return h.get(0, 0, 0);
        }
    }

    @Benchmark
    public float onnxRuntime() throws Exception {
        try (OrtSession.Result r = session.run(Map.of("input_ids", ortIds, "attention_mask", ortMask, "token_type_ids", ortTypes))) {
            return ((float[][][]) r.get(0).getValue())[0][0][0];
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        ortIds.close();
        ortMask.close();
        ortTypes.close();
        session.close();
    }
}
