package dev.jerex.model.data;

import java.util.Arrays;

/** Builds a {@link TrainingSample} from its arrays (every sample real, mask 1), for fixture tests. */
public final class TrainingSamples {
    private TrainingSamples() {}

    /**
     * @param relationHeads / relationTails indices into this document's entity samples
     * @param relationLabels               [R][relation types], multi-hot
     */
    public static TrainingSample of(int[] inputIds, int[] entityStarts, int[] entityEnds, int[] entityWidths, int[] entityLabels,
                                    int[] relationHeads, int[] relationTails, float[][] relationLabels,
                                    int[] contextStarts, int[] contextEnds) {
        int[] entityMask = new int[entityStarts.length], relationMask = new int[relationHeads.length];
        Arrays.fill(entityMask, 1);
        Arrays.fill(relationMask, 1);
        int positiveEntities = (int) Arrays.stream(entityLabels).filter(l -> l != 0).count();
        int positiveRelations = 0;
        for (float[] labels : relationLabels) {
            for (float l : labels) {
                if (l != 0) {
                    positiveRelations++;
                    break;
                }
            }
        }
        return new TrainingSample(inputIds, positiveEntities, entityStarts, entityEnds, entityWidths, entityLabels, entityMask,
                positiveRelations, relationHeads, relationTails, relationLabels, contextStarts, contextEnds, relationMask);
    }
}
