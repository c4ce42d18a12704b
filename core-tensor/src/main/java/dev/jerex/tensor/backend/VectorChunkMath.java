package dev.jerex.tensor.backend;

import static dev.jerex.tensor.backend.JavaBackend.INV_SQRT_2;
import static dev.jerex.tensor.backend.JavaBackend.INV_SQRT_2PI;
import static dev.jerex.tensor.backend.JavaBackend.LN2_HI;
import static dev.jerex.tensor.backend.JavaBackend.LN2_HI_F;
import static dev.jerex.tensor.backend.JavaBackend.LN2_LO;
import static dev.jerex.tensor.backend.JavaBackend.LN2_LO_F;
import static dev.jerex.tensor.backend.JavaBackend.LOG2E;
import static dev.jerex.tensor.backend.JavaBackend.LOG2E_F;
import static dev.jerex.tensor.backend.JavaBackend.ROUND_F;
import static dev.jerex.tensor.backend.JavaBackend.ROUND_F_BITS;
import static dev.jerex.tensor.backend.JavaBackend.TANH_POLYNOMIAL_BELOW;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ChunkMath} with the Vector API: JavaBackend's scalar formulas evaluated operation for
 * operation, so the results equal the scalar ones. exp, sigmoid and tanh are float formulas and
 * run in float lanes (8 per AVX2 register) over the chunk itself, the tail of fewer than a
 * vector's length by the scalar functions. GELU's erfc fit is a double formula: its chunks are
 * widened to a double buffer padded with zeros to whole vectors (4 lanes), so every load and
 * store is unmasked, and its results equal the scalar ones up to the rounding of ties in
 * k = rint(x log2 e) (none in practice).
 *
 * <p>Each function has its own loop: a shared loop taking the function as a lambda would be a
 * megamorphic call, which the JIT does not inline, and un-inlined vector code boxes every vector.
 */
final class VectorChunkMath implements ChunkMath {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int L = D.length();
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** 1.5 * 2^52: y + ROUND - ROUND = rint(y) for |y| < 2^51, and y + ROUND holds rint(y) in its low bits. */
    private static final double ROUND = 0x1.8p52;
    private static final long ROUND_BITS = Double.doubleToRawLongBits(ROUND);
    private static final ThreadLocal<double[][]> BUFFERS = ThreadLocal.withInitial(() -> new double[3][JavaBackend.CHUNK]);

    // ---- chunk loops -----------------------------------------------------------------------------

    @Override
    public void exp(float[] v, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += F.length()) expf(FloatVector.fromArray(F, v, i)).intoArray(v, i);
        for (; i < len; i++) v[i] = JavaBackend.expf(v[i]);
    }

    @Override
    public void sigmoid(float[] v, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += F.length()) sigmoid(FloatVector.fromArray(F, v, i)).intoArray(v, i);
        for (; i < len; i++) v[i] = JavaBackend.sigmoid(v[i]);
    }

    @Override
    public void tanh(float[] v, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += F.length()) tanh(FloatVector.fromArray(F, v, i)).intoArray(v, i);
        for (; i < len; i++) v[i] = JavaBackend.tanh(v[i]);
    }

    @Override
    public void gelu(float[] v, int len) {
        double[] d = widen(0, v, len);
        for (int i = 0; i < len; i += L) {
            DoubleVector x = DoubleVector.fromArray(D, d, i);
            x.mul(normalCdf(x)).intoArray(d, i);
        }
        narrow(d, v, len);
    }

    @Override
    public void geluBackward(float[] xs, float[] ys, float[] g, int len) {
        double[] dx = widen(0, xs, len), dy = widen(1, ys, len);
        for (int i = 0; i < len; i += L) {
            geluDerivativeFromOutput(DoubleVector.fromArray(D, dx, i), DoubleVector.fromArray(D, dy, i)).intoArray(dx, i);
        }
        for (int i = 0; i < len; i++) g[i] *= (float) dx[i];
    }

    /** Buffer {@code slot} holding v[0, len) as doubles, zero-padded to whole vectors. */
    private static double[] widen(int slot, float[] v, int len) {
        int padded = (len + L - 1) / L * L;
        double[][] all = BUFFERS.get();
        if (all[slot].length < padded) all[slot] = new double[Math.max(padded, 2 * all[slot].length)];
        double[] d = all[slot];
        for (int i = 0; i < len; i++) d[i] = v[i];
        for (int i = len; i < padded; i++) d[i] = 0;
        return d;
    }

    private static void narrow(double[] d, float[] v, int len) {
        for (int i = 0; i < len; i++) v[i] = (float) d[i];
    }

    // ---- the formulas, lane-wise (JavaBackend's scalar versions, step by step) -------------------

    /** 2^k for integer-valued k in [-1022, 1023], given y = k + ROUND. */
    private static DoubleVector twoToThe(DoubleVector kPlusRound) {
        LongVector bits = kPlusRound.reinterpretAsLongs().sub(ROUND_BITS - 1023).lanewise(VectorOperators.LSHL, 52);
        return bits.reinterpretAsDoubles();
    }

    /** JavaBackend.exp: Cody-Waite reduction, Taylor polynomial to r^7, times 2^k. */
    static DoubleVector exp(DoubleVector x) {
        x = x.max(-104.0).min(89.0);
        DoubleVector shifted = x.mul(LOG2E).add(ROUND);
        DoubleVector k = shifted.sub(ROUND);
        DoubleVector r = x.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
        DoubleVector p = r.mul(1.0 / 5040).add(1.0 / 720);
        p = p.mul(r).add(1.0 / 120);
        p = p.mul(r).add(1.0 / 24);
        p = p.mul(r).add(1.0 / 6);
        p = p.mul(r).add(1.0 / 2);
        p = p.mul(r).add(1);
        p = p.mul(r).add(1);
        return p.mul(twoToThe(shifted));
    }

    /** JavaBackend.expf: Cody-Waite reduction in float, Cephes' polynomial, times 2^k as two powers of two. */
    static FloatVector expf(FloatVector x) {
        x = x.max(-104f).min(89f);
        FloatVector shifted = x.mul(LOG2E_F).add(ROUND_F);
        FloatVector k = shifted.sub(ROUND_F);
        FloatVector r = x.sub(k.mul(LN2_HI_F)).sub(k.mul(LN2_LO_F));
        FloatVector p = r.mul(1.9875691500E-4f).add(1.3981999507E-3f);
        p = p.mul(r).add(8.3334519073E-3f);
        p = p.mul(r).add(4.1665795894E-2f);
        p = p.mul(r).add(1.6666665459E-1f);
        p = p.mul(r).add(5.0000001201E-1f);
        FloatVector er = p.mul(r).mul(r).add(r).add(1f);
        IntVector ki = shifted.reinterpretAsInts().sub(ROUND_F_BITS);
        IntVector half = ki.lanewise(VectorOperators.ASHR, 1);
        FloatVector twoToHalf = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector twoToRest = ki.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return er.mul(twoToHalf).mul(twoToRest);
    }

    /** JavaBackend.sigmoid: numerator 1 for x >= 0, e for x < 0, with e = exp(-|x|). */
    private static FloatVector sigmoid(FloatVector x) {
        FloatVector e = expf(x.abs().neg());
        FloatVector numerator = e.blend(1f, x.compare(VectorOperators.GE, 0f));
        return numerator.div(e.add(1f));
    }

    /** JavaBackend.tanh: both of its branches, blended, and x's sign copied bitwise (both are odd: only -0 changes). */
    private static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = z.mul(-5.70498872745E-3f).add(2.06390887954E-2f);
        p = p.mul(z).sub(5.37397155531E-2f);
        p = p.mul(z).add(1.33314422036E-1f);
        p = p.mul(z).sub(3.33332819422E-1f);
        FloatVector small = x.add(x.mul(z.mul(p)));
        FloatVector magnitude = FloatVector.broadcast(F, 1f).sub(FloatVector.broadcast(F, 2f).div(expf(a.mul(2f)).add(1f)));
        FloatVector either = magnitude.blend(small, a.compare(VectorOperators.LT, TANH_POLYNOMIAL_BELOW));
        return either.reinterpretAsInts().or(x.reinterpretAsInts().and(Integer.MIN_VALUE)).reinterpretAsFloats();
    }

    /** JavaBackend.normalCdf: |[x >= 0] - erfc(|x| / sqrt 2) / 2| with Numerical Recipes' erfc fit. */
    private static DoubleVector normalCdf(DoubleVector x) {
        DoubleVector z = x.abs().mul(INV_SQRT_2);
        DoubleVector t = DoubleVector.broadcast(D, 1.0).div(z.mul(0.5).add(1.0));
        DoubleVector q = t.mul(0.17087277).add(-0.82215223);
        q = q.mul(t).add(1.48851587);
        q = q.mul(t).add(-1.13520398);
        q = q.mul(t).add(0.27886807);
        q = q.mul(t).add(-0.18628806);
        q = q.mul(t).add(0.09678418);
        q = q.mul(t).add(0.37409196);
        q = q.mul(t).add(1.00002368);
        DoubleVector erfc = t.mul(exp(z.mul(z).neg().sub(1.26551223).add(t.mul(q))));
        DoubleVector upper = DoubleVector.zero(D).blend(1.0, x.compare(VectorOperators.GE, 0.0));
        return upper.sub(erfc.mul(0.5)).abs();
    }

    /** JavaBackend.geluDerivativeFromOutput: y / x + x phi(x), or Phi(x) + x phi(x) near 0 and below -5. */
    private static DoubleVector geluDerivativeFromOutput(DoubleVector x, DoubleVector y) {
        DoubleVector density = x.mul(exp(x.mul(-0.5).mul(x))).mul(INV_SQRT_2PI);
        DoubleVector phi = y.div(x);
        VectorMask<Double> direct = x.abs().compare(VectorOperators.LT, 1e-3).or(x.compare(VectorOperators.LT, -5.0));
        if (direct.anyTrue()) phi = phi.blend(normalCdf(x), direct);
        return phi.add(density);
    }
}
