package dev.jerex.model.api;

import dev.jerex.model.data.Document;
import dev.jerex.model.data.DocumentPrediction;
import dev.jerex.model.data.PredictedEntity;
import dev.jerex.model.data.PredictedRelation;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The embeddable API: load a trained model directory once, then extract entities and relations
 * from raw text or pre-split tokens, from any number of threads at once.
 *
 * <pre>{@code
 * try (Extractor x = Extractor.load(Path.of("runs/conll04/best"))) {
 *     Extraction r = x.extract("John Wilkes Booth, who assassinated President Lincoln, was an actor.");
 *     r.relations().forEach(rel -> System.out.println(r.entities().get(rel.head()).text() + " " + rel.type()
 *             + " " + r.entities().get(rel.tail()).text()));
 * }
 * }</pre>
 *
 * Raw text is split into words by {@link TextSplitter}: by BERT's word rule, or per character for
 * models trained on character-level (Chinese) data. Thread-safe: calls only read the model.
 */
public final class Extractor implements AutoCloseable {
    private final TrainedModel model;
    private final Predictor predictor;
    private final TextSplitter.Mode splitMode;

    private Extractor(TrainedModel model, TextSplitter.Mode splitMode) {
        this.model = model;
        this.predictor = new Predictor(model);
        this.splitMode = splitMode;
    }

    /** Loads on the best CPU backend (OpenBLAS when available), one thread. */
    public static Extractor load(Path modelDir) throws IOException {
        return load(modelDir, Backends.create("auto", 1), null);
    }

    /**
     * @param splitMode how raw text is split into words; null: per character when the model was
     *                  trained with the Chinese encoder default, else by words
     */
    public static Extractor load(Path modelDir, Backend backend, TextSplitter.Mode splitMode) throws IOException {
        TrainedModel model = TrainedModel.load(modelDir, backend);
        TextSplitter.Mode mode = splitMode != null ? splitMode : defaultSplit(model.config().encoder());
        return new Extractor(model, mode);
    }

    /** Character-level for the Chinese encoders, word-level otherwise. */
    public static TextSplitter.Mode defaultSplit(String encoder) {
        return encoder != null && encoder.contains("-zh") ? TextSplitter.Mode.CHARACTERS : TextSplitter.Mode.WORDS;
    }

    public TrainedModel model() {
        return model;
    }

    public TextSplitter.Mode splitMode() {
        return splitMode;
    }

    /** Entities and relations in raw text; empty or blank text gives an empty result. */
    public Extraction extract(String text) {
        if (text == null) throw new IllegalArgumentException("text is null");
        List<TextSplitter.Word> words = TextSplitter.split(text, splitMode);
        List<String> tokens = new ArrayList<>(words.size());
        for (TextSplitter.Word w : words) tokens.add(w.word());
        return run(text, tokens, words);
    }

    /** Entities and relations over pre-split words (no character offsets). */
    public Extraction extractTokens(List<String> tokens) {
        return run(null, List.copyOf(tokens), null);
    }

    private Extraction run(String text, List<String> tokens, List<TextSplitter.Word> words) {
        if (tokens.isEmpty()) return new Extraction(text, tokens, List.of(), List.of());
        Document doc = new Document(0, null, tokens, List.of(), List.of());
        DocumentPrediction p = predictor.predict(doc);
        List<Extraction.Entity> entities = new ArrayList<>();
        for (PredictedEntity e : p.entities()) {
            int cs = words == null ? -1 : words.get(e.start()).start(), ce = words == null ? -1 : words.get(e.end() - 1).end();
            String surface = text != null ? text.substring(cs, ce) : String.join(" ", tokens.subList(e.start(), e.end()));
            entities.add(new Extraction.Entity(e.type().name(), e.start(), e.end(), surface, cs, ce, e.score()));
        }
        List<Extraction.Relation> relations = new ArrayList<>();
        for (PredictedRelation r : p.relations()) relations.add(new Extraction.Relation(r.type().name(), r.head(), r.tail(), r.score()));
        return new Extraction(text, tokens, entities, relations);
    }

    /** Nothing native is held beyond the model's buffers, which the garbage collector returns. */
    @Override
    public void close() {}
}
