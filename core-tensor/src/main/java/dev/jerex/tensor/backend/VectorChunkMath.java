package dev.jerex.tensor.backend;

import static dev.jerex.tensor.backend.JavaBackend.INV_SQRT_2;
import static dev.jerex.tensor.backend.JavaBackend.INV_SQRT_2PI;
import static dev.jerex.tensor.backend.JavaBackend.LN2_HI_F;
import static dev.jerex.tensor.backend.JavaBackend.LN2_LO_F;
import static dev.jerex.tensor.backend.JavaBackend.LOG2E_F;
import static dev.jerex.tensor.backend.JavaBackend.ROUND_F;
import static dev.jerex.tensor.backend.JavaBackend.ROUND_F_BITS;
import static dev.jerex.tensor.backend.JavaBackend.TANH_POLYNOMIAL_BELOW;
import static dev.jerex.tensor.backend.JavaBackend.TWELVE_BITS;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ChunkMath} with the Vector API: JavaBackend's scalar float formulas evaluated operation
 * for operation in float lanes (8 per AVX2 register), so the results equal the scalar ones bit
 * for bit. Each loop runs whole vectors over the chunk itself and leaves the tail, shorter than a
 * vector, to the scalar functions.
 *
 * <p>Each function has its own loop: a shared loop taking the function as a lambda would be a
 * megamorphic call, which the JIT does not inline, and un-inlined vector code boxes every vector.
 */
final class VectorChunkMath implements ChunkMath {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

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

    /**
     * GELU in three passes over the chunk: the two exponents of each x, their exps (the exp
     * loop above), then Phi and x Phi. One pass holding all three exps would be too large for
     * the JIT to inline, and un-inlined vector code boxes every vector (three times slower).
     */
    @Override
    public void gelu(float[] v, int len) {
        float[][] buffers = buffers(len);
        float[] high = buffers[0], rest = buffers[1], t = buffers[2];
        int up = F.loopBound(len);
        for (int i = 0; i < up; i += F.length()) erfcExponents(FloatVector.fromArray(F, v, i), high, rest, t, i);
        exp(high, up);
        exp(rest, up);
        for (int i = 0; i < up; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, v, i);
            FloatVector erfc = FloatVector.fromArray(F, t, i).mul(FloatVector.fromArray(F, high, i)).mul(FloatVector.fromArray(F, rest, i));
            FloatVector upper = FloatVector.zero(F).blend(1f, x.compare(VectorOperators.GE, 0f));
            x.mul(upper.sub(erfc.mul(0.5f)).abs()).intoArray(v, i);
        }
        for (int i = up; i < len; i++) v[i] = JavaBackend.gelu(v[i]);
    }

    /**
     * g *= GELU'(x) = y / x + x phi(x) in three passes as {@link #gelu}; a vector with a lane
     * near 0 or below -5 (the direct formula) by the scalar function.
     */
    @Override
    public void geluBackward(float[] xs, float[] ys, float[] g, int len) {
        float[][] buffers = buffers(len);
        float[] high = buffers[0], rest = buffers[1];
        int up = F.loopBound(len);
        for (int i = 0; i < up; i += F.length()) gaussianExponents(FloatVector.fromArray(F, xs, i), high, rest, i);
        exp(high, up);
        exp(rest, up);
        for (int i = 0; i < up; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, xs, i);
            FloatVector density = x.mul(FloatVector.fromArray(F, high, i).mul(FloatVector.fromArray(F, rest, i))).mul(INV_SQRT_2PI);
            FloatVector derivative = FloatVector.fromArray(F, ys, i).div(x).add(density);
            VectorMask<Float> direct = x.abs().compare(VectorOperators.LT, 1e-3f).or(x.compare(VectorOperators.LT, -5f));
            if (!direct.anyTrue()) {
                derivative.mul(FloatVector.fromArray(F, g, i)).intoArray(g, i);
            } else {
                for (int j = i; j < i + F.length(); j++) g[j] *= JavaBackend.geluDerivativeFromOutput(xs[j], ys[j]);
            }
        }
        for (int i = up; i < len; i++) g[i] *= JavaBackend.geluDerivativeFromOutput(xs[i], ys[i]);
    }

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[3][JavaBackend.CHUNK]);

    /** This thread's three scratch arrays, at least len long. */
    private static float[][] buffers(int len) {
        float[][] all = BUFFERS.get();
        if (all[0].length < len) for (int k = 0; k < all.length; k++) all[k] = new float[Math.max(len, 2 * all[k].length)];
        return all;
    }

    // ---- the formulas, lane-wise (JavaBackend's scalar versions, step by step) -------------------

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

    /**
     * JavaBackend.gaussian's exponents: -h^2 / 2 into high and -(a - h)(a + h) / 2 into rest
     * (a = min(|x|, 16), h = a to 12 significant bits), at i.
     */
    private static void gaussianExponents(FloatVector x, float[] high, float[] rest, int i) {
        FloatVector a = x.abs().min(16f);
        FloatVector h = a.reinterpretAsInts().and(TWELVE_BITS).reinterpretAsFloats();
        h.mul(-0.5f).mul(h).intoArray(high, i);
        a.sub(h).mul(a.add(h)).mul(-0.5f).intoArray(rest, i);
    }

    /**
     * JavaBackend.normalCdf's exponents and t, at i: -h^2 / 2 into high, t q(t) - 1.26551223 -
     * (a - h)(a + h) / 2 into rest (Numerical Recipes' erfc fit), t = 1 / (1 + |x| / (2 sqrt 2)).
     */
    private static void erfcExponents(FloatVector x, float[] high, float[] rest, float[] ts, int i) {
        FloatVector z = x.abs().mul(INV_SQRT_2);
        FloatVector t = FloatVector.broadcast(F, 1f).div(z.mul(0.5f).add(1f));
        FloatVector q = t.mul(0.17087277f).add(-0.82215223f);
        q = q.mul(t).add(1.48851587f);
        q = q.mul(t).add(-1.13520398f);
        q = q.mul(t).add(0.27886807f);
        q = q.mul(t).add(-0.18628806f);
        q = q.mul(t).add(0.09678418f);
        q = q.mul(t).add(0.37409196f);
        q = q.mul(t).add(1.00002368f);
        gaussianExponents(x, high, rest, i);   // rest: -(a - h)(a + h) / 2, added below (x + -y is x - y, bit for bit)
        t.mul(q).sub(1.26551223f).add(FloatVector.fromArray(F, rest, i)).intoArray(rest, i);
        t.intoArray(ts, i);
    }
}
