package dev.jerex.tensor.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link FloatLoops} with the Vector API: whole vectors, then the scalar tail. */
final class VectorFloatLoops implements FloatLoops {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** The tails, shorter than a vector. */
    private static final FloatLoops SCALAR = new FloatLoops.Scalar();

    @Override
    public void maxWithArgmax(float[] max, float[] arg, float[] x, int xi, float at, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xi + i), m = FloatVector.fromArray(F, max, i);
            VectorMask<Float> greater = v.compare(VectorOperators.GT, m);
            m.blend(v, greater).intoArray(max, i);
            FloatVector.fromArray(F, arg, i).blend(at, greater).intoArray(arg, i);
        }
        FloatLoops.Scalar.maxWithArgmax(i, n, max, arg, x, xi, at);
    }

    @Override
    public void gruCellBackwardRow(float[] gates, float[] hn, float[] h, float[] g, float[] dx, float[] dhh, float[] gh, int hidden) {
        int j = 0, z0 = hidden, n0 = 2 * hidden;
        for (int up = F.loopBound(hidden); j < up; j += F.length()) {
            FloatVector r = FloatVector.fromArray(F, gates, j), z = FloatVector.fromArray(F, gates, z0 + j);
            FloatVector n = FloatVector.fromArray(F, gates, n0 + j), gv = FloatVector.fromArray(F, g, j);
            FloatVector dn = gv.mul(z.neg().add(1f));
            FloatVector dz = gv.mul(FloatVector.fromArray(F, h, j).sub(n));
            FloatVector a = dn.mul(n.mul(n).neg().add(1f));
            FloatVector dr = a.mul(FloatVector.fromArray(F, hn, j)).mul(r).mul(r.neg().add(1f));
            FloatVector dzp = dz.mul(z).mul(z.neg().add(1f));
            dr.intoArray(dx, j);
            dzp.intoArray(dx, z0 + j);
            a.intoArray(dx, n0 + j);
            dr.intoArray(dhh, j);
            dzp.intoArray(dhh, z0 + j);
            a.mul(r).intoArray(dhh, n0 + j);
            gv.mul(z).intoArray(gh, j);
        }
        FloatLoops.Scalar.gruCellBackward(j, hidden, gates, hn, h, g, dx, dhh, gh, hidden);
    }

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
        return lanes.reduceLanes(VectorOperators.ADD) + SCALAR.axpyTwiceAndDotOfSum(a, x, xi + i, y1, i1 + i, y2, i2 + i, u, ui + i, v, vi + i, n - i);
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
        return lanes.reduceLanes(VectorOperators.ADD) + SCALAR.addScaledSumAndDot(acc, o + i, s, x, xi + i, y, yi + i, g, gi + i, n - i);
    }

    @Override
    public void scaleAdd(float[] out, int o, float[] base, int b, float a, float[] x, int xi, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += F.length()) {
            FloatVector.fromArray(F, x, xi + i).mul(a).add(FloatVector.fromArray(F, base, b + i)).intoArray(out, o + i);
        }
        SCALAR.scaleAdd(out, o + i, base, b + i, a, x, xi + i, n - i);
    }

    @Override
    public void axpy(float a, float[] x, int xi, float[] y, int yi, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += F.length()) {
            FloatVector.fromArray(F, x, xi + i).mul(a).add(FloatVector.fromArray(F, y, yi + i)).intoArray(y, yi + i);
        }
        SCALAR.axpy(a, x, xi + i, y, yi + i, n - i);
    }

    @Override
    public void addScaledSum(float[] acc, int o, float s, float[] x, int xi, float[] y, int yi, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += F.length()) {
            FloatVector sum = FloatVector.fromArray(F, x, xi + i).add(FloatVector.fromArray(F, y, yi + i));
            sum.mul(s).add(FloatVector.fromArray(F, acc, o + i)).intoArray(acc, o + i);
        }
        SCALAR.addScaledSum(acc, o + i, s, x, xi + i, y, yi + i, n - i);
    }
}
