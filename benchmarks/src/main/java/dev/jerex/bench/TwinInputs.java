package dev.jerex.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jerex.model.ModelConfig;
import dev.jerex.model.api.TokenizerEncoder;
import dev.jerex.model.api.TrainedModel;
import dev.jerex.model.data.DatasetReader;
import dev.jerex.model.data.Document;
import dev.jerex.model.data.EncodedDocument;
import dev.jerex.model.data.InferenceCandidates;
import dev.jerex.model.data.Sampler;
import dev.jerex.model.data.SamplingConfig;
import dev.jerex.model.data.TrainingSample;
import dev.jerex.model.data.Types;
import dev.jerex.model.nn.Batch;
import dev.jerex.model.nn.JointExtractor;
import dev.jerex.nn.bert.BertModel;
import dev.jerex.nn.bert.EncoderArtifacts;
import dev.jerex.nn.bert.EncoderCatalog;
import dev.jerex.nn.bert.NamedArray;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.backend.Backend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the whole-model comparisons with the PyTorch twin (benchmarks/python/twin) share: a jerex
 * model built as the Trainer builds it (pretrained encoder, heads initialised from a seed), real
 * CoNLL04 training batches drawn with jerex's Sampler, and encoded dev sentences with their
 * inference candidates — each written as JSON the twin reads (field names as in Java).
 */
final class TwinInputs {
    static final ObjectMapper JSON = new ObjectMapper();

    private TwinInputs() {}

    /** A CoNLL04 data set: the types and one split's documents. */
    record Data(Types types, List<Document> documents) {
        static Data read(Path dir, String split) throws IOException {
            DatasetReader reader = new DatasetReader();
            Types types = reader.readTypes(dir.resolve("conll04_types.json"));
            return new Data(types, reader.readDocuments(dir.resolve("conll04_" + split + ".json"), types));
        }
    }

    /**
     * A model for {@code variant} as jerex's Trainer builds it with SpERT's defaults (max span 10,
     * width embedding 25, fusion heads d / 64, SEA chunk 64), the heads initialised from {@code seed}.
     */
    static TrainedModel buildModel(Backend backend, String encoder, String variant, Types types, float dropout, long seed) throws IOException {
        EncoderArtifacts artifacts = new EncoderCatalog().load(encoder);
        Map<String, NamedArray> weights = new LinkedHashMap<>(artifacts.weights());
        weights.keySet().removeIf(k -> k.startsWith("pooler.") || k.startsWith("cls."));
        BertModel bert = BertModel.fromPretrained(backend, artifacts.config(), weights, dropout);
        int d = artifacts.config().hidden();
        ModelConfig config = new ModelConfig(variant, encoder, types.entityTypeCount(), types.relationTypeCount(),
                SamplingConfig.DEFAULT_MAX_SPAN_SIZE, 25, 100, dropout, Math.max(1, d / 64), 0.4f, 1000, 64,
                artifacts.tokenizer().options().lowercase());
        JointExtractor network = new JointExtractor(backend, config, bert);
        network.initHeads(new Rng(seed).split());
        return new TrainedModel(network, artifacts.tokenizer(), types);
    }

    /** The documents encoded for the model (CoNLL04 sentences all fit the encoder's positions). */
    static List<EncodedDocument> encode(TrainedModel model, List<Document> documents) {
        TokenizerEncoder encoder = new TokenizerEncoder(model.tokenizer());
        List<EncodedDocument> out = new ArrayList<>();
        for (Document d : documents) {
            EncodedDocument e = EncodedDocument.encode(d, encoder);
            if (!e.fitsIn(model.network().bert.config.maxPositions())) {
                throw new IllegalArgumentException("document of " + e.length() + " pieces does not fit the encoder");
            }
            out.add(e);
        }
        return out;
    }

    /**
     * {@code count} training batches of {@code size} documents: documents in an order shuffled by
     * the seed, each sampled by jerex's Sampler (SpERT's 100 negative entities and relations).
     */
    static List<Batch> trainingBatches(TrainedModel model, List<EncodedDocument> encoded, int size, int count, long seed) {
        Sampler sampler = new Sampler(SamplingConfig.defaults(), model.types().relationTypeCount());
        SplittableRandom sampling = new SplittableRandom(seed + 1);
        int[] order = new Rng(seed + 2).permutation(encoded.size());
        if ((long) size * count > encoded.size()) throw new IllegalArgumentException(count + " batches of " + size + " need more than " + encoded.size() + " documents");
        List<Batch> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            List<TrainingSample> samples = new ArrayList<>();
            for (int i = 0; i < size; i++) samples.add(sampler.trainingSample(encoded.get(order[b * size + i]), sampling));
            batches.add(new Batch(samples, model.types().relationTypeCount(), model.tokenizer().padId()));
        }
        return batches;
    }

    /** Every field of a Batch, named as in Java. */
    static ObjectNode batchJson(Batch b) {
        ObjectNode o = JSON.createObjectNode();
        o.set("ids", JSON.valueToTree(b.ids));
        o.set("lengths", JSON.valueToTree(b.lengths));
        o.set("entityDoc", JSON.valueToTree(b.entityDoc));
        o.set("entityStart", JSON.valueToTree(b.entityStart));
        o.set("entityEnd", JSON.valueToTree(b.entityEnd));
        o.set("entityWidth", JSON.valueToTree(b.entityWidth));
        o.set("entityLabel", JSON.valueToTree(b.entityLabel));
        o.set("relationDoc", JSON.valueToTree(b.relationDoc));
        o.set("relationHead", JSON.valueToTree(b.relationHead));
        o.set("relationTail", JSON.valueToTree(b.relationTail));
        o.set("contextStart", JSON.valueToTree(b.contextStart));
        o.set("contextEnd", JSON.valueToTree(b.contextEnd));
        o.set("relationLabels", JSON.valueToTree(b.relationLabels));
        o.put("relationTypes", b.relationTypes);
        return o;
    }

    /** An encoded sentence with its inference candidates (InferenceCandidates), as the twin's predict() reads it. */
    static ObjectNode inferenceJson(EncodedDocument doc, int maxSpanSize) {
        InferenceCandidates c = InferenceCandidates.enumerate(doc, maxSpanSize);
        ObjectNode o = JSON.createObjectNode();
        o.set("ids", JSON.valueToTree(doc.inputIds()));
        o.set("subword_starts", JSON.valueToTree(c.subwordStarts()));
        o.set("subword_ends", JSON.valueToTree(c.subwordEnds()));
        o.set("widths", JSON.valueToTree(c.widths()));
        o.set("word_starts", JSON.valueToTree(c.wordStarts()));
        o.set("word_ends", JSON.valueToTree(c.wordEnds()));
        return o;
    }

    static ArrayNode array(List<ObjectNode> nodes) {
        ArrayNode a = JSON.createArrayNode();
        nodes.forEach(a::add);
        return a;
    }
}
