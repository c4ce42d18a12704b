package dev.jerex.tensor.backend;

import static dev.jerex.tensor.backend.JavaBackend.INV_SQRT_2;
import static dev.jerex.tensor.backend.JavaBackend.INV_SQRT_2PI;
import static dev.jerex.tensor.backend.JavaBackend.LN2_HI;
import static dev.jerex.tensor.backend.JavaBackend.LN2_LO;
import static dev.jerex.tensor.backend.JavaBackend.LOG2E;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ChunkMath} with the Vector API: JavaBackend's scalar formulas (exp, expm1, sigmoid,
 * tanh, the erfc fit of GELU) evaluated operation for operation in double lanes (4 per AVX2
 * register), so the results equal the scalar ones up to the rounding of ties in k = rint(x log2 e)
 * (none in practice). Chunks are widened to a double buffer padded with zeros to whole vectors,
 * so every load and store is unmasked.
 *
 * <p>Each function has its own loop: a shared loop taking the function as a lambda would be a
 * megamorphic call, which the JIT does not inline, and un-inlined vector code boxes every vector.
 */
final class VectorChunkMath implements ChunkMath {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int L = D.length();
    /** 1.5 * 2^52: y + ROUND - ROUND = rint(y) for |y| < 2^51, and y + ROUND holds rint(y) in its low bits. */
    private static final double ROUND = 0x1.8p52;
    private static final long ROUND_BITS = Double.doubleToRawLongBits(ROUND);
    private static final long SIGN = Long.MIN_VALUE;
    private static final ThreadLocal<double[][]> BUFFERS = ThreadLocal.withInitial(() -> new double[3][JavaBackend.CHUNK]);

    // ---- chunk loops -----------------------------------------------------------------------------

    @Override
    public void exp(float[] v, int len) {
        double[] d = widen(0, v, len);
        for (int i = 0; i < len; i += L) exp(DoubleVector.fromArray(D, d, i)).intoArray(d, i);
        narrow(d, v, len);
    }

    @Override
    public void sigmoid(float[] v, int len) {
        double[] d = widen(0, v, len);
        for (int i = 0; i < len; i += L) sigmoid(DoubleVector.fromArray(D, d, i)).intoArray(d, i);
        narrow(d, v, len);
    }

    @Override
    public void tanh(float[] v, int len) {
        double[] d = widen(0, v, len);
        for (int i = 0; i < len; i += L) tanh(DoubleVector.fromArray(D, d, i)).intoArray(d, i);
        narrow(d, v, len);
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

    /** JavaBackend.expm1 for 0 <= x <= 40: s (e^r - 1) + (s - 1). */
    private static DoubleVector expm1(DoubleVector x) {
        DoubleVector shifted = x.mul(LOG2E).add(ROUND);
        DoubleVector k = shifted.sub(ROUND);
        DoubleVector r = x.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
        DoubleVector p = r.mul(1.0 / 40320).add(1.0 / 5040);
        p = p.mul(r).add(1.0 / 720);
        p = p.mul(r).add(1.0 / 120);
        p = p.mul(r).add(1.0 / 24);
        p = p.mul(r).add(1.0 / 6);
        p = p.mul(r).add(1.0 / 2);
        p = p.mul(r).add(1);
        DoubleVector pm1 = p.mul(r);
        DoubleVector s = twoToThe(shifted);
        return s.mul(pm1).add(s.sub(1.0));
    }

    /** JavaBackend.sigmoid: numerator 1 for x >= 0, e for x < 0, with e = exp(-|x|). */
    private static DoubleVector sigmoid(DoubleVector x) {
        DoubleVector e = exp(x.abs().neg());
        DoubleVector numerator = e.blend(1.0, x.compare(VectorOperators.GE, 0.0));
        return numerator.div(e.add(1.0));
    }

    /** JavaBackend.tanh: sign(x) m / (m + 2), m = e^(2 min(|x|, 20)) - 1; the sign copied bitwise (tanh(-0) = -0). */
    private static DoubleVector tanh(DoubleVector x) {
        DoubleVector m = expm1(x.abs().min(20.0).mul(2.0));
        DoubleVector magnitude = m.div(m.add(2.0));
        LongVector sign = x.reinterpretAsLongs().and(SIGN);
        return magnitude.reinterpretAsLongs().or(sign).reinterpretAsDoubles();
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
