package dev.jerex.model.nn;

import dev.jerex.model.data.TrainingSample;
import java.util.List;

/**
 * Training samples of several documents collated into flat arrays: padded token ids, and the
 * entity and relation samples of all documents one after another (each with its document index,
 * relation arguments as indices into the flat entity list). Padding samples (mask 0) are dropped
 * here, so every entry is a real sample.
 */
public final class Batch {
    public final int[][] ids;
    public final int[] lengths;
    // entity samples
    public final int[] entityDoc, entityStart, entityEnd, entityWidth, entityLabel;
    // relation samples
    public final int[] relationDoc, relationHead, relationTail, contextStart, contextEnd;
    public final float[] relationLabels;   // [R * relationTypes], row-major
    public final int relationTypes;

    public Batch(List<TrainingSample> samples, int relationTypes, int padId) {
        this.relationTypes = relationTypes;
        int b = samples.size(), t = 0, e = 0, r = 0;
        for (TrainingSample s : samples) {
            t = Math.max(t, s.inputIds().length);
            for (int m : s.entitySampleMask()) e += m;
            for (int m : s.relationSampleMask()) r += m;
        }
        ids = new int[b][t];
        lengths = new int[b];
        entityDoc = new int[e];
        entityStart = new int[e];
        entityEnd = new int[e];
        entityWidth = new int[e];
        entityLabel = new int[e];
        relationDoc = new int[r];
        relationHead = new int[r];
        relationTail = new int[r];
        contextStart = new int[r];
        contextEnd = new int[r];
        relationLabels = new float[r * relationTypes];
        int ei = 0, ri = 0;
        for (int d = 0; d < b; d++) {
            TrainingSample s = samples.get(d);
            int[] in = s.inputIds();
            lengths[d] = in.length;
            java.util.Arrays.fill(ids[d], padId);
            System.arraycopy(in, 0, ids[d], 0, in.length);
            int[] mask = s.entitySampleMask(), starts = s.entityStarts(), ends = s.entityEnds(), widths = s.entityWidths(), labels = s.entityLabels();
            int[] flatIndex = new int[mask.length];   // sample index in this document -> flat index
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] == 0) continue;
                flatIndex[i] = ei;
                entityDoc[ei] = d;
                entityStart[ei] = starts[i];
                entityEnd[ei] = ends[i];
                entityWidth[ei] = widths[i];
                entityLabel[ei] = labels[i];
                ei++;
            }
            int[] rmask = s.relationSampleMask(), heads = s.relationHeads(), tails = s.relationTails();
            int[] cs = s.relationContextStarts(), ce = s.relationContextEnds();
            float[][] rl = s.relationLabels();
            for (int i = 0; i < rmask.length; i++) {
                if (rmask[i] == 0) continue;
                relationDoc[ri] = d;
                relationHead[ri] = flatIndex[heads[i]];
                relationTail[ri] = flatIndex[tails[i]];
                contextStart[ri] = cs[i];
                contextEnd[ri] = ce[i];
                System.arraycopy(rl[i], 0, relationLabels, ri * relationTypes, relationTypes);
                ri++;
            }
        }
    }

    public int size() {
        return ids.length;
    }
}
