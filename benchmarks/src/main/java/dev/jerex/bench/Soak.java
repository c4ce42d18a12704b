package dev.jerex.bench;

import dev.jerex.model.api.Extraction;
import dev.jerex.model.api.Extractor;
import dev.jerex.model.cli.Main;
import dev.jerex.model.data.DatasetWriter;
import dev.jerex.model.data.Document;
import dev.jerex.model.data.Entity;
import dev.jerex.model.data.EntityType;
import dev.jerex.model.data.Relation;
import dev.jerex.model.data.Types;
import dev.jerex.nn.Checkpoints;
import dev.jerex.nn.bert.BertConfig;
import dev.jerex.nn.bert.BertModel;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import dev.jerex.tensor.backend.PoolStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Soak test of prediction: one {@link Extractor} shared by several threads, predicting for a fixed
 * time while the process's memory is sampled. Not part of CI; {@code benchmarks/run-soak.sh}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.jerex.bench.Soak [--minutes 30] [--threads 4]
 *      [--model DIR] [--texts FILE] [--sample-seconds 10] [--csv soak.csv] [--backend auto]
 *      [--max-slope 1.0]
 * </pre>
 *
 * <ul>
 *   <li>Model: a model directory ({@code --model}); without one, a tiny model (full variant, a
 *       random 2-layer BERT with d = 64 and 128 positions) is first trained for 30 epochs on template
 *       sentences, so that it predicts a few entities and relations per sentence as a trained model
 *       does.</li>
 *   <li>Texts: one per line of {@code --texts}, or built-in ones: sentences, punctuation only, empty,
 *       a 300-character word, control characters, and a 170-word document that needs windows.</li>
 *   <li>Every {@code --sample-seconds}: one CSV row of elapsed seconds, predictions, VmRSS (from
 *       /proc/self/status), live and cached tensor bytes (the host buffer pool), heap used, and the
 *       heap left after the last collection of the old generation.</li>
 *   <li>Summary: first / last / max RSS, predictions per second, errors, and a verdict: FLAT when
 *       the least-squares slope of RSS over the second half of the samples is at most
 *       {@code --max-slope} MiB per minute. Exit code 0 when flat without errors, 2 when RSS grows,
 *       3 when predictions failed.</li>
 * </ul>
 */
public final class Soak {

    /** One row of the CSV. */
    record Sample(double seconds, long predictions, long rssKiB, long liveTensorBytes, long cachedTensorBytes, long heapUsedBytes,
                  long heapAfterGcBytes) {
        static final String HEADER = "seconds,predictions,rss_kib,live_tensor_bytes,cached_tensor_bytes,heap_used_bytes,heap_after_gc_bytes";

        String csv() {
            return String.format(Locale.ROOT, "%.1f,%d,%d,%d,%d,%d,%d", seconds, predictions, rssKiB, liveTensorBytes, cachedTensorBytes,
                    heapUsedBytes, heapAfterGcBytes);
        }
    }

    record Options(double minutes, int threads, Path model, Path texts, double sampleSeconds, Path csv, String backend, double maxSlope) {
        static Options parse(String[] args) {
            double minutes = 30, sampleSeconds = 10, maxSlope = 1.0;
            int threads = 4;
            Path model = null, texts = null, csv = Path.of("soak.csv");
            String backend = "auto";
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null && !args[i].equals("--help")) throw new IllegalArgumentException(args[i] + " needs a value");
                switch (args[i]) {
                    case "--minutes" -> minutes = Double.parseDouble(value);
                    case "--threads" -> threads = Integer.parseInt(value);
                    case "--model" -> model = Path.of(value);
                    case "--texts" -> texts = Path.of(value);
                    case "--sample-seconds" -> sampleSeconds = Double.parseDouble(value);
                    case "--csv" -> csv = Path.of(value);
                    case "--backend" -> backend = value;
                    case "--max-slope" -> maxSlope = Double.parseDouble(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see the class comment of dev.jerex.bench.Soak)");
                }
                i++;
            }
            if (minutes <= 0 || threads < 1 || sampleSeconds <= 0) throw new IllegalArgumentException("--minutes, --threads and --sample-seconds must be positive");
            return new Options(minutes, threads, model, texts, sampleSeconds, csv, backend, maxSlope);
        }
    }

    private Soak() {}

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("soak: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.exit(run(o));
    }

    static int run(Options o) throws Exception {
        List<String> texts = o.texts() != null ? readTexts(o.texts()) : builtInTexts();
        Path model = o.model() != null ? o.model() : tinyModel(Files.createTempDirectory("jerex-soak"));
        Backend backend = Backends.create(o.backend(), 1);
        System.out.printf(Locale.ROOT, "soak: model %s%s, backend %s, %d threads, %.1f min, %d texts, a sample every %.0f s -> %s%n", model,
                o.model() == null ? " (tiny model trained on template sentences)" : "", backend.name(), o.threads(), o.minutes(), texts.size(), o.sampleSeconds(),
                o.csv());

        try (Extractor x = Extractor.load(model, backend, null); PrintWriter csv = new PrintWriter(Files.newBufferedWriter(o.csv(), StandardCharsets.UTF_8))) {
            AtomicLong predictions = new AtomicLong(), errors = new AtomicLong(), entities = new AtomicLong(), relations = new AtomicLong();
            AtomicReference<String> firstError = new AtomicReference<>();
            long start = System.nanoTime(), end = start + (long) (o.minutes() * 60e9);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < o.threads(); t++) {
                int offset = t;
                Thread w = new Thread(() -> {
                    for (int i = offset; System.nanoTime() < end; i++) {
                        try {
                            Extraction e = x.extract(texts.get(i % texts.size()));
                            entities.addAndGet(e.entities().size());
                            relations.addAndGet(e.relations().size());
                            predictions.incrementAndGet();
                        } catch (RuntimeException | Error e) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, "text " + (i % texts.size()) + ": " + e);
                        }
                    }
                }, "soak-" + t);
                w.start();
                workers.add(w);
            }
            csv.println(Sample.HEADER);
            List<Sample> samples = new ArrayList<>();
            long next = start;
            while (true) {
                long now = System.nanoTime();
                if (now >= next) {
                    Sample s = sample((now - start) / 1e9, predictions.get());
                    samples.add(s);
                    csv.println(s.csv());
                    csv.flush();
                    next += (long) (o.sampleSeconds() * 1e9);
                }
                if (now >= end) break;
                Thread.sleep(Math.max(1, Math.min(next, end) - System.nanoTime()) / 1_000_000 + 1);
            }
            for (Thread w : workers) w.join();
            Sample last = sample((System.nanoTime() - start) / 1e9, predictions.get());
            samples.add(last);
            csv.println(last.csv());
            System.out.printf(Locale.ROOT, "soak: %.2f entities and %.2f relations per prediction%n", entities.get() / (double) Math.max(1, predictions.get()),
                    relations.get() / (double) Math.max(1, predictions.get()));
            return summarise(samples, errors.get(), firstError.get(), o.maxSlope());
        }
    }

    /** Prints the summary and returns the exit code. */
    static int summarise(List<Sample> samples, long errors, String firstError, double maxSlope) {
        Sample first = samples.get(0), last = samples.get(samples.size() - 1);
        long maxRss = samples.stream().mapToLong(Sample::rssKiB).max().orElse(-1);
        long maxLive = samples.stream().mapToLong(Sample::liveTensorBytes).max().orElse(-1);
        List<Sample> secondHalf = samples.subList(samples.size() / 2, samples.size());
        double slope = slopeMiBPerMinute(secondHalf);
        boolean flat = secondHalf.size() >= 2 && slope <= maxSlope;
        System.out.printf(Locale.ROOT, "soak: %d predictions in %.0f s = %.1f predictions/s, %d errors%s%n", last.predictions(), last.seconds(),
                last.predictions() / last.seconds(), errors, firstError == null ? "" : " (first: " + firstError + ")");
        System.out.printf(Locale.ROOT, "soak: RSS first %.1f MiB, last %.1f MiB, max %.1f MiB; live tensor memory first %.2f MiB, last %.2f MiB,"
                        + " max %.2f MiB; heap after GC last %.1f MiB%n", first.rssKiB() / 1024.0, last.rssKiB() / 1024.0, maxRss / 1024.0,
                first.liveTensorBytes() / 1048576.0, last.liveTensorBytes() / 1048576.0, maxLive / 1048576.0, last.heapAfterGcBytes() / 1048576.0);
        System.out.printf(Locale.ROOT, "soak: RSS slope over the second half (%d samples): %+.2f MiB/min -> %s (limit %.2f MiB/min)%n",
                secondHalf.size(), slope, secondHalf.size() < 2 ? "TOO SHORT to judge" : flat ? "FLAT" : "GROWING", maxSlope);
        if (errors > 0) return 3;
        return flat ? 0 : 2;
    }

    /** Least-squares slope of RSS (MiB) against time (minutes); NaN for fewer than two samples. */
    static double slopeMiBPerMinute(List<Sample> samples) {
        int n = samples.size();
        if (n < 2) return Double.NaN;
        double mt = 0, mr = 0;
        for (Sample s : samples) {
            mt += s.seconds() / 60;
            mr += s.rssKiB() / 1024.0;
        }
        mt /= n;
        mr /= n;
        double cov = 0, var = 0;
        for (Sample s : samples) {
            double dt = s.seconds() / 60 - mt;
            cov += dt * (s.rssKiB() / 1024.0 - mr);
            var += dt * dt;
        }
        return var == 0 ? Double.NaN : cov / var;
    }

    static Sample sample(double seconds, long predictions) {
        Runtime rt = Runtime.getRuntime();
        long afterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            // the usage left by the last collection of each heap pool: what survives, not what waits to be collected
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) afterGc += pool.getCollectionUsage().getUsed();
        }
        return new Sample(seconds, predictions, residentKiB(), PoolStats.liveBytes(), PoolStats.cachedBytes(), rt.totalMemory() - rt.freeMemory(),
                afterGc);
    }

    /** VmRSS of this process from /proc/self/status (Linux), or -1 elsewhere. */
    static long residentKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    static List<String> readTexts(Path file) throws IOException {
        List<String> texts = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (texts.isEmpty()) throw new IOException(file + ": no texts (one per line)");
        return texts;
    }

    /** Sentences of the CoNLL04 kind, and the awkward inputs of the bad-input matrix. */
    static List<String> builtInTexts() {
        String[] people = PEOPLE, orgs = ORGS, places = PLACES;
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String p = people[i % people.length], o = orgs[i % orgs.length], l = places[i % places.length];
            texts.add(switch (i % 3) {
                case 0 -> p + " works for " + o + " in " + l + " .";
                case 1 -> "Yesterday , " + p + " of " + o + " visited " + l + " and met the board .";
                default -> o + " , based in " + l + " , hired " + p + " last year .";
            });
        }
        texts.add("");
        texts.add(" , . ; ! ?");
        texts.add("Bob " + "x".repeat(300) + " lives in Paris .");
        texts.add("Alice\u0000 Smith\u0007 works\r\nfor Acme\u200b Corp .");
        StringBuilder longDocument = new StringBuilder();
        while (longDocument.length() < 1000) longDocument.append(texts.get(longDocument.length() % 12)).append(' ');
        texts.add(longDocument.toString());   // ~170 words: two windows of the tiny model's 126 pieces
        return texts;
    }

    /**
     * Trains a tiny model (full variant; a random 2-layer BERT, d = 64, 128 positions) for 30 epochs
     * on template sentences of the built-in texts' kind, so that it predicts as a trained model does:
     * a few entities and relations per sentence. About 20 s on one core. Returns the model directory.
     */
    static Path tinyModel(Path dir) throws IOException {
        Types types = Types.builder().entity("Peop", "Peop", "People").entity("Org", "Org", "Organization").entity("Loc", "Loc", "Location")
                .relation("Work_For", "Work", "Work for", false).relation("Live_In", "Live", "Live in", false)
                .relation("OrgBased_In", "OrgBI", "Organization based in", false).build();
        EntityType peop = types.entityType("Peop").orElseThrow(), org = types.entityType("Org").orElseThrow(), loc = types.entityType("Loc").orElseThrow();
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            List<String> p = words(PEOPLE[i % PEOPLE.length]), o = words(ORGS[i % ORGS.length]), l = words(PLACES[(i / 2) % PLACES.length]);
            List<String> tokens = new ArrayList<>();
            List<Entity> entities = new ArrayList<>();
            List<Relation> relations = new ArrayList<>();
            switch (i % 3) {
                case 0 -> {   // P works for O in L .
                    entities.add(span(tokens, p, peop));
                    tokens.addAll(words("works for"));
                    entities.add(span(tokens, o, org));
                    tokens.add("in");
                    entities.add(span(tokens, l, loc));
                    relations.add(new Relation(types.relationType(0), 0, 1));
                    relations.add(new Relation(types.relationType(2), 1, 2));
                }
                case 1 -> {   // P lives in L .
                    entities.add(span(tokens, p, peop));
                    tokens.addAll(words("lives in"));
                    entities.add(span(tokens, l, loc));
                    relations.add(new Relation(types.relationType(1), 0, 1));
                }
                default -> {   // O , based in L , hired P last year .
                    entities.add(span(tokens, o, org));
                    tokens.addAll(words(", based in"));
                    entities.add(span(tokens, l, loc));
                    tokens.addAll(words(", hired"));
                    entities.add(span(tokens, p, peop));
                    tokens.addAll(words("last year"));
                    relations.add(new Relation(types.relationType(2), 0, 1));
                    relations.add(new Relation(types.relationType(0), 2, 0));
                }
            }
            tokens.add(".");
            documents.add(new Document(i, "soak-" + i, tokens, entities, relations));
        }
        Path data = Files.createDirectories(dir.resolve("data"));
        DatasetWriter.writeTypes(data.resolve("types.json"), types);
        DatasetWriter.writeDocuments(data.resolve("train.json"), documents);
        Path encoder = tinyEncoder(Files.createDirectories(dir.resolve("encoder")), documents);
        int rc = Main.execute("train", "--train", data.resolve("train.json").toString(), "--dev", data.resolve("train.json").toString(),
                "--types", data.resolve("types.json").toString(), "--encoder", encoder.toString(), "--variant", "full", "--epochs", "30",
                "--lr", "1e-3", "--backend", "java", "--quiet", "--eval-last-only", "--out", dir.resolve("run").toString());
        if (rc != 0) throw new IOException("training the tiny soak model failed (exit code " + rc + ")");
        return dir.resolve("run/final");
    }

    static final String[] PEOPLE = {"Alice Smith", "Bob", "Carol Jones", "Dave"}, ORGS = {"Acme Corp", "Globex", "Initech"},
            PLACES = {"Paris", "New York", "Tokyo"};

    private static List<String> words(String text) {
        return List.of(text.split(" "));
    }

    /** Appends the words to the tokens and returns them as an entity. */
    private static Entity span(List<String> tokens, List<String> words, EntityType type) {
        int start = tokens.size();
        tokens.addAll(words);
        return new Entity(type, start, tokens.size());
    }

    /** A random BERT (2 layers, d = 64, 128 positions) as a Hugging Face directory over the documents' words. */
    private static Path tinyEncoder(Path dir, List<Document> documents) throws IOException {
        Set<String> vocab = new LinkedHashSet<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (Document d : documents) for (String t : d.tokens()) vocab.add(t.toLowerCase(Locale.ROOT));
        vocab.addAll(List.of("yesterday", "of", "visited", "and", "met", "the", "board"));
        Files.write(dir.resolve("vocab.txt"), vocab);
        BertConfig config = new BertConfig(2, 64, 2, 128, vocab.size(), 128, 2, 1e-12, "gelu");
        Files.writeString(dir.resolve("config.json"), String.format(Locale.ROOT,
                "{\"num_hidden_layers\": 2, \"hidden_size\": 64, \"num_attention_heads\": 2, \"intermediate_size\": 128, "
                        + "\"vocab_size\": %d, \"max_position_embeddings\": 128, \"type_vocab_size\": 2, \"layer_norm_eps\": 1e-12, "
                        + "\"hidden_act\": \"gelu\", \"model_type\": \"bert\"}", vocab.size()));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": true}");
        BertModel bert = new BertModel(Backends.java(), config, false, false, 0f);
        bert.initBert(new Rng(17));
        Checkpoints.save(dir.resolve("model.safetensors"), bert, Map.of());
        return dir;
    }
}
