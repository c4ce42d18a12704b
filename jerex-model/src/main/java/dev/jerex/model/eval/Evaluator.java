package dev.jerex.model.eval;

import dev.jerex.model.data.Document;
import dev.jerex.model.data.DocumentPrediction;
import dev.jerex.model.data.Entity;
import dev.jerex.model.data.EntityType;
import dev.jerex.model.data.PredictedEntity;
import dev.jerex.model.data.PredictedRelation;
import dev.jerex.model.data.Relation;
import dev.jerex.model.data.RelationType;
import dev.jerex.model.eval.EvaluationResult.Scores;
import dev.jerex.model.eval.EvaluationResult.TaskScores;
import dev.jerex.model.eval.EvaluationResult.TypeScores;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Scores predictions against gold documents exactly as SpERT's {@code evaluator.py} does
 * (SPERT.md, "Evaluation").
 *
 * <h2>What is compared</h2>
 * Every document becomes sets of tuples (word spans stand in for SpERT's sub-word spans; the mapping
 * is one-to-one):
 * <ul>
 *   <li>NER: {@code (start, end, entityType)}.</li>
 *   <li>Relations with NEC: {@code ((headStart, headEnd, headType), (tailStart, tailEnd, tailType),
 *       relationType)}.</li>
 *   <li>Relations without NEC: the same with both entity types replaced by one placeholder.</li>
 * </ul>
 * Predicted relations are every (pair, type) with {@code score >= threshold}; a symmetric type is
 * normalised so the argument that starts first is the head, and duplicates are removed (SpERT's
 * {@code prediction._convert_pred_relations}). The entity types of a predicted relation's arguments
 * are the predicted entities' types.
 *
 * <h2>How it is scored</h2>
 * Per document, each tuple of the union of gold and predicted sets is labelled with its type (the
 * entity type for NER, the relation type for relations): in gold and predicted = true positive,
 * only in gold = false negative, only predicted = false positive. These are the flat label lists
 * SpERT hands to scikit-learn's {@code precision_recall_fscore_support} with
 * {@code labels = types that occur} (in gold or predictions) and {@code zero_division = 0}, so:
 * <pre>
 *   per type t:  P = tp / (tp + fp),  R = tp / (tp + fn),  F1 = 2 tp / (2 tp + fp + fn)   (0 when 0/0)
 *   micro:       the same with tp, fp, fn summed over the types
 *   macro:       the mean of the per-type P, R and F1 over the types that occur
 * </pre>
 * A type with gold items but no prediction thus scores 0 and pulls the macro average down; a type
 * that occurs nowhere does not count at all.
 */
public final class Evaluator {

    /** An entity as compared: its word span and, unless ignored, its type ({@code null} = ignored). */
    record SpanTuple(int start, int end, EntityType type) {

        SpanTuple withoutType() {
            return new SpanTuple(start, end, null);
        }

        /**
         * SpERT's {@code _check_overlap}: two different tuples whose spans share a word. A tuple never
         * overlaps itself.
         */
        boolean overlaps(SpanTuple other) {
            return !(equals(other) || end <= other.start || other.end <= start);
        }
    }

    /** A relation as compared: both arguments and the relation type. */
    record RelationTuple(SpanTuple head, SpanTuple tail, RelationType type) {

        RelationTuple withoutEntityTypes() {
            return new RelationTuple(head.withoutType(), tail.withoutType(), type);
        }
    }

    private final EvaluationOptions options;
    private final List<Set<SpanTuple>> goldEntities = new ArrayList<>();
    private final List<Set<SpanTuple>> predictedEntities = new ArrayList<>();
    private final List<Set<RelationTuple>> goldRelations = new ArrayList<>();
    private final List<Set<RelationTuple>> predictedRelations = new ArrayList<>();

    /** An evaluator with SpERT's defaults (threshold 0.4, overlapping entities kept). */
    public Evaluator() {
        this(EvaluationOptions.defaults());
    }

    public Evaluator(EvaluationOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Scores a whole data set at once. */
    public static EvaluationResult evaluate(List<Document> gold, List<DocumentPrediction> predictions,
                                            EvaluationOptions options) {
        if (gold.size() != predictions.size()) {
            throw new IllegalArgumentException(gold.size() + " gold documents but " + predictions.size() + " predictions");
        }
        Evaluator evaluator = new Evaluator(options);
        for (int i = 0; i < gold.size(); i++) {
            evaluator.add(gold.get(i), predictions.get(i));
        }
        return evaluator.result();
    }

    /** Adds one document: its gold annotation and the model's prediction for it. */
    public void add(Document gold, DocumentPrediction prediction) {
        Objects.requireNonNull(gold, "gold");
        Objects.requireNonNull(prediction, "prediction");
        for (PredictedEntity entity : prediction.entities()) {
            if (entity.end() > gold.wordCount()) {
                throw new IllegalArgumentException(gold.describe() + " has " + gold.wordCount()
                        + " words but a predicted entity spans [" + entity.start() + ", " + entity.end() + ")");
            }
        }

        // gold: SpERT's _convert_gt (symmetric relations were normalised when reading)
        List<SpanTuple> gEntityList = new ArrayList<>();
        for (Entity entity : gold.entities()) {
            gEntityList.add(new SpanTuple(entity.start(), entity.end(), entity.type()));
        }
        List<RelationTuple> gRelationList = new ArrayList<>();
        for (Relation relation : gold.relations()) {
            gRelationList.add(normaliseSymmetric(new RelationTuple(gEntityList.get(relation.head()),
                    gEntityList.get(relation.tail()), relation.type())));
        }

        // predictions: SpERT's convert_predictions
        List<SpanTuple> pEntityList = new ArrayList<>();
        for (PredictedEntity entity : prediction.entities()) {
            pEntityList.add(new SpanTuple(entity.start(), entity.end(), entity.type()));
        }
        List<RelationTuple> pRelationList = new ArrayList<>();
        Set<RelationTuple> seen = new LinkedHashSet<>();
        for (PredictedRelation relation : prediction.relations()) {
            if (relation.score() < options.relationThreshold()) {
                continue;
            }
            RelationTuple tuple = normaliseSymmetric(new RelationTuple(pEntityList.get(relation.head()),
                    pEntityList.get(relation.tail()), relation.type()));
            if (seen.add(tuple)) {
                pRelationList.add(tuple);
            }
        }

        if (options.noOverlapping()) {
            removeOverlapping(gEntityList, gRelationList);
            removeOverlapping(pEntityList, pRelationList);
        }
        goldEntities.add(new LinkedHashSet<>(gEntityList));
        goldRelations.add(new LinkedHashSet<>(gRelationList));
        predictedEntities.add(new LinkedHashSet<>(pEntityList));
        predictedRelations.add(new LinkedHashSet<>(pRelationList));
    }

    /** Number of documents added so far. */
    public int documentCount() {
        return goldEntities.size();
    }

    /** NER, relations without NEC and relations with NEC over all documents added. */
    public EvaluationResult result() {
        TaskScores ner = score(goldEntities, predictedEntities, Function.identity(),
                tuple -> Label.of(tuple.type()));
        TaskScores rel = score(goldRelations, predictedRelations, RelationTuple::withoutEntityTypes,
                tuple -> Label.of(tuple.type()));
        TaskScores relNec = score(goldRelations, predictedRelations, Function.identity(),
                tuple -> Label.of(tuple.type()));
        return new EvaluationResult(ner, rel, relNec);
    }

    /** SPERT.md "Data": a symmetric relation has the argument that starts first as head. */
    private static RelationTuple normaliseSymmetric(RelationTuple tuple) {
        if (tuple.type().symmetric() && tuple.tail().start() < tuple.head().start()) {
            return new RelationTuple(tuple.tail(), tuple.head(), tuple.type());
        }
        return tuple;
    }

    /**
     * SpERT's {@code remove_overlapping}: drop every entity that overlaps another entity of the
     * document, and every relation whose head and tail overlap each other. Optionally (not SpERT)
     * also drop relations that involve a dropped entity.
     */
    private void removeOverlapping(List<SpanTuple> entities, List<RelationTuple> relations) {
        List<SpanTuple> kept = new ArrayList<>();
        Set<SpanTuple> removed = new LinkedHashSet<>();
        for (SpanTuple entity : entities) {
            boolean overlapping = entities.stream().anyMatch(entity::overlaps);
            if (overlapping) {
                removed.add(entity);
            } else {
                kept.add(entity);
            }
        }
        entities.clear();
        entities.addAll(kept);
        relations.removeIf(relation -> relation.head().overlaps(relation.tail())
                || (options.dropRelationsOfRemovedEntities()
                && (removed.contains(relation.head()) || removed.contains(relation.tail()))));
    }

    /** A scoring label: a type's index (for ordering), name and short name. */
    private record Label(int index, String name, String shortName) {

        static Label of(EntityType type) {
            return new Label(type.index(), type.name(), type.shortName());
        }

        static Label of(RelationType type) {
            return new Label(type.index(), type.name(), type.shortName());
        }
    }

    /** True positives, false positives and false negatives of one label. */
    private static final class Counts {
        final Label label;
        long truePositives;
        long falsePositives;
        long falseNegatives;

        Counts(Label label) {
            this.label = label;
        }
    }

    /**
     * SpERT's {@code _score}: per document, walk the union of gold and predicted tuples and count
     * tp / fp / fn per label; then per-type, micro and macro scores.
     */
    private static <T> TaskScores score(List<Set<T>> gold, List<Set<T>> predicted, Function<T, T> convert,
                                        Function<T, Label> labelOf) {
        TreeMap<Integer, Counts> countsByIndex = new TreeMap<>();
        for (int doc = 0; doc < gold.size(); doc++) {
            Set<T> goldSet = new LinkedHashSet<>();
            gold.get(doc).forEach(tuple -> goldSet.add(convert.apply(tuple)));
            Set<T> predictedSet = new LinkedHashSet<>();
            predicted.get(doc).forEach(tuple -> predictedSet.add(convert.apply(tuple)));
            Set<T> union = new LinkedHashSet<>(goldSet);
            union.addAll(predictedSet);
            for (T tuple : union) {
                Label label = labelOf.apply(tuple);
                Counts counts = countsByIndex.computeIfAbsent(label.index(), index -> new Counts(label));
                boolean inGold = goldSet.contains(tuple);
                boolean inPredicted = predictedSet.contains(tuple);
                if (inGold && inPredicted) {
                    counts.truePositives++;
                } else if (inGold) {
                    counts.falseNegatives++;
                } else {
                    counts.falsePositives++;
                }
            }
        }

        List<TypeScores> perType = new ArrayList<>();
        long tp = 0;
        long fp = 0;
        long fn = 0;
        double precisionSum = 0;
        double recallSum = 0;
        double f1Sum = 0;
        for (Counts counts : countsByIndex.values()) {
            double precision = ratio(counts.truePositives, counts.truePositives + counts.falsePositives);
            double recall = ratio(counts.truePositives, counts.truePositives + counts.falseNegatives);
            double f1 = f1(counts.truePositives, counts.falsePositives, counts.falseNegatives);
            perType.add(new TypeScores(counts.label.name(), counts.label.shortName(), 100 * precision, 100 * recall,
                    100 * f1, Math.toIntExact(counts.truePositives + counts.falseNegatives)));
            precisionSum += precision;
            recallSum += recall;
            f1Sum += f1;
            tp += counts.truePositives;
            fp += counts.falsePositives;
            fn += counts.falseNegatives;
        }
        int typeCount = countsByIndex.size();
        Scores micro = new Scores(100 * ratio(tp, tp + fp), 100 * ratio(tp, tp + fn), 100 * f1(tp, fp, fn));
        Scores macro = typeCount == 0 ? new Scores(0, 0, 0)
                : new Scores(100 * precisionSum / typeCount, 100 * recallSum / typeCount, 100 * f1Sum / typeCount);
        return new TaskScores(micro, macro, perType);
    }

    /** {@code numerator / denominator}, or 0 when the denominator is 0 (scikit-learn's zero_division=0). */
    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0.0 : (double) numerator / denominator;
    }

    /** F1 = 2PR / (P + R) = 2tp / (2tp + fp + fn), 0 when undefined (scikit-learn's formula). */
    private static double f1(long tp, long fp, long fn) {
        return ratio(2 * tp, 2 * tp + fp + fn);
    }
}
