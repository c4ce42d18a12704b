package dev.jerex.tensor.backend;

import dev.jerex.tensor.Storage;
import java.nio.FloatBuffer;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The pure-Java reference backend: every kernel as a plain loop over the host buffer. It is the
 * backend all others are tested against, so clarity comes first; the matrix product, where the
 * time goes, is a packed, blocked kernel ({@link JavaGemm}) that uses the Vector API when the JVM
 * enables it. Large element-wise and row-wise kernels split their work over {@code threads}.
 */
public class JavaBackend implements Backend {
    /** Work below this many elements runs on the calling thread. */
    private static final int PARALLEL_GRAIN = 1 << 15;

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
        for (int i = 0; i < n; i++) d.put(offset + i, value);
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
        // Odometer over all but the last dimension; the last dimension is the inner loop.
        int last = rank - 1, len = shape[last], ss = srcStrides[last], ds = dstStrides[last];
        int[] idx = new int[rank];
        int so = srcOffset, dOff = dstOffset;
        while (true) {
            if (ss == 1 && ds == 1) {
                for (int i = 0; i < len; i++) d.put(dOff + i, s.get(so + i));
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

    // ---- element-wise -----------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, float p, Storage x, int xOffset, Storage y, int yOffset, int n) {
        FloatBuffer xs = buf(x), ys = buf(y);
        parallelFor(n, op == UnaryOp.GELU || op == UnaryOp.EXP || op == UnaryOp.TANH ? 16 : 1, (from, to) -> {
            for (int i = from; i < to; i++) ys.put(yOffset + i, apply(op, p, xs.get(xOffset + i)));
        });
    }

    static float apply(UnaryOp op, float p, float x) {
        switch (op) {
            case NEG: return -x;
            case EXP: return (float) Math.exp(x);
            case LOG: return (float) Math.log(x);
            case SQRT: return (float) Math.sqrt(x);
            case TANH: return (float) Math.tanh(x);
            case SIGMOID: return sigmoid(x);
            case RELU: return x > 0 ? x : 0f;
            case GELU: return (float) (x * normalCdf(x));
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
            for (int i = from; i < to; i++) {
                float xi = xs.get(xOffset + i), g = gys.get(gyOffset + i);
                float yi = ys == null ? 0f : ys.get(yOffset + i);
                gxs.put(gxOffset + i, g * derivative(op, p, xi, yi));
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
            case GELU: return (float) (normalCdf(x) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI);
            case ABS: return Math.signum(x);
            case POW: return (float) (p * Math.pow(x, p - 1));
            case ADD_SCALAR: return 1f;
            case MUL_SCALAR: return p;
            case RSUB_SCALAR: return -1f;
            case SOFTPLUS: return sigmoid(x);
            default: throw new AssertionError(op);
        }
    }

    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);
    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2);

    static float sigmoid(float x) {
        // Two branches keep exp's argument non-positive: no overflow for large |x|.
        if (x >= 0) return (float) (1.0 / (1.0 + Math.exp(-x)));
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    /** ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): exact for large |x|. */
    static double softplus(float x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** Phi(x) = (1 + erf(x / sqrt 2)) / 2, the standard normal CDF (exact-erf GELU). */
    static double normalCdf(double x) {
        return 0.5 * (1.0 + erf(x * INV_SQRT_2));
    }

    /**
     * erf with relative error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit of
     * erfc), in double: better than float32 needs.
     */
    static double erf(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - erfc : erfc - 1.0;
    }

    @Override
    public void binary(BinaryOp op, float p, int[] shape, Storage a, int aOffset, int[] aStrides,
                       Storage b, int bOffset, int[] bStrides, Storage out, int outOffset) {
        FloatBuffer as = buf(a), bs = buf(b), os = buf(out);
        int rank = shape.length;
        int n = 1;
        for (int d : shape) n *= d;
        if (n == 0) return;
        if (rank == 0) {
            os.put(outOffset, apply(op, p, as.get(aOffset), bs.get(bOffset)));
            return;
        }
        // Inner loop over the last dimension; outer rows enumerated by an odometer per chunk.
        int last = rank - 1, len = shape[last], sa = aStrides[last], sb = bStrides[last];
        int rows = n / len;
        parallelFor(rows, len, (from, to) -> {
            int[] idx = new int[rank];
            int ao = aOffset, bo = bOffset;
            // position the odometer at row `from`
            int r = from;
            for (int k = last - 1; k >= 0; k--) {
                idx[k] = r % shape[k];
                r /= shape[k];
                ao += idx[k] * aStrides[k];
                bo += idx[k] * bStrides[k];
            }
            for (int row = from; row < to; row++) {
                int oo = outOffset + row * len;
                binaryRow(op, p, as, ao, sa, bs, bo, sb, os, oo, len);
                for (int k = last - 1; k >= 0; k--) {
                    idx[k]++;
                    ao += aStrides[k];
                    bo += bStrides[k];
                    if (idx[k] < shape[k]) break;
                    ao -= aStrides[k] * shape[k];
                    bo -= bStrides[k] * shape[k];
                    idx[k] = 0;
                }
            }
        });
    }

    private static void binaryRow(BinaryOp op, float p, FloatBuffer a, int ao, int sa, FloatBuffer b, int bo, int sb,
                                  FloatBuffer o, int oo, int len) {
        // The common cases get their own loops so the JIT can keep them tight.
        if (sa == 1 && sb == 1) {
            switch (op) {
                case ADD: for (int i = 0; i < len; i++) o.put(oo + i, a.get(ao + i) + b.get(bo + i)); return;
                case MUL: for (int i = 0; i < len; i++) o.put(oo + i, a.get(ao + i) * b.get(bo + i)); return;
                case SUB: for (int i = 0; i < len; i++) o.put(oo + i, a.get(ao + i) - b.get(bo + i)); return;
                default: break;
            }
        } else if (sa == 1 && sb == 0) {
            float bv = b.get(bo);
            switch (op) {
                case ADD: for (int i = 0; i < len; i++) o.put(oo + i, a.get(ao + i) + bv); return;
                case MUL: for (int i = 0; i < len; i++) o.put(oo + i, a.get(ao + i) * bv); return;
                default: break;
            }
        }
        for (int i = 0; i < len; i++) o.put(oo + i, apply(op, p, a.get(ao + i * sa), b.get(bo + i * sb)));
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
                for (int i = 0; i < inner; i++) {
                    if (op == ReduceOp.SUM) {
                        // Accumulate in double: sums of thousands of floats stay exact to float precision.
                        double acc = 0;
                        for (int l = 0; l < len; l++) acc += xs.get(base + l * inner + i);
                        ys.put(out + i, (float) acc);
                    } else {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int l = 0; l < len; l++) m = Math.max(m, xs.get(base + l * inner + i));
                        ys.put(out + i, m);
                    }
                }
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
            for (int r = from; r < to; r++) {
                int xo = xOffset + r * cols, yo = yOffset + r * cols;
                float max = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < cols; c++) max = Math.max(max, xs.get(xo + c));
                if (max == Float.NEGATIVE_INFINITY) max = 0f;   // a fully masked row: exp(-inf) = 0 below
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    float e = (float) Math.exp(xs.get(xo + c) - max);
                    if (!log) ys.put(yo + c, e);
                    sum += e;
                }
                if (log) {
                    float logSum = (float) Math.log(sum) + max;
                    for (int c = 0; c < cols; c++) ys.put(yo + c, xs.get(xo + c) - logSum);
                } else {
                    float inv = sum == 0 ? 0f : (float) (1.0 / sum);
                    for (int c = 0; c < cols; c++) ys.put(yo + c, ys.get(yo + c) * inv);
                }
            }
        });
    }

    @Override
    public void softmaxBackward(boolean log, Storage y, int yOffset, Storage gy, int gyOffset,
                                Storage gx, int gxOffset, int rows, int cols) {
        FloatBuffer ys = buf(y), gys = buf(gy), gxs = buf(gx);
        parallelFor(rows, cols * 4, (from, to) -> {
            for (int r = from; r < to; r++) {
                int yo = yOffset + r * cols, go = gyOffset + r * cols, xo = gxOffset + r * cols;
                double dot = 0;
                if (log) {
                    for (int c = 0; c < cols; c++) dot += gys.get(go + c);
                    for (int c = 0; c < cols; c++) {
                        gxs.put(xo + c, (float) (gys.get(go + c) - Math.exp(ys.get(yo + c)) * dot));
                    }
                } else {
                    for (int c = 0; c < cols; c++) dot += gys.get(go + c) * ys.get(yo + c);
                    for (int c = 0; c < cols; c++) {
                        gxs.put(xo + c, (float) (ys.get(yo + c) * (gys.get(go + c) - dot)));
                    }
                }
            }
        });
    }

    @Override
    public void layerNorm(Storage x, int xOffset, Storage gamma, int gammaOffset, Storage beta, int betaOffset,
                          Storage y, int yOffset, Storage mean, Storage rstd, int rows, int cols, float eps) {
        FloatBuffer xs = buf(x), gs = buf(gamma), bs = buf(beta), ys = buf(y), ms = buf(mean), rs = buf(rstd);
        parallelFor(rows, cols * 4, (from, to) -> {
            for (int r = from; r < to; r++) {
                int xo = xOffset + r * cols, yo = yOffset + r * cols;
                double sum = 0;
                for (int c = 0; c < cols; c++) sum += xs.get(xo + c);
                double mu = sum / cols;
                double var = 0;
                for (int c = 0; c < cols; c++) {
                    double d = xs.get(xo + c) - mu;
                    var += d * d;
                }
                double inv = 1.0 / Math.sqrt(var / cols + eps);
                for (int c = 0; c < cols; c++) {
                    ys.put(yo + c, (float) ((xs.get(xo + c) - mu) * inv) * gs.get(gammaOffset + c) + bs.get(betaOffset + c));
                }
                ms.put(r, (float) mu);
                rs.put(r, (float) inv);
            }
        });
    }

    @Override
    public void layerNormBackward(Storage x, int xOffset, Storage gamma, int gammaOffset, Storage mean, Storage rstd,
                                  Storage gy, int gyOffset, Storage gx, int gxOffset,
                                  Storage ggamma, Storage gbeta, int rows, int cols) {
        FloatBuffer xs = buf(x), gs = buf(gamma), ms = buf(mean), rs = buf(rstd), gys = buf(gy), gxs = buf(gx);
        FloatBuffer ggs = buf(ggamma), gbs = buf(gbeta);
        // gx is independent per row (parallel); ggamma/gbeta sum over rows (sequential, in double).
        parallelFor(rows, cols * 6, (from, to) -> {
            for (int r = from; r < to; r++) {
                int xo = xOffset + r * cols, go = gyOffset + r * cols, oo = gxOffset + r * cols;
                float mu = ms.get(r), inv = rs.get(r);
                double meanG = 0, meanGX = 0;
                for (int c = 0; c < cols; c++) {
                    double g = gys.get(go + c) * gs.get(gammaOffset + c);
                    double xhat = (xs.get(xo + c) - mu) * inv;
                    meanG += g;
                    meanGX += g * xhat;
                }
                meanG /= cols;
                meanGX /= cols;
                for (int c = 0; c < cols; c++) {
                    double g = gys.get(go + c) * gs.get(gammaOffset + c);
                    double xhat = (xs.get(xo + c) - mu) * inv;
                    gxs.put(oo + c, (float) (inv * (g - meanG - xhat * meanGX)));
                }
            }
        });
        double[] dGamma = new double[cols], dBeta = new double[cols];
        for (int r = 0; r < rows; r++) {
            int xo = xOffset + r * cols, go = gyOffset + r * cols;
            float mu = ms.get(r), inv = rs.get(r);
            for (int c = 0; c < cols; c++) {
                float g = gys.get(go + c);
                dGamma[c] += g * ((xs.get(xo + c) - mu) * inv);
                dBeta[c] += g;
            }
        }
        for (int c = 0; c < cols; c++) {
            ggs.put(c, ggs.get(c) + (float) dGamma[c]);
            gbs.put(c, gbs.get(c) + (float) dBeta[c]);
        }
    }

    // ---- optimisers -------------------------------------------------------------------------------

    @Override
    public void adamw(Storage p, int pOffset, Storage g, int gOffset, Storage m, Storage v, int n,
                      float beta1, float beta2, float eps, float stepSize, float denomScale, float decay, boolean decayBeforeUpdate) {
        FloatBuffer ps = buf(p), gs = buf(g), ms = buf(m), vs = buf(v);
        parallelFor(n, 8, (from, to) -> {
            for (int i = from; i < to; i++) {
                float pi = ps.get(pOffset + i), gi = gs.get(gOffset + i);
                if (decayBeforeUpdate) pi -= decay * pi;
                float mi = beta1 * ms.get(i) + (1 - beta1) * gi;
                float vi = beta2 * vs.get(i) + (1 - beta2) * gi * gi;
                ms.put(i, mi);
                vs.put(i, vi);
                pi -= stepSize * mi / (denomScale * (float) Math.sqrt(vi) + eps);
                if (!decayBeforeUpdate) pi -= decay * pi;
                ps.put(pOffset + i, pi);
            }
        });
    }

    // ---- indexing ---------------------------------------------------------------------------------

    @Override
    public void gatherRows(Storage src, int srcOffset, int rowLength, int[] index, Storage dst, int dstOffset) {
        FloatBuffer s = buf(src), d = buf(dst);
        for (int i = 0; i < index.length; i++) {
            int so = srcOffset + index[i] * rowLength, dOff = dstOffset + i * rowLength;
            for (int c = 0; c < rowLength; c++) d.put(dOff + c, s.get(so + c));
        }
    }

    @Override
    public void scatterAddRows(Storage src, int srcOffset, int rowLength, int[] index, Storage dst, int dstOffset) {
        FloatBuffer s = buf(src), d = buf(dst);
        for (int i = 0; i < index.length; i++) {
            int so = srcOffset + i * rowLength, dOff = dstOffset + index[i] * rowLength;
            for (int c = 0; c < rowLength; c++) d.put(dOff + c, d.get(dOff + c) + s.get(so + c));
        }
    }

    @Override
    public void rangeMax(Storage src, int srcOffset, int cols, int[] start, int[] end, Storage dst, Storage argmax) {
        FloatBuffer s = buf(src), d = buf(dst), am = buf(argmax);
        parallelFor(start.length, cols * 4, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * cols;
                if (end[r] <= start[r]) {
                    for (int c = 0; c < cols; c++) {
                        d.put(o + c, 0f);
                        am.put(o + c, -1f);
                    }
                    continue;
                }
                int first = srcOffset + start[r] * cols;
                for (int c = 0; c < cols; c++) {
                    d.put(o + c, s.get(first + c));
                    am.put(o + c, start[r]);
                }
                for (int t = start[r] + 1; t < end[r]; t++) {
                    int so = srcOffset + t * cols;
                    for (int c = 0; c < cols; c++) {
                        float v = s.get(so + c);
                        if (v > d.get(o + c)) {
                            d.put(o + c, v);
                            am.put(o + c, t);
                        }
                    }
                }
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
