package dev.jerex.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jerex.model.api.Predictor;
import dev.jerex.model.api.TrainedModel;
import dev.jerex.model.data.DocumentPrediction;
import dev.jerex.model.data.EncodedDocument;
import dev.jerex.model.nn.Batch;
import dev.jerex.model.nn.JointExtractor;
import dev.jerex.nn.Mode;
import dev.jerex.nn.optim.AdamW;
import dev.jerex.tensor.Gradients;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.TensorScope;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Whole-model timings of jerex, to set beside its PyTorch twin's ({@code twin.py bench}) on the same
 * weights and the same batches (benchmarks/README.md, "Whole model vs the PyTorch twin").
 *
 * <pre>
 * ModelBench prepare --variant full --out DIR [--data ../shared/data/conll04] [--encoder minilm-l6]
 *                    [--seed 42] [--dropout 0.1] [--batches-per-size 4] [--sentences 64] [--trained MODEL_DIR]
 *     DIR/model         a model built as the Trainer builds it (heads initialised from the seed), or a
 *                       copy of a trained model directory (--trained; --variant, --encoder and --dropout
 *                       then come from it). Inference needs trained heads to be representative: random
 *                       heads classify most candidate spans as entities, and every ordered pair of
 *                       them is then scored (hundreds of thousands of pairs for 8 sentences)
 *     DIR/batches.json  {"train": {"2": [Batch...], "8": [Batch...]}, "inference": [sentence...],
 *                        "source": how they were drawn}: CoNLL04 training batches drawn by the
 *                        Sampler, and the first dev sentences encoded with their inference candidates
 *
 * ModelBench run --model DIR --batches FILE --out results.jsonl --case train_step|inference
 *                [--batch 2|8|64] [--warmup 2] [--runs 8] [--backend openblas]
 *     train_step  loss, backward, clipping to norm 1 and SpERT's AdamW (lr 5e-5, weight decay 0.01),
 *                 as the Trainer's step; the batches of that size in turn
 *     inference   Predictor.predictEncoded on each of the first --batch sentences (all candidate
 *                 spans up to the max span size, then the pairs of the predicted entities)
 *     One kernel thread. Appends {"impl": "jerex", "case", "variant", "batch", "unit": "ms", "times",
 *     "median", "peak_rss_mib"} (VmHWM of this process at the end) to --out.
 * </pre>
 * {@code run} re-draws the batches and re-encodes the sentences from the source recorded in the
 * file and fails unless they equal the file's, so both implementations provably see the same input.
 */
public final class ModelBench {
    private ModelBench() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 0) throw new IllegalArgumentException("usage: ModelBench prepare|run [options] (see the class comment)");
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "prepare" -> prepare(Options.parse(rest, Map.of("--variant", "full", "--data", "../shared/data/conll04",
                    "--encoder", "minilm-l6", "--seed", "42", "--dropout", "0.1", "--batches-per-size", "4", "--sentences", "64",
                    "--trained", ""), "--out"));
            case "run" -> run(Options.parse(rest, Map.of("--warmup", "2", "--runs", "8", "--backend", "openblas", "--batch", "0"),
                    "--model", "--batches", "--out", "--case"));
            default -> throw new IllegalArgumentException("unknown command " + args[0] + " (expected prepare or run)");
        }
    }

    // ---- prepare -----------------------------------------------------------------------------

    static void prepare(Map<String, String> opt) throws IOException {
        Path out = Path.of(opt.get("--out"));
        Path data = Path.of(opt.get("--data")).toAbsolutePath().normalize();
        long seed = Long.parseLong(opt.get("--seed"));
        int perSize = Integer.parseInt(opt.get("--batches-per-size")), sentences = Integer.parseInt(opt.get("--sentences"));
        Backend backend = Backends.java();
        TwinInputs.Data train = TwinInputs.Data.read(data, "train");
        TrainedModel model = opt.get("--trained").isEmpty()
                ? TwinInputs.buildModel(backend, opt.get("--encoder"), opt.get("--variant"), train.types(), Float.parseFloat(opt.get("--dropout")), seed)
                : TrainedModel.load(Path.of(opt.get("--trained")), backend);
        Files.createDirectories(out);
        model.save(out.resolve("model"));

        ObjectNode source = TwinInputs.JSON.createObjectNode();
        source.put("data", data.toString());
        source.put("seed", seed);
        source.put("batchesPerSize", perSize);
        source.put("sentences", sentences);
        ObjectNode root = TwinInputs.JSON.createObjectNode();
        root.set("source", source);
        root.set("train", trainingBatches(model, data, seed, perSize));
        root.set("inference", inferenceSentences(model, data, sentences));
        Files.writeString(out.resolve("batches.json"), TwinInputs.JSON.writeValueAsString(root));
        System.out.println("wrote " + out.resolve("model") + " and " + out.resolve("batches.json"));
    }

    private static ObjectNode trainingBatches(TrainedModel model, Path data, long seed, int perSize) throws IOException {
        List<EncodedDocument> encoded = TwinInputs.encode(model, TwinInputs.Data.read(data, "train").documents());
        ObjectNode train = TwinInputs.JSON.createObjectNode();
        for (int size : new int[] {2, 8}) {
            List<ObjectNode> batches = new ArrayList<>();
            for (Batch b : TwinInputs.trainingBatches(model, encoded, size, perSize, seed + size)) batches.add(TwinInputs.batchJson(b));
            train.set(Integer.toString(size), TwinInputs.array(batches));
        }
        return train;
    }

    private static ArrayNode inferenceSentences(TrainedModel model, Path data, int count) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        for (EncodedDocument d : devSentences(model, data, count)) out.add(TwinInputs.inferenceJson(d, model.config().maxSpanSize()));
        return TwinInputs.array(out);
    }

    private static List<EncodedDocument> devSentences(TrainedModel model, Path data, int count) throws IOException {
        List<EncodedDocument> all = TwinInputs.encode(model, TwinInputs.Data.read(data, "dev").documents());
        if (all.size() < count) throw new IllegalArgumentException(data + ": " + all.size() + " dev sentences, asked for " + count);
        return all.subList(0, count);
    }

    // ---- run ---------------------------------------------------------------------------------

    static void run(Map<String, String> opt) throws IOException {
        Backend backend = Backends.create(opt.get("--backend"), 1);
        TrainedModel model = TrainedModel.load(Path.of(opt.get("--model")), backend);
        Path batchesFile = Path.of(opt.get("--batches"));
        JsonNode root = TwinInputs.JSON.readTree(batchesFile.toFile());
        JsonNode source = root.get("source");
        Path data = Path.of(source.get("data").asText());
        String kase = opt.get("--case");
        int warmup = Integer.parseInt(opt.get("--warmup")), runs = Integer.parseInt(opt.get("--runs"));
        int size = Integer.parseInt(opt.get("--batch"));
        double[] times;
        switch (kase) {
            case "train_step" -> {
                if (size == 0) size = 2;
                int perSize = source.get("batchesPerSize").asInt();
                List<Batch> batches = TwinInputs.trainingBatches(model, TwinInputs.encode(model, TwinInputs.Data.read(data, "train").documents()),
                        size, perSize, source.get("seed").asLong() + size);
                JsonNode written = root.path("train").path(Integer.toString(size));
                for (int i = 0; i < batches.size(); i++) {
                    if (!sameJson(TwinInputs.batchJson(batches.get(i)), written.get(i))) {
                        throw new IllegalStateException(batchesFile + ": train/" + size + "[" + i + "] differs from the batch drawn again from " + source);
                    }
                }
                times = timeTraining(model, batches, warmup, runs, source.get("seed").asLong());
            }
            case "inference" -> {
                if (size == 0) size = 64;
                List<EncodedDocument> sentences = devSentences(model, data, size);
                for (int i = 0; i < size; i++) {
                    if (!sameJson(TwinInputs.inferenceJson(sentences.get(i), model.config().maxSpanSize()), root.path("inference").get(i))) {
                        throw new IllegalStateException(batchesFile + ": inference[" + i + "] differs from the dev sentence encoded again");
                    }
                }
                times = timeInference(model, sentences, warmup, runs);
            }
            default -> throw new IllegalArgumentException("unknown --case " + kase + " (expected train_step or inference)");
        }
        ObjectNode row = TwinInputs.JSON.createObjectNode();
        row.put("impl", "jerex");
        row.put("case", kase);
        row.put("variant", model.config().variant());
        row.put("batch", size);
        row.put("unit", "ms");
        ArrayNode ts = row.putArray("times");
        for (double t : times) ts.add(Math.round(t * 1000) / 1000.0);
        row.put("median", Math.round(median(times) * 1000) / 1000.0);
        Double rss = peakRssMib();
        if (rss == null) row.putNull("peak_rss_mib");
        else row.put("peak_rss_mib", Math.round(rss * 10) / 10.0);
        String line = TwinInputs.JSON.writeValueAsString(row);
        System.out.println(line);
        Files.writeString(Path.of(opt.get("--out")), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The Trainer's step: loss, backward, clip to norm 1, AdamW; milliseconds of each timed step. */
    private static double[] timeTraining(TrainedModel model, List<Batch> batches, int warmup, int runs, long seed) {
        JointExtractor net = model.network();
        AdamW optimizer = AdamW.spert(net, 0.01f);
        Rng dropout = new Rng(seed + 3);
        double[] times = new double[runs];
        for (int i = 0; i < warmup + runs; i++) {
            long t0 = System.nanoTime();
            try (TensorScope scope = TensorScope.open()) {
                JointExtractor.Loss loss = net.loss(batches.get(i % batches.size()), Mode.train(dropout));
                Gradients grads = loss.total().backward();
                grads.clipGlobalNorm(1.0);
                optimizer.step(grads, 5e-5);
            }
            if (i >= warmup) times[i - warmup] = (System.nanoTime() - t0) / 1e6;
        }
        return times;
    }

    /** Predictor.predictEncoded on every sentence; milliseconds of each timed pass over all of them. */
    private static double[] timeInference(TrainedModel model, List<EncodedDocument> sentences, int warmup, int runs) {
        Predictor predictor = new Predictor(model);
        double[] times = new double[runs];
        int entities = 0, relations = 0;
        for (int i = 0; i < warmup + runs; i++) {
            long t0 = System.nanoTime();
            entities = relations = 0;
            for (EncodedDocument d : sentences) {
                DocumentPrediction p = predictor.predictEncoded(d);
                entities += p.entities().size();
                relations += p.relations().size();
            }
            if (i >= warmup) times[i - warmup] = (System.nanoTime() - t0) / 1e6;
        }
        System.err.printf("# inference: %d entities, %d relations predicted%n", entities, relations);
        return times;
    }

    /** Equal as written to a file (a float written and read back is a double node). */
    private static boolean sameJson(JsonNode built, JsonNode read) throws IOException {
        return read != null && TwinInputs.JSON.readTree(TwinInputs.JSON.writeValueAsString(built)).equals(read);
    }

    private static double median(double[] times) {
        double[] s = times.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** VmHWM (peak resident set) of this process from /proc/self/status, in MiB; null where there is none. */
    static Double peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return null;
    }
}
