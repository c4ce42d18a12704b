package dev.jerex.tensor.backend;

/**
 * The transcendental element-wise functions of the pure-Java backend over float[] chunks, in
 * place: exp, sigmoid, tanh, GELU and GELU's derivative. {@link Scalar} applies JavaBackend's
 * scalar functions element by element; {@link VectorChunkMath} evaluates the same float formulas
 * with the Vector API, 8 elements per AVX2 register, bit for bit.
 */
interface ChunkMath {
    /** v[i] = e^v[i] for i < len. */
    void exp(float[] v, int len);

    /** v[i] = sigmoid(v[i]). */
    void sigmoid(float[] v, int len);

    /** v[i] = tanh(v[i]). */
    void tanh(float[] v, int len);

    /** v[i] = GELU(v[i]) = v[i] Phi(v[i]) (exact erf). */
    void gelu(float[] v, int len);

    /** g[i] *= GELU'(x[i]), given the outputs y = GELU(x) (JavaBackend.geluDerivativeFromOutput). */
    void geluBackward(float[] x, float[] y, float[] g, int len);

    /** The Vector API version when the JVM has jdk.incubator.vector, else the scalar one. */
    static ChunkMath best() {
        return VectorApi.choose(ChunkMath.class, () -> new VectorChunkMath(), () -> new Scalar());
    }

    /** JavaBackend's scalar functions, one element at a time: the reference. */
    final class Scalar implements ChunkMath {
        @Override
        public void exp(float[] v, int len) {
            for (int i = 0; i < len; i++) v[i] = JavaBackend.expf(v[i]);
        }

        @Override
        public void sigmoid(float[] v, int len) {
            for (int i = 0; i < len; i++) v[i] = JavaBackend.sigmoid(v[i]);
        }

        @Override
        public void tanh(float[] v, int len) {
            for (int i = 0; i < len; i++) v[i] = JavaBackend.tanh(v[i]);
        }

        @Override
        public void gelu(float[] v, int len) {
            for (int i = 0; i < len; i++) v[i] = JavaBackend.gelu(v[i]);
        }

        @Override
        public void geluBackward(float[] x, float[] y, float[] g, int len) {
            for (int i = 0; i < len; i++) g[i] *= JavaBackend.geluDerivativeFromOutput(x[i], y[i]);
        }
    }
}
