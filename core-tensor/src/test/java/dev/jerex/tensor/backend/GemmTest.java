package dev.jerex.tensor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Storage;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** gemm of every backend against a double-precision triple loop, over awkward shapes and flags. */
class GemmTest {

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> s = Stream.builder();
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {17, 33, 9}, {64, 64, 64}, {7, 300, 513}, {130, 40, 270}, {6, 2, 1}};
        for (var backend : dev.jerex.tensor.TestBackends.available()) {
            for (int[] sh : shapes) {
                for (int flags = 0; flags < 4; flags++) {
                    s.add(Arguments.of(backend, sh[0], sh[1], sh[2], (flags & 1) != 0, (flags & 2) != 0));
                }
            }
            s.add(Arguments.of(new JavaBackend(2), 150, 300, 200, false, true));   // the threaded path
        }
        return s.build();
    }

    @ParameterizedTest(name = "{0} m={1} n={2} k={3} tA={4} tB={5}")
    @MethodSource("cases")
    void matchesTheReference(Backend backend, int m, int n, int k, boolean transA, boolean transB) {
        Rng rng = new Rng(m * 31L + n * 7L + k);
        // Leading dimensions larger than needed and non-zero offsets: the kernels must honour both.
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5;
        int aRows = transA ? k : m, bRows = transB ? n : k;
        int aOff = 4, bOff = 1, cOff = 2;
        float[] a = rng.uniform(aOff + aRows * lda, -1f, 1f);
        float[] b = rng.uniform(bOff + bRows * ldb, -1f, 1f);
        float[] c = rng.uniform(cOff + m * ldc, -1f, 1f);
        float alpha = 0.7f, beta = -0.5f;

        Storage sa = backend.upload(a), sb = backend.upload(b), sc = backend.upload(c);
        backend.gemm(transA, transB, m, n, k, alpha, sa, aOff, lda, sb, bOff, ldb, beta, sc, cOff, ldc);
        float[] got = new float[c.length];
        backend.download(sc, 0, got, 0, c.length);

        double maxDiff = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += av * bv;
                }
                double expected = alpha * acc + beta * c[cOff + i * ldc + j];
                maxDiff = Math.max(maxDiff, Math.abs(expected - got[cOff + i * ldc + j]));
            }
        }
        assertThat(maxDiff).as("max |diff| for %s", backend.name()).isLessThan(1e-5 * Math.max(1, k));
        // Elements outside the m x n block (padding of ldc, the offset) are untouched.
        for (int i = 0; i < cOff; i++) assertThat(got[i]).isEqualTo(c[i]);
        for (int i = 0; i < m; i++) {
            for (int j = n; j < ldc && cOff + i * ldc + j < c.length; j++) assertThat(got[cOff + i * ldc + j]).isEqualTo(c[cOff + i * ldc + j]);
        }
    }
}
