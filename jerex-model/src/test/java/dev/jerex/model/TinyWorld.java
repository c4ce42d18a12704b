package dev.jerex.model;

import dev.jerex.model.ModelConfig;
import dev.jerex.model.api.TrainedModel;
import dev.jerex.model.data.DatasetWriter;
import dev.jerex.model.data.Document;
import dev.jerex.model.data.Entity;
import dev.jerex.model.data.Relation;
import dev.jerex.model.data.Types;
import dev.jerex.model.nn.JointExtractor;
import dev.jerex.nn.Checkpoints;
import dev.jerex.nn.bert.BasicTokenizer;
import dev.jerex.nn.bert.BertConfig;
import dev.jerex.nn.bert.BertModel;
import dev.jerex.nn.bert.BertTokenizer;
import dev.jerex.nn.bert.WordPieceVocab;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.backend.Backends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small world for end-to-end tests without downloads: about 20 template sentences with
 * people, organisations and places (CoNLL04-like types), and a tiny randomly initialised BERT
 * (2 layers, d = 64) saved as a Hugging Face directory whose vocabulary covers the sentences.
 */
public final class TinyWorld {
    public static final String[] PEOPLE = {"Alice Smith", "Bob", "Carol Jones", "Dave", "Erin Clark", "Frank"};
    public static final String[] ORGS = {"Acme Corp", "Globex", "Initech", "Umbrella Inc"};
    public static final String[] PLACES = {"Paris", "New York", "Berlin", "Tokyo"};

    public final Types types = Types.builder()
            .entity("Peop", "Peop", "People").entity("Org", "Org", "Organization").entity("Loc", "Loc", "Location")
            .relation("Work_For", "Work", "Work for", false).relation("Live_In", "Live", "Live in", false)
            .relation("OrgBased_In", "OrgBI", "Organization based in", false)
            .build();
    public final List<Document> documents = new ArrayList<>();

    public TinyWorld(int count, long seed) {
        Rng rng = new Rng(seed);
        for (int i = 0; i < count; i++) {
            String p = PEOPLE[rng.nextInt(PEOPLE.length)], o = ORGS[rng.nextInt(ORGS.length)], l = PLACES[rng.nextInt(PLACES.length)];
            switch (i % 4) {
                case 0 -> add(i, new Object[] {p, "Peop", "works for", o, "Org", "."}, new int[][] {{0, 1, 0}});
                case 1 -> add(i, new Object[] {p, "Peop", "lives in", l, "Loc", "."}, new int[][] {{0, 1, 1}});
                case 2 -> add(i, new Object[] {o, "Org", "is based in", l, "Loc", "."}, new int[][] {{0, 1, 2}});
                default -> add(i, new Object[] {"Yesterday ,", p, "Peop", "of", o, "Org", "visited", l, "Loc", "."},
                        new int[][] {{0, 1, 0}});
            }
        }
    }

    /** Parts: plain text, or (entity text, type name) pairs; relations {head, tail, type}. */
    private void add(int index, Object[] parts, int[][] relations) {
        List<String> tokens = new ArrayList<>();
        List<Entity> entities = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String text = (String) parts[i];
            boolean entity = i + 1 < parts.length && types.entityType((String) parts[i + 1]).isPresent();
            int start = tokens.size();
            for (String w : text.split(" ")) tokens.add(w);
            if (entity) {
                entities.add(new Entity(types.entityType((String) parts[i + 1]).get(), start, tokens.size()));
                i++;
            }
        }
        List<Relation> rels = new ArrayList<>();
        for (int[] r : relations) rels.add(new Relation(types.relationType(r[2]), r[0], r[1]));
        documents.add(new Document(index, "tiny-" + index, tokens, entities, rels));
    }

    public Path writeData(Path dir) throws IOException {
        Files.createDirectories(dir);
        DatasetWriter.writeTypes(dir.resolve("types.json"), types);
        DatasetWriter.writeDocuments(dir.resolve("train.json"), documents);
        return dir;
    }

    /** A tiny random BERT as a Hugging Face directory (config.json, vocab.txt, model.safetensors). */
    public Path writeEncoder(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        Set<String> vocab = new LinkedHashSet<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (Document d : documents) for (String t : d.tokens()) vocab.add(t.toLowerCase());
        Files.write(dir.resolve("vocab.txt"), vocab);
        BertConfig config = new BertConfig(2, 64, 2, 128, vocab.size(), 64, 2, 1e-12, "gelu");
        Files.writeString(dir.resolve("config.json"), String.format(
                "{\"num_hidden_layers\": 2, \"hidden_size\": 64, \"num_attention_heads\": 2, \"intermediate_size\": 128, "
                        + "\"vocab_size\": %d, \"max_position_embeddings\": 64, \"type_vocab_size\": 2, \"layer_norm_eps\": 1e-12, "
                        + "\"hidden_act\": \"gelu\", \"model_type\": \"bert\"}", vocab.size()));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": true}");
        BertModel bert = new BertModel(Backends.java(), config, false, false, 0f);
        bert.initBert(new Rng(seed));
        Checkpoints.save(dir.resolve("model.safetensors"), bert, Map.of());
        return dir;
    }

    /**
     * An untrained model over this world's vocabulary and types, saved as a model directory: its
     * randomly initialised heads predict entities and relations almost everywhere, which is what
     * property tests of offsets and spans want (a trained tiny model predicts few).
     */
    public Path writeUntrainedModel(Path dir, String variant, long seed) throws IOException {
        Path encoderDir = writeEncoder(dir.resolveSibling(dir.getFileName() + "-encoder"), seed);
        WordPieceVocab vocab;
        try (java.io.InputStream in = Files.newInputStream(encoderDir.resolve("vocab.txt"))) {
            vocab = WordPieceVocab.fromVocabTxt(in);
        }
        BertConfig bertConfig = new BertConfig(2, 64, 2, 128, vocab.size(), 64, 2, 1e-12, "gelu");
        BertModel bert = new BertModel(Backends.java(), bertConfig, false, false, 0f);
        Rng rng = new Rng(seed);
        bert.initBert(rng.split());
        ModelConfig config = new ModelConfig(variant, "tiny", types.entityTypeCount(), types.relationTypeCount(), 10, 25, 100, 0f, 1,
                0.4f, 1000, 64, true);
        JointExtractor network = new JointExtractor(Backends.java(), config, bert);
        network.initHeads(rng.split());
        new TrainedModel(network, new BertTokenizer(vocab, BasicTokenizer.Options.UNCASED), types).save(dir);
        return dir;
    }
}
