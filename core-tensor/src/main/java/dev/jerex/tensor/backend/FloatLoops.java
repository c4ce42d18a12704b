package dev.jerex.tensor.backend;

/**
 * The float[] loops of the pure-Java kernels that the JIT does not vectorise by itself (several
 * arrays at independent offsets): {@link Scalar} is the reference, {@link VectorFloatLoops} the
 * same arithmetic with the Vector API, several lanes per instruction.
 */
interface FloatLoops {
    /** out[o + i] = base[b + i] + a x[xi + i] for i < n. */
    void scaleAdd(float[] out, int o, float[] base, int b, float a, float[] x, int xi, int n);

    /** y[yi + i] += a x[xi + i]. */
    void axpy(float a, float[] x, int xi, float[] y, int yi, int n);

    /** acc[o + i] += s (x[xi + i] + y[yi + i]). */
    void addScaledSum(float[] acc, int o, float s, float[] x, int xi, float[] y, int yi, int n);

    /** y1[i1 + i] += a x[xi + i] and y2[i2 + i] += a x[xi + i]; returns sum_i x[xi + i] (u[ui + i] + v[vi + i]). */
    float axpyTwiceAndDotOfSum(float a, float[] x, int xi, float[] y1, int i1, float[] y2, int i2,
                               float[] u, int ui, float[] v, int vi, int n);

    /** acc[o + i] += s (x[xi + i] + y[yi + i]); returns sum_i g[gi + i] (x[xi + i] + y[yi + i]). */
    float addScaledSumAndDot(float[] acc, int o, float s, float[] x, int xi, float[] y, int yi, float[] g, int gi, int n);

    /**
     * The GRU cell's backward for one row (JavaBackend.gruCellBackward), gates = (r, z, n):
     * dn = g (1 - z), dz = g (h - n), a = dn (1 - n^2), dr = a hn r (1 - r), dz' = dz z (1 - z);
     * dx = (dr, dz', a), dhh = (dr, dz', a r), gh = g z.
     */
    void gruCellBackwardRow(float[] gates, float[] hn, float[] h, float[] g, float[] dx, float[] dhh, float[] gh, int hidden);

    /** Where x[xi + i] > max[i]: max[i] = x[xi + i] and arg[i] = at (a NaN in x is never taken). */
    void maxWithArgmax(float[] max, float[] arg, float[] x, int xi, float at, int n);

    /** The Vector API version when the JVM has jdk.incubator.vector, else the scalar one. */
    static FloatLoops best() {
        return VectorApi.choose(FloatLoops.class, () -> new VectorFloatLoops(), () -> new Scalar());
    }

    /** One element at a time: the reference. */
    final class Scalar implements FloatLoops {
        @Override
        public void maxWithArgmax(float[] max, float[] arg, float[] x, int xi, float at, int n) {
            maxWithArgmax(0, n, max, arg, x, xi, at);
        }

        /** {@link #maxWithArgmax} for from <= i < to (the Vector API version's tail). */
        static void maxWithArgmax(int from, int to, float[] max, float[] arg, float[] x, int xi, float at) {
            for (int i = from; i < to; i++) {
                float v = x[xi + i];
                if (v > max[i]) {
                    max[i] = v;
                    arg[i] = at;
                }
            }
        }

        @Override
        public void gruCellBackwardRow(float[] gates, float[] hn, float[] h, float[] g, float[] dx, float[] dhh, float[] gh, int hidden) {
            gruCellBackward(0, hidden, gates, hn, h, g, dx, dhh, gh, hidden);
        }

        /** {@link #gruCellBackwardRow} for the units from <= j < to (the Vector API version's tail). */
        static void gruCellBackward(int from, int to, float[] gates, float[] hn, float[] h, float[] g, float[] dx, float[] dhh, float[] gh,
                                    int hidden) {
            for (int j = from; j < to; j++) {
                float r = gates[j], z = gates[hidden + j], n = gates[2 * hidden + j];
                float dn = g[j] * (1f - z);
                float dz = g[j] * (h[j] - n);
                float a = dn * (1f - n * n);
                float dr = a * hn[j] * r * (1f - r);
                float dzp = dz * z * (1f - z);
                dx[j] = dr;
                dx[hidden + j] = dzp;
                dx[2 * hidden + j] = a;
                dhh[j] = dr;
                dhh[hidden + j] = dzp;
                dhh[2 * hidden + j] = a * r;
                gh[j] = g[j] * z;
            }
        }

        @Override
        public float axpyTwiceAndDotOfSum(float a, float[] x, int xi, float[] y1, int i1, float[] y2, int i2,
                                          float[] u, int ui, float[] v, int vi, int n) {
            float sum = 0f;
            for (int i = 0; i < n; i++) {
                float xv = x[xi + i];
                y1[i1 + i] += a * xv;
                y2[i2 + i] += a * xv;
                sum += xv * (u[ui + i] + v[vi + i]);
            }
            return sum;
        }

        @Override
        public float addScaledSumAndDot(float[] acc, int o, float s, float[] x, int xi, float[] y, int yi, float[] g, int gi, int n) {
            float sum = 0f;
            for (int i = 0; i < n; i++) {
                float xy = x[xi + i] + y[yi + i];
                acc[o + i] += s * xy;
                sum += g[gi + i] * xy;
            }
            return sum;
        }

        @Override
        public void scaleAdd(float[] out, int o, float[] base, int b, float a, float[] x, int xi, int n) {
            for (int i = 0; i < n; i++) out[o + i] = base[b + i] + a * x[xi + i];
        }

        @Override
        public void axpy(float a, float[] x, int xi, float[] y, int yi, int n) {
            for (int i = 0; i < n; i++) y[yi + i] += a * x[xi + i];
        }

        @Override
        public void addScaledSum(float[] acc, int o, float s, float[] x, int xi, float[] y, int yi, int n) {
            for (int i = 0; i < n; i++) acc[o + i] += s * (x[xi + i] + y[yi + i]);
        }

    }
}
