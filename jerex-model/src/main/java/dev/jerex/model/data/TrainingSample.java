package dev.jerex.model.data;

/**
 * The training input for one document, as plain arrays (SPERT.md, "Sampling"; SpERT's
 * {@code sampling.create_train_sample}). Produced by {@link Sampler#trainingSample}.
 *
 * <h2>Entity samples, {@code E = entityCount()}</h2>
 * Positive samples (the gold entities, in document order) come first, then the sampled negatives.
 * <ul>
 *   <li>{@code entityStarts / entityEnds [E]}: sub-word range of the span in {@link #inputIds()}</li>
 *   <li>{@code entityWidths [E]}: number of words, the width-embedding index</li>
 *   <li>{@code entityLabels [E]}: entity type index, 0 = None for negatives</li>
 *   <li>{@code entitySampleMask [E]}: 1 for a real sample, 0 for padding</li>
 * </ul>
 *
 * <h2>Relation samples, {@code R = relationCount()}</h2>
 * Positive pairs (one per related ordered pair of gold entities) first, then sampled negatives.
 * <ul>
 *   <li>{@code relationHeads / relationTails [R]}: indices into the entity samples above</li>
 *   <li>{@code relationLabels [R][relationTypeCount]}: multi-hot targets (all 0 for negatives)</li>
 *   <li>{@code relationContextStarts / relationContextEnds [R]}: the sub-words strictly between the
 *       two spans ({@link SubwordRange#between}); start == end when empty</li>
 *   <li>{@code relationSampleMask [R]}: 1 for a real sample, 0 for padding</li>
 * </ul>
 *
 * <p>Like SpERT, a document without any entity sample (or relation sample) gets one padding sample
 * with mask 0 (span [0, 0), width 0, label 0; pair (0, 0), all-zero labels, empty context), so that
 * batched tensors never have a zero-sized dimension; the loss must ignore masked samples.
 * Accessors return copies.
 */
public final class TrainingSample {

    private final int[] inputIds;
    private final int positiveEntityCount;
    private final int[] entityStarts;
    private final int[] entityEnds;
    private final int[] entityWidths;
    private final int[] entityLabels;
    private final int[] entitySampleMask;
    private final int positiveRelationCount;
    private final int[] relationHeads;
    private final int[] relationTails;
    private final float[][] relationLabels;
    private final int[] relationContextStarts;
    private final int[] relationContextEnds;
    private final int[] relationSampleMask;

    TrainingSample(int[] inputIds, int positiveEntityCount, int[] entityStarts, int[] entityEnds,
                   int[] entityWidths, int[] entityLabels, int[] entitySampleMask, int positiveRelationCount,
                   int[] relationHeads, int[] relationTails, float[][] relationLabels,
                   int[] relationContextStarts, int[] relationContextEnds, int[] relationSampleMask) {
        this.inputIds = inputIds;
        this.positiveEntityCount = positiveEntityCount;
        this.entityStarts = entityStarts;
        this.entityEnds = entityEnds;
        this.entityWidths = entityWidths;
        this.entityLabels = entityLabels;
        this.entitySampleMask = entitySampleMask;
        this.positiveRelationCount = positiveRelationCount;
        this.relationHeads = relationHeads;
        this.relationTails = relationTails;
        this.relationLabels = relationLabels;
        this.relationContextStarts = relationContextStarts;
        this.relationContextEnds = relationContextEnds;
        this.relationSampleMask = relationSampleMask;
    }

    /** {@code [CLS] pieces... [SEP]}. */
    public int[] inputIds() {
        return inputIds.clone();
    }

    /** Length of {@link #inputIds()}. */
    public int contextLength() {
        return inputIds.length;
    }

    /** Number of entity samples, padding included. */
    public int entityCount() {
        return entityStarts.length;
    }

    /** Number of gold (positive) entity samples; they come first. */
    public int positiveEntityCount() {
        return positiveEntityCount;
    }

    public int[] entityStarts() {
        return entityStarts.clone();
    }

    public int[] entityEnds() {
        return entityEnds.clone();
    }

    public int[] entityWidths() {
        return entityWidths.clone();
    }

    public int[] entityLabels() {
        return entityLabels.clone();
    }

    public int[] entitySampleMask() {
        return entitySampleMask.clone();
    }

    /** Number of relation samples, padding included. */
    public int relationCount() {
        return relationHeads.length;
    }

    /** Number of positive relation samples; they come first. */
    public int positiveRelationCount() {
        return positiveRelationCount;
    }

    public int[] relationHeads() {
        return relationHeads.clone();
    }

    public int[] relationTails() {
        return relationTails.clone();
    }

    /** {@code [R][relationTypeCount]} multi-hot targets. */
    public float[][] relationLabels() {
        float[][] copy = new float[relationLabels.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = relationLabels[i].clone();
        }
        return copy;
    }

    public int[] relationContextStarts() {
        return relationContextStarts.clone();
    }

    public int[] relationContextEnds() {
        return relationContextEnds.clone();
    }

    public int[] relationSampleMask() {
        return relationSampleMask.clone();
    }
}
