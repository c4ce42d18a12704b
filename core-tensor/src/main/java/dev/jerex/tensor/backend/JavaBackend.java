package dev.jerex.tensor.backend;

import dev.jerex.tensor.Storage;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The pure-Java reference backend: every kernel as a plain loop over the host buffer. It is the
 * backend all others are tested against, so clarity comes first; the matrix product, where the
 * time goes, is a packed, blocked kernel ({@link JavaGemm}) that uses the Vector API when the JVM
 * enables it. Large element-wise and row-wise kernels split their work over {@code threads}.
 *
 * <p>Memory access: storages are direct {@link FloatBuffer}s. An element-wise {@code get(i)} /
 * {@code put(i, v)} costs a bounds check and an address computation per float and keeps C2
 * from vectorising, so the kernels move data in bulk instead: a row or a chunk of
 * {@link #CHUNK} floats is copied into a per-thread heap array ({@link #scratch}), the math runs
 * as a plain loop over arrays, and the result is copied back in one call. The functions
 * themselves ({@link #apply(UnaryOp, float, float)}, {@link #derivative}) stay the one scalar
 * definition every backend is checked against; the loops only hoist the switch on the op.
 */
public class JavaBackend implements Backend {
    /** Work below this many elements runs on the calling thread. */
    private static final int PARALLEL_GRAIN = 1 << 15;
    /** Floats per bulk transfer between a buffer and a scratch array (8 KiB: stays in L1). */
    static final int CHUNK = 2048;
    /** exp, sigmoid, tanh and GELU over chunks: with the Vector API when the JVM has it. */
    static final ChunkMath MATH = ChunkMath.best();
    static final FloatLoops LOOPS = FloatLoops.best();
    /** Per-thread scratch arrays, by slot; grown on demand (rows longer than CHUNK). */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[6][CHUNK]);

    /** This thread's scratch array number {@code slot}, at least n floats long. */
    static float[] scratch(int slot, int n) {
        float[][] all = SCRATCH.get();
        if (all[slot].length < n) all[slot] = new float[Math.max(n, all[slot].length * 2)];
        return all[slot];
    }

    private final int threads;
    private final ForkJoinPool pool;
    private final JavaGemm gemm;

    public JavaBackend(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
        this.gemm = new JavaGemm(threads, pool);
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public int threads() {
        return threads;
    }

    /** Whether the matrix product uses the Vector API (needs --add-modules jdk.incubator.vector). */
    public boolean usesVectorApi() {
        return gemm.usesVectorApi();
    }

    protected static FloatBuffer buf(Storage s) {
        s.checkLive();
        return ((HostStorage) s).data;
    }

    /** Runs body(from, to) over [0, n) in chunks, in parallel when it is worth it. */
    protected void parallelFor(int n, int costPerItem, RangeBody body) {
        long work = (long) n * costPerItem;
        if (pool == null || work < PARALLEL_GRAIN || n < 2) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(n, threads * 4);
        pool.submit(() -> IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
            body.run(from, to);
        })).join();
    }

    @FunctionalInterface
    protected interface RangeBody {
        void run(int from, int to);
    }

    // ---- memory ---------------------------------------------------------------------------

    @Override
    public Storage allocate(int n) {
        return new HostStorage(this, n);
    }

    @Override
    public Storage upload(float[] values) {
        HostStorage s = new HostStorage(this, values.length);
        s.data.put(0, values);
        return s;
    }

    @Override
    public void download(Storage src, int offset, float[] dst, int dstOffset, int n) {
        buf(src).get(offset, dst, dstOffset, n);
    }

    @Override
    public void fill(Storage dst, int offset, int n, float value) {
        FloatBuffer d = buf(dst);
        float[] v = scratch(0, CHUNK);
        Arrays.fill(v, 0, Math.min(n, CHUNK), value);
        for (int i = 0; i < n; i += CHUNK) d.put(offset + i, v, 0, Math.min(CHUNK, n - i));
    }

    @Override
    public void copy(int[] shape, Storage src, int srcOffset, int[] srcStrides, Storage dst, int dstOffset, int[] dstStrides) {
        FloatBuffer s = buf(src), d = buf(dst);
        int rank = shape.length;
        if (rank == 0) {
            d.put(dstOffset, s.get(srcOffset));
            return;
        }
        for (int dim : shape) if (dim == 0) return;
        // Merge axes that are contiguous in both operands: fewer, longer rows.
        int[][] merged = mergeAxes(shape, srcStrides, dstStrides);
        shape = merged[0];
        srcStrides = merged[1];
        dstStrides = merged[2];
        rank = shape.length;
        // Odometer over all but the last dimension; the last dimension is the inner loop.
        int last = rank - 1, len = shape[last], ss = srcStrides[last], ds = dstStrides[last];
        int[] idx = new int[rank];
        int so = srcOffset, dOff = dstOffset;
        while (true) {
            if (ss == 1 && ds == 1) {
                d.put(dOff, s, so, len);   // one bulk copy, buffer to buffer
            } else if (ds == 1) {
                float[] v = scratch(0, len);
                for (int i = 0; i < len; i++) v[i] = s.get(so + i * ss);
                d.put(dOff, v, 0, len);
            } else {
                for (int i = 0; i < len; i++) d.put(dOff + i * ds, s.get(so + i * ss));
            }
            int k = last - 1;
            while (k >= 0) {
                idx[k]++;
                so += srcStrides[k];
                dOff += dstStrides[k];
                if (idx[k] < shape[k]) break;
                so -= srcStrides[k] * shape[k];
                dOff -= dstStrides[k] * shape[k];
                idx[k] = 0;
                k--;
            }
            if (k < 0) return;
        }
    }

    /**
     * Drops size-1 axes and merges each axis into the next when every operand steps over it as
     * one contiguous run (stride[i] == stride[i+1] * shape[i+1]): the same elements, visited in
     * the same order, in fewer and longer rows. Returns {shape, strides of each operand...}.
     */
    static int[][] mergeAxes(int[] shape, int[]... strides) {
        int ops = strides.length;
        int[] sh = new int[shape.length];
        int[][] st = new int[ops][shape.length];
        int r = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) continue;
            boolean merge = r > 0;
            for (int o = 0; merge && o < ops; o++) merge = st[o][r - 1] == strides[o][i] * shape[i];
            if (merge) {
                sh[r - 1] *= shape[i];
                for (int o = 0; o < ops; o++) st[o][r - 1] = strides[o][i];
            } else {
                sh[r] = shape[i];
                for (int o = 0; o < ops; o++) st[o][r] = strides[o][i];
                r++;
            }
        }
        if (r == 0) {   // every axis was 1: a single element
            sh[0] = 1;
            r = 1;
        }
        int[][] out = new int[ops + 1][];
        out[0] = Arrays.copyOf(sh, r);
        for (int o = 0; o < ops; o++) out[o + 1] = Arrays.copyOf(st[o], r);
        return out;
    }

    // ---- element-wise -----------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, float p, Storage x, int xOffset, Storage y, int yOffset, int n) {
        FloatBuffer xs = buf(x), ys = buf(y);
        parallelFor(n, op == UnaryOp.GELU || op == UnaryOp.EXP || op == UnaryOp.TANH || op == UnaryOp.SIGMOID ? 16 : 1, (from, to) -> {
            float[] v = scratch(0, CHUNK);
            for (int s = from; s < to; s += CHUNK) {
                int len = Math.min(CHUNK, to - s);
                xs.get(xOffset + s, v, 0, len);
                applyAll(op, p, v, len);
                ys.put(yOffset + s, v, 0, len);
            }
        });
    }

    /** v[i] = f(v[i]) for i < len: {@link #apply(UnaryOp, float, float)} with the switch hoisted. */
    static void applyAll(UnaryOp op, float p, float[] v, int len) {
        switch (op) {
            case EXP: MATH.exp(v, len); break;
            case TANH: MATH.tanh(v, len); break;
            case SIGMOID: MATH.sigmoid(v, len); break;
            case NEG: for (int i = 0; i < len; i++) v[i] = -v[i]; break;
            case RELU: for (int i = 0; i < len; i++) v[i] = v[i] > 0 ? v[i] : 0f; break;
            case ADD_SCALAR: for (int i = 0; i < len; i++) v[i] += p; break;
            case MUL_SCALAR: for (int i = 0; i < len; i++) v[i] *= p; break;
            case RSUB_SCALAR: for (int i = 0; i < len; i++) v[i] = p - v[i]; break;
            case GELU: MATH.gelu(v, len); break;
            default: for (int i = 0; i < len; i++) v[i] = apply(op, p, v[i]);
        }
    }

    static float apply(UnaryOp op, float p, float x) {
        switch (op) {
            case NEG: return -x;
            case EXP: return expf(x);
            case LOG: return (float) Math.log(x);
            case SQRT: return (float) Math.sqrt(x);
            case TANH: return tanh(x);
            case SIGMOID: return sigmoid(x);
            case RELU: return x > 0 ? x : 0f;
            case GELU: return gelu(x);
            case ABS: return Math.abs(x);
            case POW: return (float) Math.pow(x, p);
            case ADD_SCALAR: return x + p;
            case MUL_SCALAR: return x * p;
            case RSUB_SCALAR: return p - x;
            case SOFTPLUS: return (float) softplus(x);
            default: throw new AssertionError(op);
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, float p, Storage x, int xOffset, Storage y, int yOffset,
                              Storage gy, int gyOffset, Storage gx, int gxOffset, int n) {
        FloatBuffer xs = buf(x), ys = y == null ? null : buf(y), gys = buf(gy), gxs = buf(gx);
        parallelFor(n, op == UnaryOp.GELU ? 16 : 2, (from, to) -> {
            float[] xv = scratch(0, CHUNK), yv = scratch(1, CHUNK), g = scratch(2, CHUNK);
            for (int s = from; s < to; s += CHUNK) {
                int len = Math.min(CHUNK, to - s);
                xs.get(xOffset + s, xv, 0, len);
                if (ys != null) ys.get(yOffset + s, yv, 0, len);
                else Arrays.fill(yv, 0, len, 0f);
                gys.get(gyOffset + s, g, 0, len);
                switch (op) {   // the common derivatives inline; the rest through derivative()
                    case TANH: for (int i = 0; i < len; i++) g[i] *= 1f - yv[i] * yv[i]; break;
                    case SIGMOID: for (int i = 0; i < len; i++) g[i] *= yv[i] * (1f - yv[i]); break;
                    case EXP: for (int i = 0; i < len; i++) g[i] *= yv[i]; break;
                    case MUL_SCALAR: for (int i = 0; i < len; i++) g[i] *= p; break;
                    case ADD_SCALAR: break;
                    case GELU:
                        if (ys == null) {
                            for (int i = 0; i < len; i++) g[i] *= geluDerivative(xv[i]);
                        } else {
                            MATH.geluBackward(xv, yv, g, len);
                        }
                        break;
                    default: for (int i = 0; i < len; i++) g[i] *= derivative(op, p, xv[i], yv[i]);
                }
                gxs.put(gxOffset + s, g, 0, len);
            }
        });
    }

    static float derivative(UnaryOp op, float p, float x, float y) {
        switch (op) {
            case NEG: return -1f;
            case EXP: return y;
            case LOG: return 1f / x;
            case SQRT: return 0.5f / y;
            case TANH: return 1f - y * y;
            case SIGMOID: return y * (1f - y);
            case RELU: return x > 0 ? 1f : 0f;
            case GELU: return geluDerivative(x);
            case ABS: return Math.signum(x);
            case POW: return (float) (p * Math.pow(x, p - 1));
            case ADD_SCALAR: return 1f;
            case MUL_SCALAR: return p;
            case RSUB_SCALAR: return -1f;
            case SOFTPLUS: return sigmoid(x);
            default: throw new AssertionError(op);
        }
    }

    static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2 * Math.PI));
    static final float INV_SQRT_2 = (float) (1.0 / Math.sqrt(2));

    /**
     * sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0, with e = e^-|x| <= 1 (never
     * overflows, and no cancellation for very negative x). Float arithmetic throughout; within
     * 3 ulp of the exact value (FloatMathTest).
     */
    static float sigmoid(float x) {
        float e = expf(-Math.abs(x));
        float numerator = x >= 0 ? 1f : e;
        return numerator / (1f + e);
    }

    static final float LOG2E_F = 1.44269504f;
    /** Cephes' split of ln 2 for floats: LN2_HI_F has 10 significant bits, so k LN2_HI_F is exact for |k| < 2^14. */
    static final float LN2_HI_F = 0.693359375f, LN2_LO_F = -2.12194440e-4f;
    /** 1.5 * 2^23: y + ROUND_F - ROUND_F = rint(y) for |y| < 2^22, and y + ROUND_F holds rint(y) in its low bits. */
    static final float ROUND_F = 0x1.8p23f;
    static final int ROUND_F_BITS = Float.floatToRawIntBits(ROUND_F);

    /**
     * e^x in float arithmetic (Cephes' expf), within 2 ulp: x = k ln2 + r with |r| <= ln2 / 2
     * (Cody-Waite: k ln2 subtracted in two parts), e^r = 1 + r + r^2 P(r) with Cephes' degree-5
     * minimax P, times 2^k as two powers of two built in the exponent bits (2^k alone would
     * overflow the exponent field at k = 128 and underflow it below -126). x is clamped to
     * [-104, 89], where e^x is 0 or infinite in float (so e^-inf = 0 and e^+inf = inf), and NaN
     * stays NaN. The Vector API version ({@link VectorChunkMath}) does the same operations in
     * the same order, so the two agree bit for bit.
     */
    static float expf(float x) {
        x = Math.max(-104f, Math.min(89f, x));
        float shifted = x * LOG2E_F + ROUND_F;
        float k = shifted - ROUND_F;
        float r = (x - k * LN2_HI_F) - k * LN2_LO_F;
        float p = ((((1.9875691500E-4f * r + 1.3981999507E-3f) * r + 8.3334519073E-3f) * r + 4.1665795894E-2f) * r
                + 1.6666665459E-1f) * r + 5.0000001201E-1f;
        float er = p * r * r + r + 1f;
        int ki = Float.floatToRawIntBits(shifted) - ROUND_F_BITS, half = ki >> 1;
        return er * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((ki - half + 127) << 23);
    }

    /** Below this |x|, tanh is the odd polynomial; from it on, 1 - 2 / (e^2|x| + 1) (no cancellation left). */
    static final float TANH_POLYNOMIAL_BELOW = 0.625f;

    /**
     * tanh in float arithmetic (Cephes' tanhf), within 3 ulp: x + x z P(z), z = x^2, for
     * |x| < 0.625; sign(x) (1 - 2 / (e^2|x| + 1)) beyond (1 for large |x|, where e^2|x| is
     * infinite). tanh(-0) = -0 and NaN stays NaN. Bit for bit the Vector API version.
     */
    static float tanh(float x) {
        float a = Math.abs(x);
        if (a < TANH_POLYNOMIAL_BELOW) {
            float z = x * x;
            float p = (((-5.70498872745E-3f * z + 2.06390887954E-2f) * z - 5.37397155531E-2f) * z + 1.33314422036E-1f) * z
                    - 3.33332819422E-1f;
            return Math.copySign(x + x * (z * p), x);   // the sign copied: -0 + +0 would be +0
        }
        return Math.copySign(1f - 2f / (expf(2f * a) + 1f), x);
    }

    /** ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): exact for large |x|. */
    static double softplus(float x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** GELU(x) = x Phi(x), exact erf (not the tanh approximation). */
    static float gelu(float x) {
        return x * normalCdf(x);
    }

    /** GELU'(x) = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi). */
    static float geluDerivative(float x) {
        return normalCdf(x) + x * gaussian(x) * INV_SQRT_2PI;
    }

    /**
     * GELU'(x) from the saved output y = x Phi(x): Phi(x) = y / x, so the CDF is not evaluated
     * again. y / x is Phi to float precision wherever y is a normal float well away from x = 0;
     * elsewhere (|x| < 1e-3, x < -5) the direct formula is used.
     */
    static float geluDerivativeFromOutput(float x, float y) {
        if (Math.abs(x) < 1e-3f || x < -5f) return geluDerivative(x);
        return y / x + x * gaussian(x) * INV_SQRT_2PI;
    }

    /** Keeps the sign, the exponent and the top 11 stored bits of a float: its square is exact. */
    static final int TWELVE_BITS = 0xFFFFF000;

    /**
     * e^(-x^2/2) to float precision. Rounding x^2 would cost a relative error of about x^2 ulp
     * (hundreds in GELU's tail), so x^2 is split exactly: with a = |x| and h = a cut to 12
     * significant bits, x^2 = h^2 + (a - h)(a + h), where h^2 and h^2 / 2 are exact floats and
     * the rest is below 2^-10 x^2. |x| is clamped to 16, where the result is already 0 (and
     * infinite x would make a - h NaN).
     */
    static float gaussian(float x) {
        float a = Math.min(Math.abs(x), 16f), h = twelveBitHead(a);
        return expf(-0.5f * h * h) * expf(-0.5f * ((a - h) * (a + h)));
    }

    /** a cut to 12 significant bits ({@link #TWELVE_BITS}): h^2 is exact, and a - h too. */
    static float twelveBitHead(float a) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(a) & TWELVE_BITS);
    }

    /**
     * Phi(x) = erfc(-x / sqrt 2) / 2, the standard normal CDF (exact-erf GELU). With
     * h = erfc(|x| / sqrt 2) / 2, Phi(x) = 1 - h for x >= 0 and h for x < 0, written
     * |[x >= 0] - h|: no cancellation in the left tail, where h is tiny (1 + erf(x / sqrt 2)
     * would round to 0 below x = -5.5).
     *
     * <p>erfc from Numerical Recipes' Chebyshev fit, relative error below 1.2e-7 everywhere:
     * erfc(z) = t e^(-z^2) exp(-1.26551223 + t (1.00002368 + ...)), t = 1 / (1 + z/2), with
     * e^(-z^2) = e^(-x^2/2) split as in {@link #gaussian}, its small factor joined to the fit's
     * bounded exponent (two exps, not three). In float arithmetic GELU = x Phi(x) is within
     * 9 ulp (FloatMathTest; the rounding of t and of the polynomial), where the double-precision
     * evaluation it replaced was within 1. The Vector API version does the same operations in
     * the same order.
     */
    static float normalCdf(float x) {
        float z = Math.abs(x) * INV_SQRT_2;
        float t = 1f / (1f + 0.5f * z);
        float q = t * 0.17087277f + -0.82215223f;
        q = q * t + 1.48851587f;
        q = q * t + -1.13520398f;
        q = q * t + 0.27886807f;
        q = q * t + -0.18628806f;
        q = q * t + 0.09678418f;
        q = q * t + 0.37409196f;
        q = q * t + 1.00002368f;
        float a = Math.min(Math.abs(x), 16f), h = twelveBitHead(a);
        float erfc = t * expf(-0.5f * h * h) * expf(t * q - 1.26551223f - 0.5f * ((a - h) * (a + h)));
        float upper = x >= 0 ? 1f : 0f;
        return Math.abs(upper - 0.5f * erfc);
    }

    @Override
    public void binary(BinaryOp op, float p, int[] shape, Storage a, int aOffset, int[] aStrides,
                       Storage b, int bOffset, int[] bStrides, Storage out, int outOffset) {
        FloatBuffer as = buf(a), bs = buf(b), os = buf(out);
        int n = 1;
        for (int d : shape) n *= d;
        if (n == 0) return;
        if (shape.length == 0) {
            os.put(outOffset, apply(op, p, as.get(aOffset), bs.get(bOffset)));
            return;
        }
        // Merge axes contiguous in a, b and out alike (out is contiguous): e.g. a [B, T, C] + b [C]
        // becomes B*T rows of C, and a + b of equal contiguous shapes one row of n.
        int[][] merged = mergeAxes(shape, aStrides, bStrides, contiguousStrides(shape));
        int[] sh = merged[0], aSt = merged[1], bSt = merged[2];
        int rank = sh.length;
        // Inner loop over the last axis; outer rows enumerated by an odometer per chunk.
        int last = rank - 1, len = sh[last], sa = aSt[last], sb = bSt[last];
        int rows = n / len;
        parallelFor(rows, len, (from, to) -> {
            float[] av = scratch(3, CHUNK), bv = scratch(4, CHUNK);
            int[] idx = new int[rank];
            int ao = aOffset, bo = bOffset;
            // position the odometer at row `from`
            int r = from;
            for (int k = last - 1; k >= 0; k--) {
                idx[k] = r % sh[k];
                r /= sh[k];
                ao += idx[k] * aSt[k];
                bo += idx[k] * bSt[k];
            }
            for (int row = from; row < to; row++) {
                binaryRow(op, p, as, ao, sa, bs, bo, sb, os, outOffset + row * len, len, av, bv);
                for (int k = last - 1; k >= 0; k--) {
                    idx[k]++;
                    ao += aSt[k];
                    bo += bSt[k];
                    if (idx[k] < sh[k]) break;
                    ao -= aSt[k] * sh[k];
                    bo -= bSt[k] * sh[k];
                    idx[k] = 0;
                }
            }
        });
    }

    /** Row-major strides of a contiguous shape. */
    private static int[] contiguousStrides(int[] shape) {
        int[] st = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = acc;
            acc *= shape[i];
        }
        return st;
    }

    /**
     * out[oo + i] = f(a[ao + i*sa], b[bo + i*sb]) for i < len, a chunk at a time through the
     * scratch arrays av and bv (CHUNK floats each).
     */
    private static void binaryRow(BinaryOp op, float p, FloatBuffer a, int ao, int sa, FloatBuffer b, int bo, int sb,
                                  FloatBuffer o, int oo, int len, float[] av, float[] bv) {
        for (int s = 0; s < len; s += CHUNK) {
            int n = Math.min(CHUNK, len - s);
            load(a, ao + s * sa, sa, av, n);
            load(b, bo + s * sb, sb, bv, n);
            // The common cases get their own loops so the JIT can keep them tight (and vectorise).
            switch (op) {
                case ADD: for (int i = 0; i < n; i++) av[i] += bv[i]; break;
                case SUB: for (int i = 0; i < n; i++) av[i] -= bv[i]; break;
                case MUL: for (int i = 0; i < n; i++) av[i] *= bv[i]; break;
                case DIV: for (int i = 0; i < n; i++) av[i] /= bv[i]; break;
                default: for (int i = 0; i < n; i++) av[i] = apply(op, p, av[i], bv[i]);
            }
            o.put(oo + s, av, 0, n);
        }
    }

    /** v[0:n] = x[off + i * stride]: one bulk read when contiguous, a fill when broadcast. */
    private static void load(FloatBuffer x, int off, int stride, float[] v, int n) {
        if (stride == 1) x.get(off, v, 0, n);
        else if (stride == 0) Arrays.fill(v, 0, n, x.get(off));
        else for (int i = 0; i < n; i++) v[i] = x.get(off + i * stride);
    }

    static float apply(BinaryOp op, float p, float a, float b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV: return a / b;
            case MAX: return Math.max(a, b);
            case EQ: return a == b ? 1f : 0f;
            case GT: return a > b ? 1f : 0f;
            case MASKED_FILL: return b != 0f ? p : a;
            default: throw new AssertionError(op);
        }
    }

    @Override
    public void reduce(ReduceOp op, Storage x, int xOffset, int outer, int len, int inner, Storage y, int yOffset) {
        FloatBuffer xs = buf(x), ys = buf(y);
        parallelFor(outer, len * inner, (from, to) -> {
            for (int o = from; o < to; o++) {
                int base = xOffset + o * len * inner, out = yOffset + o * inner;
                if (inner == 1) {
                    // A contiguous run of len values: read it a chunk at a time.
                    float[] v = scratch(0, CHUNK);
                    double acc = 0;   // sums in double: thousands of floats stay exact to float precision
                    float m = Float.NEGATIVE_INFINITY;
                    for (int s = 0; s < len; s += CHUNK) {
                        int n = Math.min(CHUNK, len - s);
                        xs.get(base + s, v, 0, n);
                        if (op == ReduceOp.SUM) acc += sum(v, n);
                        else for (int i = 0; i < n; i++) m = Math.max(m, v[i]);
                    }
                    ys.put(out, op == ReduceOp.SUM ? (float) acc : m);
                    continue;
                }
                // Reduce over rows of length inner, one bulk row read at a time (the rows are
                // contiguous; walking down a column instead would touch one float per cache line).
                float[] row = scratch(0, inner), res = scratch(1, inner);
                if (op == ReduceOp.SUM) {
                    double[] acc = new double[inner];
                    for (int l = 0; l < len; l++) {
                        xs.get(base + l * inner, row, 0, inner);
                        for (int i = 0; i < inner; i++) acc[i] += row[i];
                    }
                    for (int i = 0; i < inner; i++) res[i] = (float) acc[i];
                } else {
                    Arrays.fill(res, 0, inner, Float.NEGATIVE_INFINITY);
                    for (int l = 0; l < len; l++) {
                        xs.get(base + l * inner, row, 0, inner);
                        for (int i = 0; i < inner; i++) res[i] = Math.max(res[i], row[i]);
                    }
                }
                ys.put(out, res, 0, inner);
            }
        });
    }

    // ---- matrix products ----------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Storage a, int aOffset, int lda, Storage b, int bOffset, int ldb,
                     float beta, Storage c, int cOffset, int ldc) {
        gemm.gemm(transA, transB, m, n, k, alpha, buf(a), aOffset, lda, buf(b), bOffset, ldb, beta, buf(c), cOffset, ldc);
    }

    // ---- fused rows -----------------------------------------------------------------------------

    @Override
    public void softmax(boolean log, Storage x, int xOffset, Storage y, int yOffset, int rows, int cols) {
        FloatBuffer xs = buf(x), ys = buf(y);
        parallelFor(rows, cols * 8, (from, to) -> {
            float[] v = scratch(0, cols), e = scratch(1, cols);
            for (int r = from; r < to; r++) {
                xs.get(xOffset + r * cols, v, 0, cols);
                float max = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < cols; c++) max = Math.max(max, v[c]);
                if (max == Float.NEGATIVE_INFINITY) max = 0f;   // a fully masked row: exp(-inf) = 0 below
                for (int c = 0; c < cols; c++) e[c] = v[c] - max;
                MATH.exp(e, cols);   // the chunk's exps at once (the Vector API's lanes when available)
                double sum = sum(e, cols);
                if (log) {
                    float logSum = (float) Math.log(sum) + max;
                    for (int c = 0; c < cols; c++) e[c] = v[c] - logSum;
                } else {
                    float inv = sum == 0 ? 0f : (float) (1.0 / sum);
                    for (int c = 0; c < cols; c++) e[c] *= inv;
                }
                ys.put(yOffset + r * cols, e, 0, cols);
            }
        });
    }

    @Override
    public void softmaxBackward(boolean log, Storage y, int yOffset, Storage gy, int gyOffset,
                                Storage gx, int gxOffset, int rows, int cols) {
        FloatBuffer ys = buf(y), gys = buf(gy), gxs = buf(gx);
        parallelFor(rows, cols * 4, (from, to) -> {
            float[] yv = scratch(0, cols), g = scratch(1, cols);
            for (int r = from; r < to; r++) {
                ys.get(yOffset + r * cols, yv, 0, cols);
                gys.get(gyOffset + r * cols, g, 0, cols);
                double dot = 0;
                if (log) {
                    for (int c = 0; c < cols; c++) dot += g[c];
                    for (int c = 0; c < cols; c++) g[c] = (float) (g[c] - Math.exp(yv[c]) * dot);
                } else {
                    for (int c = 0; c < cols; c++) dot += g[c] * yv[c];
                    for (int c = 0; c < cols; c++) g[c] = (float) (yv[c] * (g[c] - dot));
                }
                gxs.put(gxOffset + r * cols, g, 0, cols);
            }
        });
    }

    @Override
    public void gruCell(Storage xt, int xtOffset, int xtStride, Storage hh, int hhOffset, Storage h, int hOffset,
                        Storage hNext, int hNextOffset, Storage gates, int gatesOffset, int rows, int hidden) {
        FloatBuffer xs = buf(xt), hhs = buf(hh), hs = buf(h), outs = buf(hNext), gs = buf(gates);
        int g3 = 3 * hidden;
        parallelFor(rows, hidden * 40, (from, to) -> {
            float[] x = scratch(0, g3), a = scratch(1, g3), hp = scratch(2, hidden), gate = scratch(3, g3), out = scratch(4, hidden);
            for (int r = from; r < to; r++) {
                xs.get(xtOffset + r * xtStride, x, 0, g3);
                hhs.get(hhOffset + r * g3, a, 0, g3);
                hs.get(hOffset + r * hidden, hp, 0, hidden);
                for (int j = 0; j < 2 * hidden; j++) gate[j] = x[j] + a[j];
                MATH.sigmoid(gate, 2 * hidden);                                                  // r, z
                for (int j = 0; j < hidden; j++) out[j] = x[2 * hidden + j] + gate[j] * a[2 * hidden + j];
                MATH.tanh(out, hidden);                                                          // n
                for (int j = 0; j < hidden; j++) {
                    float n = out[j];
                    gate[2 * hidden + j] = n;
                    out[j] = n + gate[hidden + j] * (hp[j] - n);
                }
                outs.put(hNextOffset + r * hidden, out, 0, hidden);
                gs.put(gatesOffset + r * g3, gate, 0, g3);
            }
        });
    }

    @Override
    public void gruCellBackward(Storage gates, int gatesOffset, Storage hh, int hhOffset, Storage h, int hOffset,
                                Storage ghNext, int ghNextOffset, Storage gxt, int gxtOffset, int gxtStride,
                                Storage ghh, int ghhOffset, Storage gh, int ghOffset, int rows, int hidden) {
        FloatBuffer gs = buf(gates), hhs = buf(hh), hs = buf(h), gns = buf(ghNext), gxs = buf(gxt), ghhs = buf(ghh), ghs = buf(gh);
        int g3 = 3 * hidden;
        parallelFor(rows, hidden * 30, (from, to) -> {
            float[] gate = scratch(0, g3), hn = scratch(1, hidden), hp = scratch(2, hidden), g = scratch(3, hidden);
            float[] dx = scratch(4, g3), dhh = scratch(5, g3);
            for (int r = from; r < to; r++) {
                gs.get(gatesOffset + r * g3, gate, 0, g3);
                hhs.get(hhOffset + r * g3 + 2 * hidden, hn, 0, hidden);
                hs.get(hOffset + r * hidden, hp, 0, hidden);
                gns.get(ghNextOffset + r * hidden, g, 0, hidden);
                LOOPS.gruCellBackwardRow(gate, hn, hp, g, dx, dhh, hp, hidden);   // gh into h's array
                gxs.put(gxtOffset + r * gxtStride, dx, 0, g3);
                ghhs.put(ghhOffset + r * g3, dhh, 0, g3);
                ghs.put(ghOffset + r * hidden, hp, 0, hidden);
            }
        });
    }

    @Override
    public void lstmCell(Storage xt, int xtOffset, int xtStride, Storage hh, int hhOffset, Storage c, int cOffset, int cStride,
                         Storage out, int outOffset, Storage act, int actOffset, int rows, int hidden) {
        FloatBuffer xs = buf(xt), hhs = buf(hh), cs = buf(c), outs = buf(out), as = buf(act);
        int g4 = 4 * hidden;
        parallelFor(rows, hidden * 60, (from, to) -> {
            float[] x = scratch(0, g4), a = scratch(1, g4), cv = scratch(2, hidden), o2 = scratch(3, 2 * hidden), s = scratch(4, 5 * hidden);
            float[] t = scratch(5, hidden);
            for (int r = from; r < to; r++) {
                xs.get(xtOffset + r * xtStride, x, 0, g4);
                hhs.get(hhOffset + r * g4, a, 0, g4);
                cs.get(cOffset + r * cStride, cv, 0, hidden);
                for (int j = 0; j < g4; j++) s[j] = x[j] + a[j];
                MATH.sigmoid(s, 2 * hidden);                                                     // i, f
                for (int j = 0; j < hidden; j++) t[j] = s[3 * hidden + j];
                MATH.sigmoid(t, hidden);                                                         // o
                System.arraycopy(t, 0, s, 3 * hidden, hidden);
                for (int j = 0; j < hidden; j++) t[j] = s[2 * hidden + j];
                MATH.tanh(t, hidden);                                                            // g
                for (int j = 0; j < hidden; j++) {
                    s[2 * hidden + j] = t[j];
                    float cNext = s[hidden + j] * cv[j] + s[j] * t[j];
                    o2[hidden + j] = cNext;
                    t[j] = cNext;
                }
                MATH.tanh(t, hidden);                                                            // tanh c'
                for (int j = 0; j < hidden; j++) {
                    s[4 * hidden + j] = t[j];
                    o2[j] = s[3 * hidden + j] * t[j];
                }
                outs.put(outOffset + r * 2 * hidden, o2, 0, 2 * hidden);
                as.put(actOffset + r * 5 * hidden, s, 0, 5 * hidden);
            }
        });
    }

    @Override
    public void lstmCellBackward(Storage act, int actOffset, Storage c, int cOffset, int cStride, Storage gOut, int gOutOffset,
                                 Storage gGates, int gGatesOffset, Storage gc, int gcOffset, int gcStride, int rows, int hidden) {
        FloatBuffer as = buf(act), cs = buf(c), gos = buf(gOut), ggs = buf(gGates), gcs = buf(gc);
        parallelFor(rows, hidden * 30, (from, to) -> {
            float[] s = scratch(0, 5 * hidden), cv = scratch(1, hidden), go = scratch(2, 2 * hidden), d = scratch(3, 4 * hidden);
            for (int r = from; r < to; r++) {
                as.get(actOffset + r * 5 * hidden, s, 0, 5 * hidden);
                cs.get(cOffset + r * cStride, cv, 0, hidden);
                gos.get(gOutOffset + r * 2 * hidden, go, 0, 2 * hidden);
                for (int j = 0; j < hidden; j++) {
                    float i = s[j], f = s[hidden + j], g = s[2 * hidden + j], o = s[3 * hidden + j], t = s[4 * hidden + j];
                    float dh = go[j];
                    float dc = go[hidden + j] + dh * o * (1f - t * t);
                    d[j] = dc * g * i * (1f - i);
                    d[hidden + j] = dc * cv[j] * f * (1f - f);
                    d[2 * hidden + j] = dc * i * (1f - g * g);
                    d[3 * hidden + j] = dh * t * o * (1f - o);
                    cv[j] = dc * f;   // gc, reusing c's array
                }
                ggs.put(gGatesOffset + r * 4 * hidden, d, 0, 4 * hidden);
                gcs.put(gcOffset + r * gcStride, cv, 0, hidden);
            }
        });
    }

    @Override
    public void layerNorm(Storage x, int xOffset, Storage gamma, int gammaOffset, Storage beta, int betaOffset,
                          Storage y, int yOffset, Storage mean, Storage rstd, int rows, int cols, float eps) {
        FloatBuffer xs = buf(x), gs = buf(gamma), bs = buf(beta), ys = buf(y), ms = buf(mean), rs = buf(rstd);
        float[] gv = new float[cols], bv = new float[cols];
        gs.get(gammaOffset, gv, 0, cols);
        bs.get(betaOffset, bv, 0, cols);
        parallelFor(rows, cols * 4, (from, to) -> {
            float[] v = scratch(0, cols);
            for (int r = from; r < to; r++) {
                xs.get(xOffset + r * cols, v, 0, cols);
                double mu = sum(v, cols) / cols;
                double inv = 1.0 / Math.sqrt(sumOfSquaredDeviations(v, cols, mu) / cols + eps);
                for (int c = 0; c < cols; c++) v[c] = (float) ((v[c] - mu) * inv) * gv[c] + bv[c];
                ys.put(yOffset + r * cols, v, 0, cols);
                ms.put(r, (float) mu);
                rs.put(r, (float) inv);
            }
        });
    }

    /** sum of v[0..n) in double, in four interleaved sums (one running sum would wait on each add's latency). */
    static double sum(float[] v, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
        }
        for (; i < n; i++) s0 += v[i];
        return (s0 + s1) + (s2 + s3);
    }

    /** sum of (v[i] - mu)^2 over [0, n) in double, in four interleaved sums. */
    static double sumOfSquaredDeviations(float[] v, int n, double mu) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double d0 = v[i] - mu, d1 = v[i + 1] - mu, d2 = v[i + 2] - mu, d3 = v[i + 3] - mu;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < n; i++) {
            double d = v[i] - mu;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void layerNormBackward(Storage x, int xOffset, Storage gamma, int gammaOffset, Storage mean, Storage rstd,
                                  Storage gy, int gyOffset, Storage gx, int gxOffset,
                                  Storage ggamma, Storage gbeta, int rows, int cols) {
        FloatBuffer xs = buf(x), gs = buf(gamma), ms = buf(mean), rs = buf(rstd), gys = buf(gy), gxs = buf(gx);
        FloatBuffer ggs = buf(ggamma), gbs = buf(gbeta);
        float[] gam = new float[cols];
        gs.get(gammaOffset, gam, 0, cols);
        // gx is independent per row (parallel); ggamma/gbeta sum over rows (sequential, in double).
        parallelFor(rows, cols * 6, (from, to) -> {
            float[] xv = scratch(0, cols), gv = scratch(1, cols);
            for (int r = from; r < to; r++) {
                xs.get(xOffset + r * cols, xv, 0, cols);
                gys.get(gyOffset + r * cols, gv, 0, cols);
                float mu = ms.get(r), inv = rs.get(r);
                double meanG = 0, meanGX = 0;
                for (int c = 0; c < cols; c++) {
                    double g = gv[c] * gam[c];
                    double xhat = (xv[c] - mu) * inv;
                    meanG += g;
                    meanGX += g * xhat;
                }
                meanG /= cols;
                meanGX /= cols;
                for (int c = 0; c < cols; c++) {
                    double g = gv[c] * gam[c];
                    double xhat = (xv[c] - mu) * inv;
                    xv[c] = (float) (inv * (g - meanG - xhat * meanGX));
                }
                gxs.put(gxOffset + r * cols, xv, 0, cols);
            }
        });
        double[] dGamma = new double[cols], dBeta = new double[cols];
        float[] xv = scratch(0, cols), gv = scratch(1, cols);
        for (int r = 0; r < rows; r++) {
            xs.get(xOffset + r * cols, xv, 0, cols);
            gys.get(gyOffset + r * cols, gv, 0, cols);
            float mu = ms.get(r), inv = rs.get(r);
            for (int c = 0; c < cols; c++) {
                float g = gv[c];
                dGamma[c] += g * ((xv[c] - mu) * inv);
                dBeta[c] += g;
            }
        }
        for (int c = 0; c < cols; c++) {
            ggs.put(c, ggs.get(c) + (float) dGamma[c]);
            gbs.put(c, gbs.get(c) + (float) dBeta[c]);
        }
    }

    // ---- optimisers -------------------------------------------------------------------------------

    /** Elements moved between the buffers and plain arrays per block in the bulk kernels below. */
    private static final int BLOCK = 4096;
    private static final ThreadLocal<float[][]> BLOCKS = ThreadLocal.withInitial(() -> new float[4][BLOCK]);

    /**
     * The AdamW update in blocks: each block of p, g, m, v is copied into arrays with one bulk
     * transfer, updated by a tight array loop the JIT can vectorise, and written back — several
     * times faster than element-wise buffer access over the ~20M parameters of a BERT.
     */
    @Override
    public void adamw(Storage p, int pOffset, Storage g, int gOffset, float gradScale, Storage m, Storage v, int n,
                      float beta1, float beta2, float eps, float stepSize, float denomScale, float decay, boolean decayBeforeUpdate) {
        FloatBuffer ps = buf(p), gs = buf(g), ms = buf(m), vs = buf(v);
        parallelFor((n + BLOCK - 1) / BLOCK, BLOCK * 8, (fromBlock, toBlock) -> {
            float[][] a = BLOCKS.get();
            float[] pa = a[0], ga = a[1], ma = a[2], va = a[3];
            for (int block = fromBlock; block < toBlock; block++) {
                int at = block * BLOCK, len = Math.min(BLOCK, n - at);
                ps.get(pOffset + at, pa, 0, len);
                gs.get(gOffset + at, ga, 0, len);
                ms.get(at, ma, 0, len);
                vs.get(at, va, 0, len);
                float keep = decayBeforeUpdate ? 1f - decay : 1f, keepAfter = decayBeforeUpdate ? 1f : 1f - decay;
                for (int i = 0; i < len; i++) {
                    float gi = ga[i] * gradScale;
                    float mi = beta1 * ma[i] + (1 - beta1) * gi;
                    float vi = beta2 * va[i] + (1 - beta2) * gi * gi;
                    ma[i] = mi;
                    va[i] = vi;
                    pa[i] = (pa[i] * keep - stepSize * mi / (denomScale * (float) Math.sqrt(vi) + eps)) * keepAfter;
                }
                ps.put(pOffset + at, pa, 0, len);
                ms.put(at, ma, 0, len);
                vs.put(at, va, 0, len);
            }
        });
    }

    @Override
    public double sumOfSquares(Storage[] parts, int[] offsets, int[] counts) {
        double total = 0;
        for (int p = 0; p < parts.length; p++) total += sumOfSquares(parts[p], offsets[p], counts[p]);
        return total;
    }

    /** sum x^2 over n contiguous elements, accumulated in double, in blocks. */
    private double sumOfSquares(Storage x, int offset, int n) {
        FloatBuffer xs = buf(x);
        float[] a = BLOCKS.get()[0];
        double total = 0;
        for (int at = 0; at < n; at += BLOCK) {
            int len = Math.min(BLOCK, n - at);
            xs.get(offset + at, a, 0, len);
            // A block of <= 4096 squares in float, in four interleaved sums (one running sum would
            // wait on each add's latency), then the blocks in double.
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int i = 0;
            for (; i + 3 < len; i += 4) {
                s0 += a[i] * a[i];
                s1 += a[i + 1] * a[i + 1];
                s2 += a[i + 2] * a[i + 2];
                s3 += a[i + 3] * a[i + 3];
            }
            for (; i < len; i++) s0 += a[i] * a[i];
            total += (s0 + s1) + (s2 + s3);
        }
        return total;
    }

    // ---- indexing ---------------------------------------------------------------------------------

    @Override
    public void gatherRows(Storage src, int srcOffset, int rowLength, int[] index, Storage dst, int dstOffset) {
        FloatBuffer s = buf(src), d = buf(dst);
        for (int i = 0; i < index.length; i++) {
            d.put(dstOffset + i * rowLength, s, srcOffset + index[i] * rowLength, rowLength);
        }
    }

    @Override
    public void scatterAddRows(Storage src, int srcOffset, int rowLength, int[] index, Storage dst, int dstOffset) {
        FloatBuffer s = buf(src), d = buf(dst);
        float[] sv = scratch(0, rowLength), dv = scratch(1, rowLength);
        for (int i = 0; i < index.length; i++) {
            int dOff = dstOffset + index[i] * rowLength;
            s.get(srcOffset + i * rowLength, sv, 0, rowLength);
            d.get(dOff, dv, 0, rowLength);
            for (int c = 0; c < rowLength; c++) dv[c] += sv[c];
            d.put(dOff, dv, 0, rowLength);
        }
    }

    // ---- attention with a span hidden -------------------------------------------------------------

    /**
     * Below this visible mass (relative to the row's largest weight, 1), a span's prefix and suffix
     * sums would be made of underflowed terms: that (span, head, query) is summed directly instead,
     * with its own maximum. Never met with ordinary scores (the hidden keys would have to outscore
     * every visible one by more than 41).
     */
    private static final float SPAN_HIDDEN_DIRECT_BELOW = 0x1p-60f;
    private static final float SPAN_HIDDEN_DIRECT_LOG = (float) Math.log(SPAN_HIDDEN_DIRECT_BELOW);

    /**
     * For each query t (in parallel) and head h, with e_j = exp(scores[h, t, j] - max_j):
     * <pre>
     * prefix  N[k] = sum_{j<k} e_j values[h, j],   Z[k] = sum_{j<k} e_j        [L+1, G], [L+1]
     * suffix  N'[k] = sum_{j>=k} e_j values[h, j], Z'[k] = sum_{j>=k} e_j
     * out[s, t] += (N[start_s] + N'[end_s]) / (Z[start_s] + Z'[end_s])
     * </pre>
     * Per query: O(H (L + S) G), against O(H S L G) for the span-by-span softmax.
     */
    @Override
    public void spanHiddenAttention(Storage scores, int scoresOffset, Storage values, int valuesOffset, int heads, int len, int width,
                                    int[] start, int[] end, Storage out, Storage lse) {
        checkSpans("spanHiddenAttention", start, end, len);
        int spans = start.length;
        float[] sc = new float[heads * len * len], va = new float[heads * len * width];
        buf(scores).get(scoresOffset, sc);
        buf(values).get(valuesOffset, va);
        FloatBuffer os = buf(out), ls = buf(lse);
        parallelFor(len, (int) Math.min(Integer.MAX_VALUE, (long) heads * (2 * len + 2 * spans) * width), (from, to) -> {
            float[] acc = scratch(0, spans * width), pre = scratch(1, (len + 1) * width), suf = scratch(2, (len + 1) * width);
            float[] e = scratch(3, len), preZ = scratch(4, len + 1), sufZ = scratch(5, len + 1);
            for (int t = from; t < to; t++) {
                Arrays.fill(acc, 0, spans * width, 0f);
                for (int h = 0; h < heads; h++) {
                    int row = (h * len + t) * len, vh = h * len * width;
                    float max = rowExp(sc, row, len, e);
                    prefixSuffixSums(e, va, vh, len, width, pre, preZ, suf, sufZ);
                    for (int s = 0; s < spans; s++) {
                        int a = start[s], b = end[s], li = (s * heads + h) * len + t;
                        float z = preZ[a] + sufZ[b];
                        if (a == 0 && b == len) {
                            ls.put(li, Float.NEGATIVE_INFINITY);
                        } else if (z >= SPAN_HIDDEN_DIRECT_BELOW) {
                            LOOPS.addScaledSum(acc, s * width, 1f / z, pre, a * width, suf, b * width, width);
                            ls.put(li, max + (float) Math.log(z));
                        } else {
                            ls.put(li, directVisibleSum(sc, row, va, vh, len, width, a, b, acc, s * width));
                        }
                    }
                }
                for (int s = 0; s < spans; s++) os.put((s * len + t) * width, acc, s * width, width);
            }
        });
    }

    /**
     * Per head (in parallel) and query t, with w_s = 1/Z_s and the softmax backward
     * gScores_j = P_j (g.v_j - g.y): the spans' terms are gathered at their start and end,
     * <pre>
     * A[a] = sum_{s: start_s = a} w_s g_s,  B[b] = sum_{s: end_s = b} w_s g_s      (and the scalars w_s g_s.y_s alike)
     * G_j  = sum_{a > j} A[a] + sum_{b <= j} B[b]                                   (the spans that see key j)
     * gValues[h, j] += e_j G_j,   gScores[h, t, j] = e_j (G_j . values[h, j] - C_j)
     * </pre>
     * The (span, head, query) triples summed directly in the forward are differentiated directly.
     */
    @Override
    public void spanHiddenAttentionBackward(Storage scores, int scoresOffset, Storage values, int valuesOffset, Storage lse,
                                            Storage gOut, int gOutOffset, int heads, int len, int width, int[] start, int[] end,
                                            Storage gScores, Storage gValues) {
        checkSpans("spanHiddenAttentionBackward", start, end, len);
        int spans = start.length;
        float[] sc = new float[heads * len * len], va = new float[heads * len * width], go = new float[spans * len * width];
        float[] ls = new float[spans * heads * len];
        buf(scores).get(scoresOffset, sc);
        buf(values).get(valuesOffset, va);
        buf(gOut).get(gOutOffset, go);
        buf(lse).get(0, ls);
        FloatBuffer gss = buf(gScores), gvs = buf(gValues);
        parallelFor(heads, (int) Math.min(Integer.MAX_VALUE, (long) len * (6 * len + 3 * spans) * width), (from, to) -> {
            float[] pre = scratch(0, (len + 1) * width), suf = scratch(1, (len + 1) * width);
            float[] byStart = scratch(2, (len + 1) * width), byEnd = scratch(3, (len + 1) * width), gv = scratch(4, len * width);
            float[] e = new float[len], preZ = new float[len + 1], sufZ = new float[len + 1], gRow = new float[len];
            float[] cStart = new float[len + 1], cEnd = new float[len + 1];
            for (int h = from; h < to; h++) {
                int vh = h * len * width;
                Arrays.fill(gv, 0, len * width, 0f);
                for (int t = 0; t < len; t++) {
                    int row = (h * len + t) * len;
                    float max = rowExp(sc, row, len, e);
                    prefixSuffixSums(e, va, vh, len, width, pre, preZ, suf, sufZ);
                    Arrays.fill(byStart, 0, (len + 1) * width, 0f);
                    Arrays.fill(byEnd, 0, (len + 1) * width, 0f);
                    Arrays.fill(cStart, 0f);
                    Arrays.fill(cEnd, 0f);
                    Arrays.fill(gRow, 0f);
                    for (int s = 0; s < spans; s++) {
                        float l = ls[(s * heads + h) * len + t];
                        if (l == Float.NEGATIVE_INFINITY) continue;   // nothing visible: no gradient
                        int a = start[s], b = end[s], gs = (s * len + t) * width;
                        if (l - max < SPAN_HIDDEN_DIRECT_LOG) {
                            directVisibleBackward(sc, row, l, va, vh, len, width, a, b, go, gs, gRow, gv);
                            continue;
                        }
                        float w = (float) Math.exp(max - l);   // 1 / Z_s
                        // byStart[a] += w g, byEnd[b] += w g;  c = w g.y with y = w (N[a] + N'[b])
                        float c = w * w * LOOPS.axpyTwiceAndDotOfSum(w, go, gs, byStart, a * width, byEnd, b * width, pre, a * width, suf, b * width, width);
                        cStart[a] += c;
                        cEnd[b] += c;
                    }
                    // byStart[k] := sum_{a >= k}, byEnd[k] := sum_{b <= k}; key j is seen by byStart[j + 1] + byEnd[j].
                    for (int k = len - 1; k >= 0; k--) {
                        cStart[k] += cStart[k + 1];
                        LOOPS.axpy(1f, byStart, (k + 1) * width, byStart, k * width, width);
                    }
                    for (int k = 1; k <= len; k++) {
                        cEnd[k] += cEnd[k - 1];
                        LOOPS.axpy(1f, byEnd, (k - 1) * width, byEnd, k * width, width);
                    }
                    for (int j = 0; j < len; j++) {
                        float ej = e[j];
                        if (ej == 0f) continue;
                        int sa = (j + 1) * width, eb = j * width;   // G_j = byStart[j + 1] + byEnd[j]
                        float dot = LOOPS.addScaledSumAndDot(gv, j * width, ej, byStart, sa, byEnd, eb, va, vh + j * width, width);
                        gRow[j] += ej * (dot - cStart[j + 1] - cEnd[j]);
                    }
                    gss.put(row, gRow, 0, len);
                }
                gvs.put(vh, gv, 0, len * width);
            }
        });
    }

    private static void checkSpans(String op, int[] start, int[] end, int len) {
        if (start.length != end.length) throw new IllegalArgumentException(op + ": " + start.length + " starts but " + end.length + " ends");
        for (int s = 0; s < start.length; s++) {
            if (start[s] < 0 || end[s] <= start[s] || end[s] > len) {
                throw new IllegalArgumentException(op + ": span " + s + " [" + start[s] + ", " + end[s] + ") is not inside [0, " + len + ")");
            }
        }
    }

    /**
     * e[j] = exp(x[row + j] - max) for j < len; returns the max. Weights below e^-87 are set to 0
     * rather than left subnormal (slow arithmetic): where they matter, the visible mass is below
     * {@link #SPAN_HIDDEN_DIRECT_BELOW} and the sums are direct, from the raw scores.
     */
    private static float rowExp(float[] x, int row, int len, float[] e) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) max = Math.max(max, x[row + j]);
        for (int j = 0; j < len; j++) {
            float d = x[row + j] - max;
            e[j] = d < -87f ? 0f : (float) Math.exp(d);
        }
        return max;
    }

    /** Prefix sums pre[k] = sum_{j<k} e_j v_j and suffix sums suf[k] = sum_{j>=k} e_j v_j, k = 0..len, with their weights. */
    private static void prefixSuffixSums(float[] e, float[] v, int vOffset, int len, int width,
                                         float[] pre, float[] preZ, float[] suf, float[] sufZ) {
        Arrays.fill(pre, 0, width, 0f);
        preZ[0] = 0f;
        for (int k = 0; k < len; k++) {
            float ek = e[k];
            LOOPS.scaleAdd(pre, (k + 1) * width, pre, k * width, ek, v, vOffset + k * width, width);
            preZ[k + 1] = preZ[k] + ek;
        }
        Arrays.fill(suf, len * width, (len + 1) * width, 0f);
        sufZ[len] = 0f;
        for (int k = len - 1; k >= 0; k--) {
            float ek = e[k];
            LOOPS.scaleAdd(suf, k * width, suf, (k + 1) * width, ek, v, vOffset + k * width, width);
            sufZ[k] = sufZ[k + 1] + ek;
        }
    }

    /** acc[o..] += sum_{j visible} softmax_visible(x[row..])_j v_j, with the visible keys' own max; returns log Z. */
    private static float directVisibleSum(float[] x, int row, float[] v, int vOffset, int len, int width, int a, int b,
                                          float[] acc, int o) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) if (j < a || j >= b) max = Math.max(max, x[row + j]);
        if (max == Float.NEGATIVE_INFINITY) return max;   // nothing visible, or only -inf: empty softmax, adds 0
        double z = 0;
        for (int j = 0; j < len; j++) if (j < a || j >= b) z += Math.exp(x[row + j] - max);
        float lse = max + (float) Math.log(z);
        for (int j = 0; j < len; j++) {
            if (j >= a && j < b) continue;
            LOOPS.axpy((float) Math.exp(x[row + j] - lse), v, vOffset + j * width, acc, o, width);
        }
        return lse;
    }

    /** The backward of {@link #directVisibleSum} for one (span, head, query): adds into gRow [L] and gv [L, G]. */
    private static void directVisibleBackward(float[] x, int row, float lse, float[] v, int vOffset, int len, int width, int a, int b,
                                              float[] gOut, int gOffset, float[] gRow, float[] gv) {
        if (lse == Float.NEGATIVE_INFINITY) return;   // an empty softmax: no gradient
        float[] p = new float[len], gDotV = new float[len];
        float gDotY = 0f;
        for (int j = 0; j < len; j++) {
            if (j >= a && j < b) continue;
            p[j] = (float) Math.exp(x[row + j] - lse);
            float dot = 0f;
            for (int g = 0; g < width; g++) dot += gOut[gOffset + g] * v[vOffset + j * width + g];
            gDotV[j] = dot;
            gDotY += p[j] * dot;
        }
        for (int j = 0; j < len; j++) {
            if (p[j] == 0f) continue;
            gRow[j] += p[j] * (gDotV[j] - gDotY);
            for (int g = 0; g < width; g++) gv[j * width + g] += p[j] * gOut[gOffset + g];
        }
    }

    @Override
    public void rangeMax(Storage src, int srcOffset, int cols, int[] start, int[] end, Storage dst, Storage argmax) {
        FloatBuffer s = buf(src), d = buf(dst), am = buf(argmax);
        parallelFor(start.length, cols * 4, (from, to) -> {
            float[] row = scratch(0, cols), max = scratch(1, cols), arg = scratch(2, cols);
            for (int r = from; r < to; r++) {
                int o = r * cols;
                if (end[r] <= start[r]) {   // an empty range: 0, and no row to send a gradient to
                    Arrays.fill(max, 0, cols, 0f);
                    Arrays.fill(arg, 0, cols, -1f);
                } else {
                    s.get(srcOffset + start[r] * cols, max, 0, cols);
                    Arrays.fill(arg, 0, cols, start[r]);
                    for (int t = start[r] + 1; t < end[r]; t++) {
                        s.get(srcOffset + t * cols, row, 0, cols);
                        LOOPS.maxWithArgmax(max, arg, row, 0, t, cols);
                    }
                }
                d.put(o, max, 0, cols);
                am.put(o, arg, 0, cols);
            }
        });
    }

    @Override
    public void rangeMaxBackward(Storage gdst, Storage argmax, int ranges, int cols, Storage gsrc, int gsrcOffset) {
        FloatBuffer g = buf(gdst), am = buf(argmax), gs = buf(gsrc);
        for (int r = 0; r < ranges; r++) {
            for (int c = 0; c < cols; c++) {
                int t = (int) am.get(r * cols + c);
                if (t >= 0) {
                    int idx = gsrcOffset + t * cols + c;
                    gs.put(idx, gs.get(idx) + g.get(r * cols + c));
                }
            }
        }
    }
}
