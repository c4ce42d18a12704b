package dev.jerex.nn.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Hugging Face BERT saved with {@code save_pretrained}: a directory holding
 * <ul>
 *   <li>{@code config.json} ({@link BertConfig#fromJson}),</li>
 *   <li>{@code model.safetensors} (names with or without the {@code bert.} prefix of BertForXxx),</li>
 *   <li>{@code tokenizer.json}, or {@code vocab.txt} with optional {@code tokenizer_config.json}
 *       ({@code do_lower_case} (default true), {@code strip_accents}, {@code tokenize_chinese_chars}).</li>
 * </ul>
 */
public final class HfDirectoryReader {
    private HfDirectoryReader() {
    }

    public static EncoderArtifacts read(Path dir) throws IOException {
        Path model = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(model)) {
            throw new IOException(dir + ": no model.safetensors (expected a Hugging Face model directory with config.json, "
                    + "model.safetensors and vocab.txt or tokenizer.json; pytorch_model.bin is not supported)");
        }
        BertConfig config = BertConfig.read(requireFile(dir, "config.json"));
        Map<String, NamedArray> weights = readWeights(model);
        try {
            config.checkWeights(weights, model.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        return new EncoderArtifacts(dir.toString(), config, readTokenizer(dir), weights, dir.toString(), false);
    }

    /** The float tensors of a HF BERT safetensors file under encoder names; integer buffers are skipped. */
    public static Map<String, NamedArray> readWeights(Path safetensors) throws IOException {
        SafetensorsFile file = SafetensorsFormat.read(safetensors);
        Map<String, NamedArray> out = new LinkedHashMap<>();
        for (SafetensorsFormat.TensorInfo info : file.tensors().values()) {
            if (info.dtype().isInteger()) {
                continue; // embeddings.position_ids and similar buffers
            }
            String name = hfName(info.name());
            if (out.put(name, file.floatArray(info.name()).withName(name)) != null) {
                throw new IOException(safetensors + ": tensors '" + info.name() + "' and another both map to '" + name + "'");
            }
        }
        return out;
    }

    /** Drops the {@code bert.} prefix and renames old-style {@code LayerNorm.gamma/beta}. */
    static String hfName(String name) {
        String n = OnnxWeightReader.stripBertPrefix(name);
        if (n.endsWith("LayerNorm.gamma")) {
            return n.substring(0, n.length() - "gamma".length()) + "weight";
        }
        if (n.endsWith("LayerNorm.beta")) {
            return n.substring(0, n.length() - "beta".length()) + "bias";
        }
        return n;
    }

    static BertTokenizer readTokenizer(Path dir) throws IOException {
        Path tokenizerJson = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(tokenizerJson)) {
            return BertTokenizer.fromTokenizerJson(tokenizerJson);
        }
        Path vocab = requireFile(dir, "vocab.txt");
        return BertTokenizer.fromVocabTxt(vocab, optionsFromTokenizerConfig(dir.resolve("tokenizer_config.json")));
    }

    /**
     * HF BertTokenizer defaults: do_lower_case true, strip_accents = do_lower_case, Chinese split.
     * The extra key {@code lowercase_ascii_only} (not a Hugging Face key) is honoured too.
     */
    static BasicTokenizer.Options optionsFromTokenizerConfig(Path tokenizerConfig) throws IOException {
        if (!Files.isRegularFile(tokenizerConfig)) {
            return BasicTokenizer.Options.UNCASED;
        }
        JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(tokenizerConfig));
        boolean lowercase = root.path("do_lower_case").asBoolean(true);
        JsonNode strip = root.get("strip_accents");
        boolean stripAccents = strip == null || strip.isNull() ? lowercase : strip.asBoolean();
        boolean chinese = root.path("tokenize_chinese_chars").asBoolean(true);
        boolean asciiOnly = root.path("lowercase_ascii_only").asBoolean(false); // written by EncoderCatalog's cache
        return new BasicTokenizer.Options(lowercase, stripAccents, asciiOnly, chinese);
    }

    private static Path requireFile(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IOException(dir + ": missing " + name);
        }
        return p;
    }
}
