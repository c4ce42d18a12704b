package dev.jerex.model.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Builds training samples exactly as SpERT does (SPERT.md, "Sampling"; SpERT's
 * {@code sampling.create_train_sample}):
 * <ol>
 *   <li>Positive entities: every gold entity (whatever its width), labelled with its type.</li>
 *   <li>Positive relations: one sample per ordered (head, tail) pair of gold entities that holds at
 *       least one relation, with a multi-hot label over the relation types (in order of the pair's
 *       first relation in the file).</li>
 *   <li>Negative entities: all spans of 1..maxSpanSize words that are not a gold span, of which
 *       {@code min(count, negEntityCount)} are drawn uniformly without replacement; label None (0).</li>
 *   <li>Negative relations: ordered pairs of gold entities with different spans that hold no
 *       relation, so the reverse direction of a positive pair is a negative (SpERT's "strong
 *       negatives"); {@code min(count, negRelationCount)} drawn uniformly without replacement.</li>
 * </ol>
 * The random source is passed in, so a seeded generator reproduces a run. Python's
 * {@code random.sample} cannot be reproduced bit for bit; the distribution is the same.
 *
 * <p>Two details follow SpERT's code literally. Spans are compared by position only, so a relation
 * argument is the <em>first</em> gold entity with that span ({@code pos_entity_spans.index(s)}), and
 * two gold entities with the same span (one span, two types) are never paired with each other.
 */
public final class Sampler {

    private final SamplingConfig config;
    private final int relationTypeCount;

    /**
     * @param config            sample counts and the longest span
     * @param relationTypeCount width of the multi-hot relation labels ({@link Types#relationTypeCount()})
     */
    public Sampler(SamplingConfig config, int relationTypeCount) {
        this.config = Objects.requireNonNull(config, "config");
        if (relationTypeCount < 0) {
            throw new IllegalArgumentException("relationTypeCount must be >= 0, got " + relationTypeCount);
        }
        this.relationTypeCount = relationTypeCount;
    }

    public SamplingConfig config() {
        return config;
    }

    /** Positive and sampled negative entities and relations of one document. */
    public TrainingSample trainingSample(EncodedDocument encoded, RandomGenerator random) {
        Document document = encoded.document();

        // 1. positive entities: the gold spans
        List<SubwordRange> positiveSpans = new ArrayList<>();
        List<Integer> positiveLabels = new ArrayList<>();
        List<Integer> positiveWidths = new ArrayList<>();
        for (int i = 0; i < document.entities().size(); i++) {
            Entity entity = document.entities().get(i);
            positiveSpans.add(encoded.entityRange(i));
            positiveLabels.add(entity.type().index());
            positiveWidths.add(entity.width());
        }

        // 2. positive relations: group the relations by ordered (head entity, tail entity) pair
        Map<List<Integer>, float[]> labelsByPair = new LinkedHashMap<>();
        for (Relation relation : document.relations()) {
            float[] labels = labelsByPair.computeIfAbsent(List.of(relation.head(), relation.tail()),
                    pair -> new float[relationTypeCount]);
            labels[relation.type().index()] = 1f;
        }
        List<int[]> relationPairs = new ArrayList<>();
        List<float[]> relationLabels = new ArrayList<>();
        Set<List<SubwordRange>> positiveSpanPairs = new HashSet<>();
        for (Map.Entry<List<Integer>, float[]> entry : labelsByPair.entrySet()) {
            SubwordRange headSpan = encoded.entityRange(entry.getKey().get(0));
            SubwordRange tailSpan = encoded.entityRange(entry.getKey().get(1));
            relationPairs.add(new int[] {positiveSpans.indexOf(headSpan), positiveSpans.indexOf(tailSpan)});
            relationLabels.add(entry.getValue());
            positiveSpanPairs.add(List.of(headSpan, tailSpan));
        }
        int positiveRelationCount = relationPairs.size();

        // 3. negative entities: every non-gold span of 1..maxSpanSize words, then a uniform sample
        Set<SubwordRange> goldSpans = new HashSet<>(positiveSpans);
        List<int[]> negativeCandidates = new ArrayList<>(); // {wordStart, width}
        for (int width = 1; width <= config.maxSpanSize(); width++) {
            for (int start = 0; start + width <= document.wordCount(); start++) {
                if (!goldSpans.contains(encoded.spanRange(start, start + width))) {
                    negativeCandidates.add(new int[] {start, width});
                }
            }
        }
        List<int[]> negativeEntities = sampleWithoutReplacement(negativeCandidates, config.negEntityCount(), random);

        // 4. negative relations: unrelated ordered pairs of gold entities with different spans
        List<List<SubwordRange>> negativeCandidatePairs = new ArrayList<>();
        for (SubwordRange first : positiveSpans) {
            for (SubwordRange second : positiveSpans) {
                if (!first.equals(second) && !positiveSpanPairs.contains(List.of(first, second))) {
                    negativeCandidatePairs.add(List.of(first, second));
                }
            }
        }
        for (List<SubwordRange> pair : sampleWithoutReplacement(negativeCandidatePairs, config.negRelationCount(), random)) {
            relationPairs.add(new int[] {positiveSpans.indexOf(pair.get(0)), positiveSpans.indexOf(pair.get(1))});
            relationLabels.add(new float[relationTypeCount]);
        }

        // 5. merge into arrays: positives first, then negatives
        int entityCount = positiveSpans.size() + negativeEntities.size();
        boolean entityPadding = entityCount == 0;
        int entityRows = entityPadding ? 1 : entityCount;
        int[] entityStarts = new int[entityRows];
        int[] entityEnds = new int[entityRows];
        int[] entityWidths = new int[entityRows];
        int[] entityLabels = new int[entityRows];
        int[] entitySampleMask = new int[entityRows];
        for (int i = 0; i < positiveSpans.size(); i++) {
            entityStarts[i] = positiveSpans.get(i).start();
            entityEnds[i] = positiveSpans.get(i).end();
            entityWidths[i] = positiveWidths.get(i);
            entityLabels[i] = positiveLabels.get(i);
            entitySampleMask[i] = 1;
        }
        for (int n = 0; n < negativeEntities.size(); n++) {
            int i = positiveSpans.size() + n;
            int start = negativeEntities.get(n)[0];
            int width = negativeEntities.get(n)[1];
            SubwordRange span = encoded.spanRange(start, start + width);
            entityStarts[i] = span.start();
            entityEnds[i] = span.end();
            entityWidths[i] = width;
            entityLabels[i] = 0; // None
            entitySampleMask[i] = 1;
        }

        boolean relationPadding = relationPairs.isEmpty();
        int relationRows = relationPadding ? 1 : relationPairs.size();
        int[] relationHeads = new int[relationRows];
        int[] relationTails = new int[relationRows];
        float[][] labels = new float[relationRows][];
        int[] contextStarts = new int[relationRows];
        int[] contextEnds = new int[relationRows];
        int[] relationSampleMask = new int[relationRows];
        if (relationPadding) {
            labels[0] = new float[relationTypeCount];
        }
        for (int r = 0; r < relationPairs.size(); r++) {
            int head = relationPairs.get(r)[0];
            int tail = relationPairs.get(r)[1];
            relationHeads[r] = head;
            relationTails[r] = tail;
            labels[r] = relationLabels.get(r);
            SubwordRange context = SubwordRange.between(positiveSpans.get(head), positiveSpans.get(tail));
            contextStarts[r] = context.start();
            contextEnds[r] = context.end();
            relationSampleMask[r] = 1;
        }
        return new TrainingSample(encoded.inputIds(), positiveSpans.size(), entityStarts, entityEnds, entityWidths,
                entityLabels, entitySampleMask, positiveRelationCount, relationHeads, relationTails, labels,
                contextStarts, contextEnds, relationSampleMask);
    }

    /** The inference candidates of a document with this sampler's longest span. */
    public InferenceCandidates inferenceCandidates(EncodedDocument encoded) {
        return InferenceCandidates.enumerate(encoded, config.maxSpanSize());
    }

    /**
     * {@code min(k, items.size())} distinct items drawn uniformly, in draw order (like Python's
     * {@code random.sample}): a partial Fisher-Yates shuffle of a copy.
     */
    static <T> List<T> sampleWithoutReplacement(List<T> items, int k, RandomGenerator random) {
        List<T> pool = new ArrayList<>(items);
        int count = Math.min(k, pool.size());
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(pool.size() - i);
            T swap = pool.get(i);
            pool.set(i, pool.get(j));
            pool.set(j, swap);
        }
        return new ArrayList<>(pool.subList(0, count));
    }
}
