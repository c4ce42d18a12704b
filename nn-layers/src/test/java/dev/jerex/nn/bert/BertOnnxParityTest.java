package dev.jerex.nn.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.jerex.nn.Mode;
import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our BERT on the pretrained weights of the langchain4j jars against ONNX Runtime running the
 * very same .onnx file: last_hidden_state within 1e-4, several sentences batched with padding.
 * Skipped when the encoder jar is not in the local Maven repository.
 */
class BertOnnxParityTest {
    static final List<String> ENGLISH = List.of(
            "John Wilkes Booth, who assassinated President Lincoln, was an actor.",
            "Hello world!",
            "The capital of France is Paris, and Berlin is the capital of Germany; both are large cities.");
    static final List<String> CHINESE = List.of(
            "患者2型糖尿病，HbA1c升高。", "北京是中国的首都。", "阿司匹林可以预防心肌梗死和脑卒中的复发");

    static List<Arguments> cases() {
        List<Arguments> out = new java.util.ArrayList<>();
        for (Backend b : dev.jerex.tensor.TestBackends.available()) {
            out.add(Arguments.of("minilm-l6", ENGLISH, b));
            out.add(Arguments.of("bge-small-zh", CHINESE, b));
        }
        return out;
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("cases")
    void lastHiddenStateMatchesOnnxRuntime(String encoder, List<String> sentences, Backend backend) throws Exception {
        EncoderCatalog catalog = new EncoderCatalog();
        EncoderCatalog.Entry entry = EncoderCatalog.find(encoder).orElseThrow();
        assumeTrue(Files.exists(catalog.localJar(entry)), encoder + " jar not in the local Maven repository");
        EncoderArtifacts artifacts = catalog.load(encoder);
        BertModel model = BertModel.fromPretrained(backend, artifacts.config(), artifacts.weights(), 0f);

        // Tokenise and pad.
        int b = sentences.size();
        int[][] pieces = new int[b][];
        int t = 0;
        for (int i = 0; i < b; i++) {
            pieces[i] = artifacts.tokenizer().encode(sentences.get(i)).ids();
            t = Math.max(t, pieces[i].length);
        }
        int[][] ids = new int[b][t];
        int[] lengths = new int[b];
        long[][] ortIds = new long[b][t], ortMask = new long[b][t], ortTypes = new long[b][t];
        for (int i = 0; i < b; i++) {
            lengths[i] = pieces[i].length;
            for (int j = 0; j < t; j++) {
                int id = j < pieces[i].length ? pieces[i][j] : artifacts.tokenizer().padId();
                ids[i][j] = id;
                ortIds[i][j] = id;
                ortMask[i][j] = j < pieces[i].length ? 1 : 0;
            }
        }

        float[][][] expected;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(EncoderJarReader.onnxBytes(catalog.localJar(entry)), options);
                 OnnxTensor a = OnnxTensor.createTensor(env, ortIds);
                 OnnxTensor m = OnnxTensor.createTensor(env, ortMask);
                 OnnxTensor ty = OnnxTensor.createTensor(env, ortTypes);
                 OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", m, "token_type_ids", ty))) {
                expected = (float[][][]) r.get(0).getValue();
            }
        }
        Tensor actual;
        try (GradMode off = GradMode.noGrad()) {
            actual = model.forward(ids, lengths, Mode.eval());
        }
        double maxDiff = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < lengths[i]; j++) {   // padded positions are not compared
                for (int k = 0; k < expected[i][j].length; k++) {
                    maxDiff = Math.max(maxDiff, Math.abs(expected[i][j][k] - actual.get(i, j, k)));
                }
            }
        }
        System.out.printf("[onnx parity] %s on %s: batch %d x %d tokens, max |diff| %.2e%n", encoder, backend.name(), b, t, maxDiff);
        assertThat(maxDiff).isLessThanOrEqualTo(1e-4);
    }
}
