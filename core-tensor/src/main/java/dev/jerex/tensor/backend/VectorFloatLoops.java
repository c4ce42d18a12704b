package dev.jerex.tensor.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link FloatLoops} with the Vector API: whole vectors, then the scalar tail. */
final class VectorFloatLoops implements FloatLoops {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    @Override
    public float axpyTwiceAndDotOfSum(float a, float[] x, int xi, float[] y1, int i1, float[] y2, int i2,
                                      float[] u, int ui, float[] v, int vi, int n) {
        FloatVector lanes = FloatVector.zero(F);
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += F.length()) {
            FloatVector xv = FloatVector.fromArray(F, x, xi + i), ax = xv.mul(a);
            ax.add(FloatVector.fromArray(F, y1, i1 + i)).intoArray(y1, i1 + i);
            ax.add(FloatVector.fromArray(F, y2, i2 + i)).intoArray(y2, i2 + i);
            lanes = FloatVector.fromArray(F, u, ui + i).add(FloatVector.fromArray(F, v, vi + i)).mul(xv).add(lanes);
        }
        float sum = lanes.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float xv = x[xi + i];
            y1[i1 + i] += a * xv;
            y2[i2 + i] += a * xv;
            sum += xv * (u[ui + i] + v[vi + i]);
        }
        return sum;
    }

    @Override
    public float addScaledSumAndDot(float[] acc, int o, float s, float[] x, int xi, float[] y, int yi, float[] g, int gi, int n) {
        FloatVector lanes = FloatVector.zero(F);
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += F.length()) {
            FloatVector xy = FloatVector.fromArray(F, x, xi + i).add(FloatVector.fromArray(F, y, yi + i));
            xy.mul(s).add(FloatVector.fromArray(F, acc, o + i)).intoArray(acc, o + i);
            lanes = xy.mul(FloatVector.fromArray(F, g, gi + i)).add(lanes);
        }
        float sum = lanes.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float xy = x[xi + i] + y[yi + i];
            acc[o + i] += s * xy;
            sum += g[gi + i] * xy;
        }
        return sum;
    }

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
}
