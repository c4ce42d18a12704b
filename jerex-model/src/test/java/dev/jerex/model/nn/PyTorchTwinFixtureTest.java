package dev.jerex.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jerex.model.ModelConfig;
import dev.jerex.model.data.TrainingSample;
import dev.jerex.model.data.TrainingSamples;
import dev.jerex.nn.Mode;
import dev.jerex.nn.bert.BertConfig;
import dev.jerex.nn.bert.BertModel;
import dev.jerex.nn.bert.NamedArray;
import dev.jerex.nn.bert.SafetensorsFile;
import dev.jerex.nn.bert.SafetensorsFormat;
import dev.jerex.tensor.Gradients;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole model against its PyTorch twin (benchmarks/python/twin), on the tiny random model and
 * batch of src/test/resources/twin (written by benchmarks/python/twin/make_fixture.py, in float64):
 * entity and relation logits, both loss terms and the gradient of every parameter, for spert and
 * full, on every available backend.
 *
 * <p>Tolerance, per tensor: max |jerex - twin| <= 1e-4 * max |twin| + 1e-6 * (the largest
 * |gradient| of the model). jerex computes in float32 (u = 6e-8) through two BERT layers, a BiLSTM,
 * attention and a BiGRU; its differences from the float64 reference are ~1e-6 of a tensor's scale.
 * The floor covers gradients that are zero in exact arithmetic (attention key biases: the softmax
 * ignores a shift shared by all keys). A wrong mask, position or term moves values by 1e-2..1 of
 * their scale (leaving the last token of each span visible to SEA fails it, for instance).
 */
class PyTorchTwinFixtureTest {
    private static final double RTOL = 1e-4, FLOOR = 1e-6;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path resource(String name) throws Exception {
        return Path.of(PyTorchTwinFixtureTest.class.getResource("/twin/" + name).toURI());
    }

    /** The fixture's model with its weights, for a variant. */
    private static JointExtractor model(Backend backend, String variant) throws Exception {
        JsonNode root = JSON.readTree(resource("config.json").toFile());
        ModelConfig c = JSON.treeToValue(root.get("model"), ModelConfig.class);
        ModelConfig config = new ModelConfig(variant, c.encoder(), c.entityTypes(), c.relationTypes(), c.maxSpanSize(), c.sizeEmbedding(),
                c.maxSpanWidthIndex(), c.dropout(), c.fusionHeads(), c.relationThreshold(), c.maxPairs(), c.seaSpanChunk(), c.lowercase());
        BertConfig bertConfig = JSON.treeToValue(root.get("encoder_config"), BertConfig.class);
        JointExtractor net = new JointExtractor(backend, config, new BertModel(backend, bertConfig, false, false, config.dropout()));
        SafetensorsFile weights = SafetensorsFormat.read(resource("weights.safetensors"));
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String name : net.namedParameters().keySet()) {
            NamedArray a = weights.floatArray(name);
            state.put(name, Tensor.of(backend, a.data(), a.shape()));
        }
        net.loadState(state, true);
        return net;
    }

    /** The fixture's documents, collated by jerex's Batch. */
    private static Batch batch() throws Exception {
        JsonNode root = JSON.readTree(resource("batch.json").toFile());
        List<TrainingSample> samples = new ArrayList<>();
        for (JsonNode d : root.get("documents")) {
            samples.add(TrainingSamples.of(ints(d, "inputIds"), ints(d, "entityStarts"), ints(d, "entityEnds"), ints(d, "entityWidths"),
                    ints(d, "entityLabels"), ints(d, "relationHeads"), ints(d, "relationTails"),
                    JSON.treeToValue(d.get("relationLabels"), float[][].class), ints(d, "relationContextStarts"), ints(d, "relationContextEnds")));
        }
        return new Batch(samples, root.get("relationTypes").asInt(), root.get("padId").asInt());
    }

    private static int[] ints(JsonNode node, String field) throws IOException {
        return JSON.treeToValue(node.get(field), int[].class);
    }

    @ParameterizedTest @MethodSource("dev.jerex.tensor.TestBackends#all")
    void spert(Backend backend) throws Exception {
        check(backend, "spert");
    }

    @ParameterizedTest @MethodSource("dev.jerex.tensor.TestBackends#all")
    void full(Backend backend) throws Exception {
        check(backend, "full");
    }

    private static void check(Backend backend, String variant) throws Exception {
        JointExtractor net = model(backend, variant);
        Batch batch = batch();
        SafetensorsFile expected = SafetensorsFormat.read(resource("expected_" + variant + ".safetensors"));
        Mode mode = Mode.train(new Rng(1));   // dropout 0 in the fixture's config

        JointExtractor.Logits logits = net.logits(batch, mode);
        JointExtractor.Loss loss = net.loss(logits, batch);
        Gradients grads = loss.total().backward();
        Tensor entityLogits = logits.entity(), relationLogits = logits.relation();

        List<String> failures = new ArrayList<>();
        compare(variant, backend, expected, "out.entity_logits", entityLogits.toArray(), 0, failures);
        compare(variant, backend, expected, "out.relation_logits", relationLogits.toArray(), 0, failures);
        compare(variant, backend, expected, "out.entity_loss", new float[] {loss.entity()}, 0, failures);
        compare(variant, backend, expected, "out.relation_loss", new float[] {loss.relation()}, 0, failures);
        compare(variant, backend, expected, "out.loss", new float[] {loss.total().item()}, 0, failures);
        double largest = 0;
        for (String name : net.namedParameters().keySet()) largest = Math.max(largest, maxAbs(expected.floatArray("grad." + name).data()));
        for (var e : net.namedParameters().entrySet()) {
            Tensor g = grads.get(e.getValue());
            assertThat(g).as("%s: gradient of %s", variant, e.getKey()).isNotNull();
            compare(variant, backend, expected, "grad." + e.getKey(), g.toArray(), FLOOR * largest, failures);
        }
        assertThat(failures).as("%s on %s: tensors outside max|diff| <= %.0e max|ref| + floor", variant, backend.name(), RTOL).isEmpty();
    }

    private static void compare(String variant, Backend backend, SafetensorsFile expected, String key, float[] got, double floor,
                                List<String> failures) throws IOException {
        float[] want = expected.floatArray(key).data();
        assertThat(got).as("%s %s size", variant, key).hasSameSizeAs(want);
        double max = 0;
        for (int i = 0; i < want.length; i++) max = Math.max(max, Math.abs((double) want[i] - got[i]));
        double scale = maxAbs(want), bound = RTOL * scale + floor;
        System.out.printf("[twin %s] %-58s max |diff| %.2e  scale %.2e  (%s)%n", variant, key, max, scale, backend.name());
        if (!(max <= bound)) failures.add(String.format("%s: max |diff| %.3e > %.3e (scale %.3e)", key, max, bound, scale));
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
