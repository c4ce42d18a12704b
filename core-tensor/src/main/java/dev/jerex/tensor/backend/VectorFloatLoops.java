package dev.jerex.tensor.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link FloatLoops} with the Vector API: whole vectors, then the scalar tail. */
final class VectorFloatLoops implements FloatLoops {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    @Override
    public void scaleAdd(float[] out, int o, float[] base, int b, float a, float[] x, int xi, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += F.length()) {
            FloatVector.fromArray(F, x, xi + i).mul(a).add(FloatVector.fromArray(F, base, b + i)).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = base[b + i] + a * x[xi + i];
    }

    @Override
    public void axpy(float a, float[] x, int xi, float[] y, int yi, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += F.length()) {
            FloatVector.fromArray(F, x, xi + i).mul(a).add(FloatVector.fromArray(F, y, yi + i)).intoArray(y, yi + i);
        }
        for (; i < n; i++) y[yi + i] += a * x[xi + i];
    }

    @Override
    public void addScaledSum(float[] acc, int o, float s, float[] x, int xi, float[] y, int yi, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += F.length()) {
            FloatVector sum = FloatVector.fromArray(F, x, xi + i).add(FloatVector.fromArray(F, y, yi + i));
            sum.mul(s).add(FloatVector.fromArray(F, acc, o + i)).intoArray(acc, o + i);
        }
        for (; i < n; i++) acc[o + i] += s * (x[xi + i] + y[yi + i]);
    }

    @Override
    public float dotOfSum(float[] g, int gi, float[] x, int xi, float[] y, int yi, int n) {
        FloatVector lanes = FloatVector.zero(F);
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += F.length()) {
            FloatVector sum = FloatVector.fromArray(F, x, xi + i).add(FloatVector.fromArray(F, y, yi + i));
            lanes = sum.mul(FloatVector.fromArray(F, g, gi + i)).add(lanes);
        }
        float total = lanes.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) total += g[gi + i] * (x[xi + i] + y[yi + i]);
        return total;
    }
}
