package dev.jerex.model.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jerex.model.ModelConfig;
import dev.jerex.model.data.DatasetReader;
import dev.jerex.model.data.DatasetWriter;
import dev.jerex.model.data.Types;
import dev.jerex.model.nn.JointExtractor;
import dev.jerex.nn.Checkpoints;
import dev.jerex.nn.bert.BasicTokenizer;
import dev.jerex.nn.bert.BertConfig;
import dev.jerex.nn.bert.BertModel;
import dev.jerex.nn.bert.BertTokenizer;
import dev.jerex.nn.bert.WordPieceVocab;
import dev.jerex.tensor.backend.Backend;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A trained extractor with everything it needs to run: the network, its tokenizer and the types.
 * On disk, a model directory:
 * <pre>
 * model.json          format version, ModelConfig, the encoder's BertConfig, tokenizer options
 * types.json          the entity and relation types (SpERT's types format)
 * vocab.txt           the WordPiece vocabulary (its SHA-256 is in model.json, checked on load)
 * model.safetensors   all parameters by name, with a SHA-256 checked on load
 * </pre>
 * Every file is written to a temporary name and renamed into place, model.json last, so a crash
 * during a save never leaves a directory that loads wrong.
 */
public record TrainedModel(JointExtractor network, BertTokenizer tokenizer, Types types) {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final String CONFIG_FILE = "model.json", TYPES_FILE = "types.json", VOCAB_FILE = "vocab.txt", WEIGHTS_FILE = "model.safetensors";
    /** Key in model.json of vocab.txt's hex SHA-256; directories saved before it existed load unchecked. */
    static final String VOCAB_SHA256_KEY = "vocab_sha256";

    public ModelConfig config() {
        return network.config;
    }

    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        Checkpoints.save(dir.resolve(WEIGHTS_FILE), network, Map.of("variant", config().variant()));
        Path types = Files.createTempFile(dir, "types", ".tmp");
        DatasetWriter.writeTypes(types, this.types);
        Files.move(types, dir.resolve(TYPES_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        java.io.StringWriter vocab = new java.io.StringWriter();
        tokenizer.vocab().writeVocabTxt(vocab);
        writeAtomically(dir.resolve(VOCAB_FILE), vocab.toString());
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", ModelConfig.FORMAT_VERSION);
        root.put(VOCAB_SHA256_KEY, sha256Hex(vocab.toString().getBytes(StandardCharsets.UTF_8)));
        root.set("model", JSON.valueToTree(config()));
        BertConfig bc = network.bert.config;
        root.set("encoder_config", JSON.valueToTree(bc));
        root.set("tokenizer", JSON.valueToTree(tokenizer.options()));
        writeAtomically(dir.resolve(CONFIG_FILE), JSON.writeValueAsString(root));
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Loads a model directory onto a backend. A missing or corrupt file, a format version this
     * build does not read, or weights that do not fit the configuration fail with a message naming
     * the file.
     */
    public static TrainedModel load(Path dir, Backend backend) throws IOException {
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir + ": not a model directory");
        Path configFile = dir.resolve(CONFIG_FILE);
        if (!Files.exists(configFile)) throw new NoSuchFileException(configFile + ": missing (is " + dir + " a jerex model directory?)");
        JsonNode root;
        ModelConfig config;
        BertConfig bertConfig;
        BasicTokenizer.Options options;
        try {
            root = JSON.readTree(configFile.toFile());
            int version = root.path("format_version").asInt(-1);
            if (version != ModelConfig.FORMAT_VERSION) {
                throw new IOException(configFile + ": format_version " + version + ", this build reads " + ModelConfig.FORMAT_VERSION);
            }
            config = JSON.treeToValue(root.get("model"), ModelConfig.class);
            bertConfig = JSON.treeToValue(root.get("encoder_config"), BertConfig.class);
            options = JSON.treeToValue(root.get("tokenizer"), BasicTokenizer.Options.class);
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new IOException(configFile + ": unreadable model configuration: " + e.getMessage(), e);
        }
        Types types = new DatasetReader().readTypes(dir.resolve(TYPES_FILE));
        if (types.entityTypeCount() != config.entityTypes() || types.relationTypeCount() != config.relationTypes()) {
            throw new IOException(dir.resolve(TYPES_FILE) + ": " + types.entityTypeCount() + " entity / " + types.relationTypeCount()
                    + " relation types, but " + CONFIG_FILE + " says " + config.entityTypes() + " / " + config.relationTypes());
        }
        BertTokenizer tokenizer = readTokenizer(dir.resolve(VOCAB_FILE), root.path(VOCAB_SHA256_KEY).asText(null), options, bertConfig);
        BertModel bert = new BertModel(backend, bertConfig, false, false, config.dropout());
        JointExtractor network = new JointExtractor(backend, config, bert);
        Checkpoints.load(dir.resolve(WEIGHTS_FILE), network);
        return new TrainedModel(network, tokenizer, types);
    }

    /**
     * Reads vocab.txt: its SHA-256 must match the one model.json recorded (when it did), it must be
     * UTF-8, hold the special tokens, and have no more tokens than the encoder has embeddings. A
     * vocabulary that is cut short or edited would otherwise load and silently map words to the
     * wrong embeddings.
     */
    private static BertTokenizer readTokenizer(Path file, String expectedSha256, BasicTokenizer.Options options, BertConfig bertConfig)
            throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (expectedSha256 != null && !expectedSha256.equals(sha256Hex(bytes))) {
            throw new IOException(file + ": checksum mismatch: the vocabulary changed or was damaged after the model was saved"
                    + " (expected SHA-256 " + expectedSha256 + ", found " + sha256Hex(bytes) + ")");
        }
        WordPieceVocab vocab;
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));   // REPORTs malformed input
            vocab = WordPieceVocab.fromVocabTxt(new ByteArrayInputStream(bytes));
            if (vocab.size() > bertConfig.vocabSize()) {
                throw new IllegalArgumentException(vocab.size() + " tokens, but the encoder has " + bertConfig.vocabSize() + " embeddings");
            }
            return new BertTokenizer(vocab, options);
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text (" + e + ")", e);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": unusable vocabulary: " + e.getMessage(), e);
        }
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
