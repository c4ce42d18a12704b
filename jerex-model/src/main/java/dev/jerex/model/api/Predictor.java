package dev.jerex.model.api;

import dev.jerex.model.ModelConfig;
import dev.jerex.model.data.Document;
import dev.jerex.model.data.DocumentPrediction;
import dev.jerex.model.data.DocumentWindow;
import dev.jerex.model.data.EncodedDocument;
import dev.jerex.model.data.EntityType;
import dev.jerex.model.data.InferenceCandidates;
import dev.jerex.model.data.PredictedEntity;
import dev.jerex.model.data.PredictedRelation;
import dev.jerex.model.data.SubwordRange;
import dev.jerex.model.data.Windowing;
import dev.jerex.model.nn.JointExtractor;
import dev.jerex.nn.Mode;
import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Inference as SpERT does it (SPERT.md, "Model"): classify every span of up to maxSpanSize words;
 * keep those whose most likely class is not None; score every ordered pair of kept spans
 * (in chunks of maxPairs) with a sigmoid per relation type; keep (pair, type) at or above the
 * threshold. Documents longer than the encoder's positions are split into overlapping windows
 * and the windows' predictions merged ({@link Windowing}). Safe for concurrent use: it only
 * reads the model, and each call works in its own no-grad {@link TensorScope}.
 */
public final class Predictor {
    private final TrainedModel model;
    private final TokenizerEncoder encoder;
    private final Windowing windowing;

    public Predictor(TrainedModel model) {
        this.model = model;
        this.encoder = new TokenizerEncoder(model.tokenizer());
        this.windowing = Windowing.forMaxPositions(model.network().bert.config.maxPositions());
    }

    public TokenizerEncoder encoder() {
        return encoder;
    }

    /** Predictions for one document (any length). */
    public DocumentPrediction predict(Document document) {
        List<DocumentWindow> windows = windowing.split(document, encoder);
        if (windows.size() == 1) return predictEncoded(EncodedDocument.encode(document, encoder));
        List<DocumentPrediction> parts = new ArrayList<>();
        for (DocumentWindow w : windows) parts.add(predictEncoded(EncodedDocument.encode(w.document(), encoder)));
        return Windowing.merge(windows, parts);
    }

    public List<DocumentPrediction> predictAll(List<Document> documents) {
        List<DocumentPrediction> out = new ArrayList<>(documents.size());
        for (Document d : documents) out.add(predict(d));
        return out;
    }

    /** Predictions for a document that fits the encoder. */
    public DocumentPrediction predictEncoded(EncodedDocument doc) {
        ModelConfig config = model.config();
        JointExtractor net = model.network();
        InferenceCandidates candidates = InferenceCandidates.enumerate(doc, config.maxSpanSize());
        int n = candidates.count();
        if (n == 0) return DocumentPrediction.empty();
        try (GradMode off = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
            int[] ids = doc.inputIds();
            JointExtractor.Encoded enc = net.encode(new int[][] {ids}, new int[] {ids.length}, Mode.eval());
            int[] docIndex = new int[n];
            int[] start = candidates.subwordStarts(), end = candidates.subwordEnds();
            JointExtractor.SpanFeatures spans = net.spanFeatures(enc, docIndex, start, end, candidates.widths());
            int classes = config.entityTypes();
            float[] probs = net.entityLogits(enc, spans, docIndex, start, end, Mode.eval()).softmax(-1).toArray();

            // Entities: spans whose argmax is not None, sorted by (start, end) as SpERT outputs them.
            List<int[]> kept = new ArrayList<>();   // {candidate, type}
            for (int s = 0; s < n; s++) {
                int best = 0;
                for (int c = 1; c < classes; c++) if (probs[s * classes + c] > probs[s * classes + best]) best = c;
                if (best != 0) kept.add(new int[] {s, best});
            }
            int[] wordStart = candidates.wordStarts(), wordEnd = candidates.wordEnds();
            kept.sort(Comparator.<int[]>comparingInt(k -> wordStart[k[0]]).thenComparingInt(k -> wordEnd[k[0]]));
            List<PredictedEntity> entities = new ArrayList<>();
            for (int[] k : kept) {
                EntityType type = model.types().entityType(k[1]);
                entities.add(new PredictedEntity(wordStart[k[0]], wordEnd[k[0]], type, probs[k[0] * classes + k[1]]));
            }
            List<PredictedRelation> relations = relations(net, enc, spans, candidates, kept);
            return new DocumentPrediction(entities, relations);
        }
    }

    /** Every ordered pair of kept spans, scored in chunks of maxPairs, each in its own tensor scope. */
    private List<PredictedRelation> relations(JointExtractor net, JointExtractor.Encoded enc, JointExtractor.SpanFeatures spans,
                                              InferenceCandidates candidates, List<int[]> kept) {
        ModelConfig config = model.config();
        List<PredictedRelation> out = new ArrayList<>();
        int k = kept.size(), types = config.relationTypes();
        if (k < 2 || types == 0) return out;
        int total = k * (k - 1);
        int[] headEntity = new int[total], tailEntity = new int[total];
        int p = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                if (i == j) continue;
                headEntity[p] = i;
                tailEntity[p] = j;
                p++;
            }
        }
        for (int from = 0; from < total; from += config.maxPairs()) {
            int m = Math.min(config.maxPairs(), total - from);
            int[] head = new int[m], tail = new int[m], cs = new int[m], ce = new int[m], doc = new int[m];
            for (int q = 0; q < m; q++) {
                head[q] = kept.get(headEntity[from + q])[0];
                tail[q] = kept.get(tailEntity[from + q])[0];
                SubwordRange between = SubwordRange.between(candidates.subwordRange(head[q]), candidates.subwordRange(tail[q]));
                cs[q] = between.start();
                ce[q] = between.end();
            }
            float[] scores;
            // each chunk's temporaries go back to the pool before the next: with k kept spans there are
            // k (k - 1) pairs, and holding every chunk's activations to the end grows with k^2
            try (TensorScope chunk = TensorScope.open()) {
                scores = net.relationLogits(enc, spans, doc, head, tail, cs, ce, Mode.eval()).sigmoid().toArray();
            }
            for (int q = 0; q < m; q++) {
                for (int r = 0; r < types; r++) {
                    float score = scores[q * types + r];
                    if (score >= config.relationThreshold()) {
                        out.add(new PredictedRelation(headEntity[from + q], tailEntity[from + q], model.types().relationType(r), score));
                    }
                }
            }
        }
        return out;
    }
}
