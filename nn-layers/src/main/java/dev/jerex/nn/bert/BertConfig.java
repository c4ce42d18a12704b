package dev.jerex.nn.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The architecture of a BERT encoder, with the Hugging Face {@code config.json} key of each field:
 *
 * @param layers        num_hidden_layers         (6 for MiniLM-L6, 12 for bert-base)
 * @param hidden        hidden_size               (384, 512, 768)
 * @param heads         num_attention_heads       (hidden must be a multiple; head_dim = hidden / heads)
 * @param intermediate  intermediate_size         (feed-forward width, usually 4 * hidden)
 * @param vocabSize     vocab_size
 * @param maxPositions  max_position_embeddings   (512)
 * @param typeVocabSize type_vocab_size           (2: sentence A / B)
 * @param layerNormEps  layer_norm_eps            (1e-12)
 * @param hiddenAct     hidden_act                ("gelu" = exact erf GELU)
 */
public record BertConfig(int layers, int hidden, int heads, int intermediate, int vocabSize, int maxPositions,
                         int typeVocabSize, double layerNormEps, String hiddenAct) {

    public static final double DEFAULT_LAYER_NORM_EPS = 1e-12;
    public static final String DEFAULT_HIDDEN_ACT = "gelu";

    public BertConfig {
        requirePositive("num_hidden_layers", layers);
        requirePositive("hidden_size", hidden);
        requirePositive("num_attention_heads", heads);
        requirePositive("intermediate_size", intermediate);
        requirePositive("vocab_size", vocabSize);
        requirePositive("max_position_embeddings", maxPositions);
        requirePositive("type_vocab_size", typeVocabSize);
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        }
        if (!(layerNormEps > 0) || layerNormEps > 1e-2) {
            throw new IllegalArgumentException("layer_norm_eps must be a small positive number, got " + layerNormEps);
        }
        if (hiddenAct == null || hiddenAct.isBlank()) {
            throw new IllegalArgumentException("hidden_act is missing");
        }
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }

    public int headDim() {
        return hidden / heads;
    }

    // ---- config.json -----------------------------------------------------------------------

    public static BertConfig read(Path configJson) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(configJson));
        } catch (IOException e) {
            throw new IOException(configJson + ": not valid JSON: " + e.getMessage(), e);
        }
        return fromJson(root, configJson.toString());
    }

    /** Parses a Hugging Face BERT config.json; the first five keys are required. */
    public static BertConfig fromJson(JsonNode root, String sourceName) throws IOException {
        try {
            return new BertConfig(
                    requiredInt(root, "num_hidden_layers", sourceName),
                    requiredInt(root, "hidden_size", sourceName),
                    requiredInt(root, "num_attention_heads", sourceName),
                    requiredInt(root, "intermediate_size", sourceName),
                    requiredInt(root, "vocab_size", sourceName),
                    root.path("max_position_embeddings").asInt(512),
                    root.path("type_vocab_size").asInt(2),
                    root.path("layer_norm_eps").asDouble(DEFAULT_LAYER_NORM_EPS),
                    root.path("hidden_act").asText(DEFAULT_HIDDEN_ACT));
        } catch (IllegalArgumentException e) {
            throw new IOException(sourceName + ": " + e.getMessage(), e);
        }
    }

    private static int requiredInt(JsonNode root, String key, String sourceName) throws IOException {
        JsonNode v = root.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new IOException(sourceName + ": '" + key + "' is missing or not an integer");
        }
        return v.asInt();
    }

    /** The Hugging Face config.json form, readable by transformers' BertConfig. */
    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("model_type", "bert");
        o.putArray("architectures").add("BertModel");
        o.put("num_hidden_layers", layers);
        o.put("hidden_size", hidden);
        o.put("num_attention_heads", heads);
        o.put("intermediate_size", intermediate);
        o.put("vocab_size", vocabSize);
        o.put("max_position_embeddings", maxPositions);
        o.put("type_vocab_size", typeVocabSize);
        o.put("layer_norm_eps", layerNormEps);
        o.put("hidden_act", hiddenAct);
        return o;
    }

    public byte[] toJsonBytes() throws IOException {
        return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson());
    }

    // ---- inference from weights ------------------------------------------------------------

    private static final Pattern LAYER_INDEX = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");

    /**
     * Reads the architecture off the weight shapes (ONNX and TensorFlow sources carry no config).
     * The number of heads is not visible in the shapes: pass it when known (ENCODERS.md), or 0 to
     * assume head_dim 64, true of bert-base and most BERTs (but not MiniLM: 12 heads of 32).
     */
    public static BertConfig inferFromWeights(Map<String, NamedArray> weights, int heads, String sourceName) throws IOException {
        int[] words = shapeOf(weights, "embeddings.word_embeddings.weight", sourceName);      // [V, H]
        int[] positions = shapeOf(weights, "embeddings.position_embeddings.weight", sourceName); // [P, H]
        int[] types = shapeOf(weights, "embeddings.token_type_embeddings.weight", sourceName);   // [T, H]
        int[] ffn = shapeOf(weights, "encoder.layer.0.intermediate.dense.weight", sourceName);   // [I, H]
        TreeSet<Integer> layerIndices = new TreeSet<>();
        for (String name : weights.keySet()) {
            Matcher m = LAYER_INDEX.matcher(name);
            if (m.find()) {
                layerIndices.add(Integer.parseInt(m.group(1)));
            }
        }
        if (layerIndices.isEmpty()) {
            throw new IOException(sourceName + ": no 'encoder.layer.N.*' tensors; cannot infer the BERT configuration");
        }
        int layers = layerIndices.last() + 1;
        if (layerIndices.size() != layers) {
            throw new IOException(sourceName + ": encoder layers are not numbered 0.." + (layers - 1) + ": " + layerIndices);
        }
        int hidden = words[1];
        int headCount = heads > 0 ? heads : Math.max(1, hidden / 64);
        try {
            BertConfig config = new BertConfig(layers, hidden, headCount, ffn[0], words[0], positions[0], types[0],
                    DEFAULT_LAYER_NORM_EPS, DEFAULT_HIDDEN_ACT);
            config.checkWeights(weights, sourceName);
            return config;
        } catch (IllegalArgumentException e) {
            throw new IOException(sourceName + ": " + e.getMessage(), e);
        }
    }

    private static int[] shapeOf(Map<String, NamedArray> weights, String name, String sourceName) throws IOException {
        NamedArray a = weights.get(name);
        if (a == null) {
            throw new IOException(sourceName + ": no tensor '" + name + "'; cannot infer the BERT configuration");
        }
        if (a.rank() != 2) {
            throw new IOException(sourceName + ": tensor '" + name + "' has shape " + Arrays.toString(a.shape()) + ", expected rank 2");
        }
        return a.shape();
    }

    /**
     * Every parameter a BertModel encoder (no pooler, no heads) has, with its Hugging Face name
     * and shape, in state_dict order. Linear weights are {@code [out, in]}.
     */
    public Map<String, int[]> expectedShapes() {
        Map<String, int[]> s = new LinkedHashMap<>();
        s.put("embeddings.word_embeddings.weight", new int[] {vocabSize, hidden});
        s.put("embeddings.position_embeddings.weight", new int[] {maxPositions, hidden});
        s.put("embeddings.token_type_embeddings.weight", new int[] {typeVocabSize, hidden});
        s.put("embeddings.LayerNorm.weight", new int[] {hidden});
        s.put("embeddings.LayerNorm.bias", new int[] {hidden});
        for (int l = 0; l < layers; l++) {
            String p = "encoder.layer." + l + ".";
            for (String qkv : new String[] {"query", "key", "value"}) {
                s.put(p + "attention.self." + qkv + ".weight", new int[] {hidden, hidden});
                s.put(p + "attention.self." + qkv + ".bias", new int[] {hidden});
            }
            s.put(p + "attention.output.dense.weight", new int[] {hidden, hidden});
            s.put(p + "attention.output.dense.bias", new int[] {hidden});
            s.put(p + "attention.output.LayerNorm.weight", new int[] {hidden});
            s.put(p + "attention.output.LayerNorm.bias", new int[] {hidden});
            s.put(p + "intermediate.dense.weight", new int[] {intermediate, hidden});
            s.put(p + "intermediate.dense.bias", new int[] {intermediate});
            s.put(p + "output.dense.weight", new int[] {hidden, intermediate});
            s.put(p + "output.dense.bias", new int[] {hidden});
            s.put(p + "output.LayerNorm.weight", new int[] {hidden});
            s.put(p + "output.LayerNorm.bias", new int[] {hidden});
        }
        return s;
    }

    /**
     * Checks that every encoder parameter is present with its expected shape; extra tensors
     * (pooler, MLM head) are allowed. Lists every problem by name.
     *
     * @throws IllegalArgumentException naming the missing and mis-shaped tensors
     */
    public void checkWeights(Map<String, NamedArray> weights, String sourceName) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, int[]> e : expectedShapes().entrySet()) {
            NamedArray a = weights.get(e.getKey());
            if (a == null) {
                problems.add("missing " + e.getKey() + " " + Arrays.toString(e.getValue()));
            } else if (!Arrays.equals(a.shape(), e.getValue())) {
                problems.add(e.getKey() + " has shape " + Arrays.toString(a.shape()) + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(sourceName + ": weights do not match " + this + ": "
                    + String.join("; ", problems.subList(0, Math.min(10, problems.size())))
                    + (problems.size() > 10 ? "; and " + (problems.size() - 10) + " more" : ""));
        }
    }
}
