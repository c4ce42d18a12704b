package dev.jerex.tensor.backend;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.jerex.tensor.Storage;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The default CPU backend: the pure-Java kernels, with matrix products handed to OpenBLAS's
 * {@code cblas_sgemm} through JavaCPP. Operands are passed as pointers into the tensors' own
 * off-heap buffers ({@link HostStorage}): nothing is copied on the way in or out.
 *
 * <p>OpenBLAS's thread count is process-wide: the last backend created sets it.
 */
public final class OpenBlasBackend extends JavaBackend {

    /**
     * Loads the OpenBLAS natives (extracted to ~/.javacpp/cache on first use).
     *
     * @throws LinkageError when they are missing or cannot be loaded on this platform
     */
    public OpenBlasBackend(int threads) {
        super(threads);
        Loader.load(openblas_nolapack.class);
        Loader.load(openblas_full.class);
        openblas_full.openblas_set_num_threads(threads);
    }

    @Override
    public String name() {
        return "openblas";
    }

    /** OpenBLAS's own build description, e.g. "OpenBLAS 0.3.31 DYNAMIC_ARCH ... SkylakeX". */
    public static String config() {
        return openblas_full.openblas_get_config().getString() + " core=" + openblas_full.openblas_get_corename().getString();
    }

    /** A pointer to element {@code offset} of the storage, without copying. */
    static FloatPointer pointer(Storage s, int offset) {
        s.checkLive();
        HostStorage h = (HostStorage) s;
        FloatPointer base = (FloatPointer) h.nativeView;
        if (base == null) {
            base = new FloatPointer(h.data);   // wraps the direct buffer's address
            h.nativeView = base;
        }
        return new FloatPointer(base).position(offset);
    }

    /**
     * Row-major C = alpha op(A) op(B) + beta C. CBLAS accepts row-major operands directly
     * (CblasRowMajor), so no operand swap is needed here; lda/ldb/ldc are row strides.
     */
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Storage a, int aOffset, int lda, Storage b, int bOffset, int ldb,
                     float beta, Storage c, int cOffset, int ldc) {
        if (m == 0 || n == 0) return;
        if (k == 0) {   // BLAS leaves C untouched when k = 0 only if beta = 1: do it by hand
            super.gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
            return;
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, pointer(a, aOffset), lda, pointer(b, bOffset), ldb, beta, pointer(c, cOffset), ldc);
    }
}
