package dev.jerex.bench;

import dev.jerex.model.ModelConfig;
import dev.jerex.model.api.Extractor;
import dev.jerex.model.api.TrainedModel;
import dev.jerex.model.data.Types;
import dev.jerex.model.nn.JointExtractor;
import dev.jerex.nn.bert.BasicTokenizer;
import dev.jerex.nn.bert.BertConfig;
import dev.jerex.nn.bert.BertModel;
import dev.jerex.nn.bert.BertTokenizer;
import dev.jerex.nn.bert.WordPieceVocab;
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
 *   <li>Model: a model directory ({@code --model}); without one, an untrained tiny model (4 layers,
 *       d = 128, 128 positions) over the built-in texts' words, whose random heads predict entities
 *       and relations nearly everywhere, so every stage of prediction runs.</li>
 *   <li>Texts: one per line of {@code --texts}, or built-in ones: sentences, punctuation only, empty,
 *       a 300-character word, control characters, and a 600-word document that needs windows.</li>
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
        Path model = o.model() != null ? o.model() : tinyModel(Files.createTempDirectory("jerex-soak"), texts);
        Backend backend = Backends.create(o.backend(), 1);
        System.out.printf(Locale.ROOT, "soak: model %s%s, backend %s, %d threads, %.1f min, %d texts, a sample every %.0f s -> %s%n", model,
                o.model() == null ? " (untrained tiny model)" : "", backend.name(), o.threads(), o.minutes(), texts.size(), o.sampleSeconds(),
                o.csv());

        try (Extractor x = Extractor.load(model, backend, null); PrintWriter csv = new PrintWriter(Files.newBufferedWriter(o.csv(), StandardCharsets.UTF_8))) {
            AtomicLong predictions = new AtomicLong(), errors = new AtomicLong();
            AtomicReference<String> firstError = new AtomicReference<>();
            long start = System.nanoTime(), end = start + (long) (o.minutes() * 60e9);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < o.threads(); t++) {
                int offset = t;
                Thread w = new Thread(() -> {
                    for (int i = offset; System.nanoTime() < end; i++) {
                        try {
                            x.extract(texts.get(i % texts.size()));
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
        String[] people = {"Alice Smith", "Bob", "Carol Jones", "Dave"}, orgs = {"Acme Corp", "Globex", "Initech"}, places = {"Paris", "New York", "Tokyo"};
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
        while (longDocument.length() < 4000) longDocument.append(texts.get(longDocument.length() % 12)).append(' ');
        texts.add(longDocument.toString());   // ~600 words: several windows of the tiny model's 126 pieces
        return texts;
    }

    /** An untrained model over the texts' words (4 layers, d = 128, 128 positions), saved to dir. */
    static Path tinyModel(Path dir, List<String> texts) throws IOException {
        Set<String> vocab = new LinkedHashSet<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (String t : texts) for (String w : t.toLowerCase(Locale.ROOT).split("[\\s\\p{Cntrl}]+")) if (!w.isEmpty() && w.length() < 50) vocab.add(w);
        WordPieceVocab words = new WordPieceVocab(vocab.toArray(String[]::new), "[UNK]", "##", 100);
        BertConfig bertConfig = new BertConfig(4, 128, 2, 512, words.size(), 128, 2, 1e-12, "gelu");
        Backend java = Backends.java();
        BertModel bert = new BertModel(java, bertConfig, false, false, 0f);
        Rng rng = new Rng(17);
        bert.initBert(rng.split());
        Types types = Types.builder().entity("Peop", "Peop", "People").entity("Org", "Org", "Organization").entity("Loc", "Loc", "Location")
                .relation("Work_For", "Work", "Work for", false).relation("Live_In", "Live", "Live in", false)
                .relation("OrgBased_In", "OrgBI", "Organization based in", false).build();
        ModelConfig config = new ModelConfig("full", "tiny", types.entityTypeCount(), types.relationTypeCount(), 10, 25, 100, 0f, 2, 0.4f, 1000,
                64, true);
        JointExtractor network = new JointExtractor(java, config, bert);
        network.initHeads(rng.split());
        new TrainedModel(network, new BertTokenizer(words, BasicTokenizer.Options.UNCASED), types).save(dir);
        return dir;
    }
}
