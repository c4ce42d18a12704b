package dev.jerex.tensor.backend.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.cublasSgemmStridedBatched;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;

import dev.jerex.tensor.Storage;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.BinaryOp;
import dev.jerex.tensor.backend.ReduceOp;
import dev.jerex.tensor.backend.SpanAttentionByProducts;
import dev.jerex.tensor.backend.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The GPU backend: matrix products through cuBLAS, every other kernel of {@link Backend} as a
 * CUDA C kernel of this package's resources (compiled at start-up with NVRTC, see
 * {@link CudaKernels}), memory from a caching allocator ({@link DeviceAllocator}).
 *
 * <p>Semantics follow {@code JavaBackend}, the reference, kernel by kernel; results agree to
 * float rounding (sums accumulate in double as there; atomicAdd makes scatter sums' order
 * unspecified). Everything runs in order on the default stream: a call returns once its work is
 * queued, and {@link #download} waits for it.
 *
 * <p>Create through {@code Backends.create("cuda", threads)}; all instances share one device.
 */
public final class CudaBackend implements Backend {
    private final CudaDevice device;
    private final CudaKernels kernels;
    private final int threads;
    private final ThreadLocal<FloatPointer> alphaBeta = ThreadLocal.withInitial(() -> new FloatPointer(2));

    /**
     * @param threads kept for {@link #threads()} only (host threads do not matter on the GPU)
     * @throws IllegalStateException with the reason when no usable GPU, driver, NVRTC or cuBLAS is found
     */
    public CudaBackend(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.device = CudaDevice.get();
        this.kernels = device.kernels;
        this.threads = threads;
    }

    /** Null when the CUDA backend can run here, else the reason it cannot (probed once per process). */
    public static String unavailableReason() {
        return CudaDevice.unavailableReason();
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String device() {
        return "cuda:" + device.ordinal + " (" + device.name + ")";
    }

    /** A kernel launch costs a few microseconds of host and GPU time, whatever its size. */
    @Override
    public boolean launchBound() {
        return true;
    }

    /** An eighth of the device's memory, between the CPU's 64 Mi floats and 1 Gi floats (4 GiB). */
    @Override
    public long workspaceFloats() {
        return Math.max(64L << 20, Math.min(device.totalMemoryBytes / 8 / Float.BYTES, 1L << 30));
    }

    @Override
    public int threads() {
        return threads;
    }

    /** Compute capability, e.g. 90 for an H100, and how the kernels were compiled for it. */
    public String architecture() {
        return "sm_" + device.computeCapability + ", kernels " + kernels.target.option();
    }

    /** Device bytes held by live storages and waiting in the allocator's cache. */
    public long[] memoryInUse() {
        return new long[] {device.allocator.liveBytes(), device.allocator.cachedBytes()};
    }

    /** The device address of element {@code offset} of a CUDA storage. */
    static long at(Storage s, int offset) {
        if (!(s instanceof CudaStorage)) {
            throw new IllegalArgumentException("cuda backend: got a storage of backend " + s.backend().name()
                    + " (" + s.backend().device() + "); move the tensor with to(backend) first");
        }
        return ((CudaStorage) s).address(offset);
    }

    /** The cuBLAS handle (for benchmarks that call cuBLAS directly). */
    org.bytedeco.cuda.cublas.cublasContext cublasHandle() {
        return device.cublasHandle;
    }

    // ---- memory ---------------------------------------------------------------------------

    @Override
    public Storage allocate(int n) {
        return new CudaStorage(this, device.allocator, n);
    }

    @Override
    public Storage upload(float[] values) {
        Storage s = allocate(values.length);
        if (values.length > 0) {
            device.bind();
            try (FloatPointer host = new FloatPointer(values)) {
                copy(Cudart.at(at(s, 0)), host, (long) values.length * Float.BYTES, cudaMemcpyHostToDevice, values.length + " floats");
            }
        }
        return s;
    }

    @Override
    public void download(Storage src, int offset, float[] dst, int dstOffset, int n) {
        if (n == 0) return;
        if (offset < 0 || (long) offset + n > src.size()) {
            throw new IndexOutOfBoundsException("download of " + n + " floats at " + offset + " from a storage of " + src.size());
        }
        device.bind();
        try (FloatPointer host = new FloatPointer(n)) {
            copy(host, Cudart.at(at(src, offset)), (long) n * Float.BYTES, cudaMemcpyDeviceToHost, n + " floats");
            host.get(dst, dstOffset, n);
        }
    }

    /**
     * Copies {@code bytes} in direction {@code kind} (host to device or back), timed under
     * "memcpy HtoD" / "memcpy DtoH" when profiling. A device-to-host copy waits for the kernels
     * queued before it: it is where the host sees results; a host-to-device copy does not wait.
     */
    private void copy(Pointer dst, Pointer src, long bytes, int kind, String what) {
        boolean toDevice = kind == cudaMemcpyHostToDevice;
        device.beginTimed(toDevice ? "memcpy HtoD" : "memcpy DtoH");
        if (toDevice) {
            // Queued on the stream like a kernel: from pageable memory, cudaMemcpyAsync stages the
            // bytes and returns without waiting for the GPU (cudaMemcpy would wait for all queued work).
            Cudart.check(cudaMemcpyAsync(dst, src, bytes, kind, (CUstream_st) null), "cudaMemcpyAsync(host to device, " + what + ")");
        } else {
            Cudart.check(cudaMemcpy(dst, src, bytes, kind), "cudaMemcpy(device to host, " + what + ")");
        }
        device.endTimed();
    }

    /** An int array copied to a fresh device block (index arrays are small); give it back after use. */
    private DeviceAllocator.Block uploadInts(int[] values) {
        DeviceAllocator.Block b = device.allocator.take(values.length);
        if (values.length > 0) {
            device.bind();
            try (IntPointer host = new IntPointer(values)) {
                copy(Cudart.at(b.address()), host, (long) values.length * Integer.BYTES, cudaMemcpyHostToDevice, values.length + " ints");
            }
        }
        return b;
    }

    @Override
    public void fill(Storage dst, int offset, int n, float value) {
        kernels.launchElements("fill", n, kernels.args().ptr(at(dst, offset)).i(n).f(value));
    }

    @Override
    public void copy(int[] shape, Storage src, int srcOffset, int[] srcStrides, Storage dst, int dstOffset, int[] dstStrides) {
        long n = numel(shape);
        if (n == 0) return;
        int[][] d = mergeAxes("copy", shape, srcStrides, dstStrides);
        kernels.launchElements("copy_strided", n, kernels.args()
                .ptr(at(src, srcOffset)).ptr(at(dst, dstOffset)).dims(d[0], d[1], d[2]).i((int) n));
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    /**
     * The same index space with fewer axes, for the strided kernels (at most 8 axes): size-1 axes
     * are dropped, and axis k is merged into axis k-1 when both operands step over it exactly as
     * if it continued axis k-1 (stride[k-1] == stride[k] * shape[k]). A contiguous copy becomes
     * one axis; a [B, T, C] + [C] bias add becomes [B*T, C].
     *
     * @return {shape, stridesA, stridesB}
     */
    static int[][] mergeAxes(String op, int[] shape, int[] sa, int[] sb) {
        List<int[]> axes = new ArrayList<>();   // {size, strideA, strideB}
        for (int k = 0; k < shape.length; k++) {
            if (shape[k] == 1) continue;
            if (!axes.isEmpty()) {
                int[] prev = axes.get(axes.size() - 1);
                if (prev[1] == sa[k] * shape[k] && prev[2] == sb[k] * shape[k]) {
                    prev[0] *= shape[k];
                    prev[1] = sa[k];
                    prev[2] = sb[k];
                    continue;
                }
            }
            axes.add(new int[] {shape[k], sa[k], sb[k]});
        }
        if (axes.size() > KernelArgs.MAX_RANK) {
            throw new IllegalArgumentException("cuda " + op + ": " + axes.size() + " axes remain after merging contiguous ones;"
                    + " the CUDA kernels take at most " + KernelArgs.MAX_RANK);
        }
        int r = axes.size();
        int[][] out = {new int[r], new int[r], new int[r]};
        for (int k = 0; k < r; k++) {
            for (int j = 0; j < 3; j++) out[j][k] = axes.get(k)[j];
        }
        return out;
    }

    // ---- element-wise -----------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, float p, Storage x, int xOffset, Storage y, int yOffset, int n) {
        kernels.launchElements("unary", n, kernels.args().i(op.ordinal()).f(p).ptr(at(x, xOffset)).ptr(at(y, yOffset)).i(n));
    }

    @Override
    public void unaryBackward(UnaryOp op, float p, Storage x, int xOffset, Storage y, int yOffset,
                              Storage gy, int gyOffset, Storage gx, int gxOffset, int n) {
        kernels.launchElements("unary_backward", n, kernels.args().i(op.ordinal()).f(p)
                .ptr(at(x, xOffset)).ptr(y == null ? 0L : at(y, yOffset)).ptr(at(gy, gyOffset)).ptr(at(gx, gxOffset)).i(n));
    }

    @Override
    public void binary(BinaryOp op, float p, int[] shape, Storage a, int aOffset, int[] aStrides,
                       Storage b, int bOffset, int[] bStrides, Storage out, int outOffset) {
        long n = numel(shape);
        if (n == 0) return;
        int[][] d = mergeAxes("binary " + op, shape, aStrides, bStrides);
        kernels.launchElements("binary", n, kernels.args().i(op.ordinal()).f(p)
                .ptr(at(a, aOffset)).ptr(at(b, bOffset)).ptr(at(out, outOffset)).dims(d[0], d[1], d[2]).i((int) n));
    }

    @Override
    public void reduce(ReduceOp op, Storage x, int xOffset, int outer, int len, int inner, Storage y, int yOffset) {
        if (outer == 0 || inner == 0) return;
        int isMax = op == ReduceOp.MAX ? 1 : 0;
        if (inner == 1) {
            // x: [outer, len] -> y: [outer], one block per row.
            kernels.launchRows("reduce_rows", outer, kernels.args().i(isMax).ptr(at(x, xOffset)).ptr(at(y, yOffset)).i(len));
        } else {
            // x: [outer, len, inner] -> y: [outer, inner], one thread per output.
            kernels.launchElements("reduce_columns", (long) outer * inner, kernels.args().i(isMax)
                    .ptr(at(x, xOffset)).ptr(at(y, yOffset)).i(outer).i(len).i(inner));
        }
    }

    /** Blocks of sum_squares_partials per part: enough to fill the GPU for large parts, 1 for small ones. */
    private static final int SQUARES_MAX_BLOCKS = 256, SQUARES_PER_THREAD = 16;

    @Override
    public double sumOfSquares(Storage[] parts, int[] offsets, int[] counts) {
        // One launch per part writes its blocks' double partial sums into one buffer; one download
        // of all partials (the only wait), added here in order.
        int[] blocks = new int[parts.length];
        int total = 0;
        for (int p = 0; p < parts.length; p++) {
            long perBlock = (long) CudaKernels.ROW_THREADS * SQUARES_PER_THREAD;
            blocks[p] = (int) Math.min(SQUARES_MAX_BLOCKS, (counts[p] + perBlock - 1) / perBlock);
            total += blocks[p];
        }
        if (total == 0) return 0;
        DeviceAllocator.Block partials = device.allocator.take(2 * total);   // doubles: 2 floats each
        try {
            long at = partials.address();
            for (int p = 0; p < parts.length; p++) {
                if (blocks[p] == 0) continue;
                kernels.launch("sum_squares_partials", blocks[p], 1, CudaKernels.ROW_THREADS,
                        kernels.args().ptr(at(parts[p], offsets[p])).i(counts[p]).ptr(at));
                at += (long) blocks[p] * Double.BYTES;
            }
            double[] host = new double[total];
            device.bind();
            try (DoublePointer h = new DoublePointer(total)) {
                copy(h, Cudart.at(partials.address()), (long) total * Double.BYTES, cudaMemcpyDeviceToHost, total + " doubles");
                h.get(host);
            }
            double sum = 0;
            for (double v : host) sum += v;
            return sum;
        } finally {
            device.allocator.give(partials);
        }
    }

    // ---- matrix products ----------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Storage a, int aOffset, int lda, Storage b, int bOffset, int ldb,
                     float beta, Storage c, int cOffset, int ldc) {
        rowMajorGemm(transA, transB, m, n, k, alpha, a, aOffset, lda, 0, b, bOffset, ldb, 0, beta, c, cOffset, ldc, 0, 1);
    }

    @Override
    public void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            Storage a, int aOffset, int lda, long strideA,
                            Storage b, int bOffset, int ldb, long strideB,
                            float beta, Storage c, int cOffset, int ldc, long strideC, int batch) {
        rowMajorGemm(transA, transB, m, n, k, alpha, a, aOffset, lda, strideA, b, bOffset, ldb, strideB,
                beta, c, cOffset, ldc, strideC, batch);
    }

    /**
     * Row-major C[i] = alpha op(A[i]) op(B[i]) + beta C[i] for i < batch, with op(A) [m, k],
     * op(B) [k, n], C [m, n]; lda/ldb/ldc are row strides as stored.
     */
    private void rowMajorGemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                              Storage a, int aOffset, int lda, long strideA, Storage b, int bOffset, int ldb, long strideB,
                              float beta, Storage c, int cOffset, int ldc, long strideC, int batch) {
        if (m == 0 || n == 0 || batch == 0) return;
        if (k == 0) {   // op(A) op(B) is all zeros: C = beta C, without asking cuBLAS about empty operands
            if (beta != 1f) {
                for (int i = 0; i < batch; i++) {
                    kernels.launchElements("scale_matrix", (long) m * n, kernels.args()
                            .ptr(at(c, (int) (cOffset + i * strideC))).i(m).i(n).i(ldc).f(beta));
                }
            }
            return;
        }
        // cuBLAS checks ld >= the stored row length even for a matrix of one row, where the
        // stride is never used: raise it there. Stored shapes: A [m, k] (or [k, m] when transA).
        lda = leadingDim(transA ? k : m, transA ? m : k, lda);
        ldb = leadingDim(transB ? n : k, transB ? k : n, ldb);
        ldc = leadingDim(m, n, ldc);
        FloatPointer pa = new FloatPointer(Cudart.at(at(a, aOffset)));
        FloatPointer pb = new FloatPointer(Cudart.at(at(b, bOffset)));
        FloatPointer pc = new FloatPointer(Cudart.at(at(c, cOffset)));
        FloatPointer scalars = alphaBeta.get();
        scalars.put(0, alpha).put(1, beta);
        FloatPointer pAlpha = new FloatPointer(scalars).position(0), pBeta = new FloatPointer(scalars).position(1);
        device.bind();

        // Row-major through column-major cuBLAS, by the operand-swap identity.
        // cuBLAS reads a matrix buffer column-major: M[i, j] = buf[i + j * ld]. We store row-major:
        // M[i, j] = buf[i * ld + j]. So every buffer of ours, read by cuBLAS, is the TRANSPOSE of
        // our matrix. We want C = op(A) op(B); transposed, that is C^T = op(B)^T op(A)^T, and C^T
        // is exactly what cuBLAS sees in our C buffer. So we ask for the column-major product
        // op(B)^T op(A)^T: B's buffer first, A's second, m and n swapped (C^T is [n, m]). Each
        // operand keeps its own flag: cuBLAS already sees B as B^T, and op(B)^T is that view
        // untransposed when transB is false, transposed when it is true (likewise for A).
        // Leading dimensions (our row strides) are cuBLAS's column strides unchanged.
        int opB = transB ? CUBLAS_OP_T : CUBLAS_OP_N, opA = transA ? CUBLAS_OP_T : CUBLAS_OP_N;
        if (batch == 1) {
            device.beginTimed("cublasSgemm");
            Cublas.check(cublasSgemm_v2(device.cublasHandle, opB, opA, n, m, k,
                    pAlpha, pb, ldb, pa, lda, pBeta, pc, ldc), "cublasSgemm_v2");
        } else {
            device.beginTimed("cublasSgemmStridedBatched");
            Cublas.check(cublasSgemmStridedBatched(device.cublasHandle, opB, opA, n, m, k,
                    pAlpha, pb, ldb, strideB, pa, lda, strideA, pBeta, pc, ldc, strideC, batch), "cublasSgemmStridedBatched");
        }
        device.endTimed();
    }

    /** The row stride cuBLAS accepts for a stored [rows, cols] matrix (the given one unless rows == 1). */
    private static int leadingDim(int rows, int cols, int ld) {
        return rows <= 1 ? Math.max(ld, Math.max(1, cols)) : ld;
    }

    // ---- fused rows -----------------------------------------------------------------------------

    @Override
    public void softmax(boolean log, Storage x, int xOffset, Storage y, int yOffset, int rows, int cols) {
        kernels.launchRows("softmax", rows, kernels.args().i(log ? 1 : 0).ptr(at(x, xOffset)).ptr(at(y, yOffset)).i(cols));
    }

    @Override
    public void softmaxBackward(boolean log, Storage y, int yOffset, Storage gy, int gyOffset,
                                Storage gx, int gxOffset, int rows, int cols) {
        kernels.launchRows("softmax_backward", rows, kernels.args().i(log ? 1 : 0)
                .ptr(at(y, yOffset)).ptr(at(gy, gyOffset)).ptr(at(gx, gxOffset)).i(cols));
    }

    @Override
    public void layerNorm(Storage x, int xOffset, Storage gamma, int gammaOffset, Storage beta, int betaOffset,
                          Storage y, int yOffset, Storage mean, Storage rstd, int rows, int cols, float eps) {
        // x, y: [rows, cols]; gamma, beta: [cols]; mean, rstd: [rows] (from offset 0)
        kernels.launchRows("layer_norm", rows, kernels.args().ptr(at(x, xOffset)).ptr(at(gamma, gammaOffset))
                .ptr(at(beta, betaOffset)).ptr(at(y, yOffset)).ptr(at(mean, 0)).ptr(at(rstd, 0)).i(cols).f(eps));
    }

    /** Rows per chunk of the parameter-gradient sums of layerNormBackward. */
    private static final int LN_CHUNK_ROWS = 32;

    @Override
    public void layerNormBackward(Storage x, int xOffset, Storage gamma, int gammaOffset, Storage mean, Storage rstd,
                                  Storage gy, int gyOffset, Storage gx, int gxOffset,
                                  Storage ggamma, Storage gbeta, int rows, int cols) {
        if (rows == 0 || cols == 0) return;
        // gx: [rows, cols], one block per row.
        kernels.launchRows("layer_norm_backward_input", rows, kernels.args().ptr(at(x, xOffset)).ptr(at(gamma, gammaOffset))
                .ptr(at(mean, 0)).ptr(at(rstd, 0)).ptr(at(gy, gyOffset)).ptr(at(gx, gxOffset)).i(cols));

        // ggamma, gbeta: [cols], summed over rows in two deterministic steps (no atomics):
        // partial sums [chunks, cols] of `chunk` rows each (grid: column blocks x chunks), then a
        // per-column sum of the partials. Partials are doubles: 2 floats each in the allocator.
        int chunk = Math.max(LN_CHUNK_ROWS, (rows + 65534) / 65535);   // gridDim.y <= 65535
        int chunks = (rows + chunk - 1) / chunk;
        int partialFloats = Math.multiplyExact(2 * chunks, cols);
        DeviceAllocator.Block pg = device.allocator.take(partialFloats), pb = device.allocator.take(partialFloats);
        try {
            int columnBlocks = (cols + CudaKernels.ELEMENT_THREADS - 1) / CudaKernels.ELEMENT_THREADS;
            kernels.launch("layer_norm_param_partials", columnBlocks, chunks, CudaKernels.ELEMENT_THREADS, kernels.args()
                    .ptr(at(x, xOffset)).ptr(at(mean, 0)).ptr(at(rstd, 0)).ptr(at(gy, gyOffset))
                    .ptr(pg.address()).ptr(pb.address()).i(rows).i(cols).i(chunk));
            kernels.launch("layer_norm_param_finish", columnBlocks, 1, CudaKernels.ELEMENT_THREADS, kernels.args()
                    .ptr(pg.address()).ptr(pb.address()).ptr(at(ggamma, 0)).ptr(at(gbeta, 0)).i(chunks).i(cols));
        } finally {
            // Safe to reuse at once: later work on the same stream runs after these kernels.
            device.allocator.give(pg);
            device.allocator.give(pb);
        }
    }

    // ---- optimisers -------------------------------------------------------------------------------

    @Override
    public void adamw(Storage p, int pOffset, Storage g, int gOffset, float gradScale, Storage m, Storage v, int n,
                      float beta1, float beta2, float eps, float stepSize, float denomScale, float decay, boolean decayBeforeUpdate) {
        // p, g: [n] from their offsets; m, v: [n] from 0; all updated in place except g.
        kernels.launchElements("adamw", n, kernels.args().ptr(at(p, pOffset)).ptr(at(g, gOffset)).f(gradScale).ptr(at(m, 0)).ptr(at(v, 0))
                .i(n).f(beta1).f(beta2).f(eps).f(stepSize).f(denomScale).f(decay).i(decayBeforeUpdate ? 1 : 0));
    }

    // ---- recurrent cells --------------------------------------------------------------------------

    @Override
    public void gruCell(Storage xt, int xtOffset, int xtStride, Storage hh, int hhOffset, Storage h, int hOffset,
                        Storage hNext, int hNextOffset, Storage gates, int gatesOffset, int rows, int hidden) {
        kernels.launchElements("gru_cell", (long) rows * hidden, kernels.args().ptr(at(xt, xtOffset)).i(xtStride)
                .ptr(at(hh, hhOffset)).ptr(at(h, hOffset)).ptr(at(hNext, hNextOffset)).ptr(at(gates, gatesOffset)).i(rows).i(hidden));
    }

    @Override
    public void gruCellBackward(Storage gates, int gatesOffset, Storage hh, int hhOffset, Storage h, int hOffset,
                                Storage ghNext, int ghNextOffset, Storage gxt, int gxtOffset, int gxtStride,
                                Storage ghh, int ghhOffset, Storage gh, int ghOffset, int rows, int hidden) {
        kernels.launchElements("gru_cell_backward", (long) rows * hidden, kernels.args().ptr(at(gates, gatesOffset)).ptr(at(hh, hhOffset))
                .ptr(at(h, hOffset)).ptr(at(ghNext, ghNextOffset)).ptr(at(gxt, gxtOffset)).i(gxtStride).ptr(at(ghh, ghhOffset))
                .ptr(at(gh, ghOffset)).i(rows).i(hidden));
    }

    @Override
    public void lstmCell(Storage xt, int xtOffset, int xtStride, Storage hh, int hhOffset, Storage c, int cOffset, int cStride,
                         Storage out, int outOffset, Storage act, int actOffset, int rows, int hidden) {
        kernels.launchElements("lstm_cell", (long) rows * hidden, kernels.args().ptr(at(xt, xtOffset)).i(xtStride)
                .ptr(at(hh, hhOffset)).ptr(at(c, cOffset)).i(cStride).ptr(at(out, outOffset)).ptr(at(act, actOffset)).i(rows).i(hidden));
    }

    @Override
    public void lstmCellBackward(Storage act, int actOffset, Storage c, int cOffset, int cStride, Storage gOut, int gOutOffset,
                                 Storage gGates, int gGatesOffset, Storage gc, int gcOffset, int gcStride, int rows, int hidden) {
        kernels.launchElements("lstm_cell_backward", (long) rows * hidden, kernels.args().ptr(at(act, actOffset)).ptr(at(c, cOffset))
                .i(cStride).ptr(at(gOut, gOutOffset)).ptr(at(gGates, gGatesOffset)).ptr(at(gc, gcOffset)).i(gcStride).i(rows).i(hidden));
    }

    // ---- attention with a span hidden -------------------------------------------------------------

    /**
     * Checks the spans of spanHiddenAttention (0 <= start < end <= len) and that scores [H, L, L]
     * and values [H, L, G] lie inside their storages (the GPU would not).
     */
    private static void checkSpanAttention(String op, Storage scores, int scoresOffset, Storage values, int valuesOffset,
                                           int heads, int len, int width, int[] start, int[] end) {
        if (start.length != end.length) {
            throw new IllegalArgumentException(op + ": " + start.length + " span starts but " + end.length + " span ends");
        }
        for (int s = 0; s < start.length; s++) {
            if (start[s] < 0 || start[s] >= end[s] || end[s] > len) {
                throw new IllegalArgumentException(op + ": span " + s + " [" + start[s] + ", " + end[s]
                        + ") is not a non-empty range of a sequence of length " + len);
            }
        }
        checkExtent(op + " scores", scores, scoresOffset, (long) heads * len * len);
        checkExtent(op + " values", values, valuesOffset, (long) heads * len * width);
    }

    /** Checks that n floats from offset lie inside storage s. */
    private static void checkExtent(String what, Storage s, int offset, long n) {
        if (offset < 0 || offset + n > s.size()) {
            throw new IndexOutOfBoundsException(what + ": " + n + " floats at offset " + offset
                    + " do not fit a storage of " + s.size() + " floats");
        }
    }

    @Override
    public void spanHiddenAttention(Storage scores, int scoresOffset, Storage values, int valuesOffset, int heads, int len, int width,
                                    int[] start, int[] end, Storage out, Storage lse) {
        checkSpanAttention("spanHiddenAttention", scores, scoresOffset, values, valuesOffset, heads, len, width, start, end);
        int spans = start.length;
        checkExtent("spanHiddenAttention out", out, 0, (long) spans * len * width);
        checkExtent("spanHiddenAttention lse", lse, 0, (long) spans * heads * len);
        SpanAttentionByProducts.forward(this, spanKernels, scores, scoresOffset, values, valuesOffset, heads, len, width,
                start, end, out, lse);
    }

    @Override
    public void spanHiddenAttentionBackward(Storage scores, int scoresOffset, Storage values, int valuesOffset, Storage lse,
                                            Storage gOut, int gOutOffset, int heads, int len, int width, int[] start, int[] end,
                                            Storage gScores, Storage gValues) {
        String op = "spanHiddenAttentionBackward";
        checkSpanAttention(op, scores, scoresOffset, values, valuesOffset, heads, len, width, start, end);
        int spans = start.length;
        checkExtent(op + " lse", lse, 0, (long) spans * heads * len);
        checkExtent(op + " gOut", gOut, gOutOffset, (long) spans * len * width);
        checkExtent(op + " gScores", gScores, 0, (long) heads * len * len);
        checkExtent(op + " gValues", gValues, 0, (long) heads * len * width);
        // The weights are formed again from the scores (the forward's lse is not needed).
        SpanAttentionByProducts.backward(this, spanKernels, scores, scoresOffset, values, valuesOffset, gOut, gOutOffset,
                heads, len, width, start, end, gScores, gValues);
    }

    /** The two kernels of attention.cu that SpanAttentionByProducts needs besides gemm. */
    private final SpanAttentionByProducts.Kernels spanKernels = new SpanAttentionByProducts.Kernels() {
        @Override
        public void spanAttentionWeights(Storage scores, int scoresOffset, int heads, int len, int[] start, int[] end,
                                         Storage p, Storage lse, int lseOffset) {
            int spans = start.length;
            DeviceAllocator.Block s = uploadInts(start), e = uploadInts(end);
            try {
                kernels.launchElements("span_attention_weights", (long) spans * len * heads, kernels.args()
                        .ptr(at(scores, scoresOffset)).ptr(s.address()).ptr(e.address()).i(spans).i(heads).i(len)
                        .ptr(at(p, 0)).ptr(at(lse, lseOffset)));
            } finally {
                device.allocator.give(s);
                device.allocator.give(e);
            }
        }

        @Override
        public void spanAttentionScoreGradient(Storage p, Storage dp, Storage c, int spans, int heads, int len,
                                               Storage gScores, boolean accumulate) {
            kernels.launchElements("span_attention_grad_scores", (long) heads * len * len, kernels.args()
                    .ptr(at(p, 0)).ptr(at(dp, 0)).ptr(at(c, 0)).i(spans).i(heads).i(len).i(accumulate ? 1 : 0)
                    .ptr(at(gScores, 0)));
        }
    };

    // ---- indexing ---------------------------------------------------------------------------------

    /** Checks that rows index[i] of length rowLength lie inside storage s from offset on (the GPU would not). */
    private static void checkRows(String op, int[] index, Storage s, int offset, int rowLength) {
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || offset + (long) (index[i] + 1) * rowLength > s.size()) {
                throw new IndexOutOfBoundsException(op + ": row index " + index[i] + " at position " + i
                        + " is outside a storage of " + s.size() + " floats (offset " + offset + ", row length " + rowLength + ")");
            }
        }
    }

    @Override
    public void gatherRows(Storage src, int srcOffset, int rowLength, int[] index, Storage dst, int dstOffset) {
        if (index.length == 0 || rowLength == 0) return;
        checkRows("gatherRows", index, src, srcOffset, rowLength);
        DeviceAllocator.Block idx = uploadInts(index);
        try {
            kernels.launchElements("gather_rows", (long) index.length * rowLength, kernels.args()
                    .ptr(at(src, srcOffset)).i(rowLength).ptr(idx.address()).i(index.length).ptr(at(dst, dstOffset)));
        } finally {
            device.allocator.give(idx);
        }
    }

    @Override
    public void scatterAddRows(Storage src, int srcOffset, int rowLength, int[] index, Storage dst, int dstOffset) {
        if (index.length == 0 || rowLength == 0) return;
        checkRows("scatterAddRows", index, dst, dstOffset, rowLength);
        DeviceAllocator.Block idx = uploadInts(index);
        try {
            kernels.launchElements("scatter_add_rows", (long) index.length * rowLength, kernels.args()
                    .ptr(at(src, srcOffset)).i(rowLength).ptr(idx.address()).i(index.length).ptr(at(dst, dstOffset)));
        } finally {
            device.allocator.give(idx);
        }
    }

    @Override
    public void rangeMax(Storage src, int srcOffset, int cols, int[] start, int[] end, Storage dst, Storage argmax) {
        if (start.length != end.length) {
            throw new IllegalArgumentException("rangeMax: " + start.length + " starts but " + end.length + " ends");
        }
        int ranges = start.length;
        if (ranges == 0 || cols == 0) return;
        for (int r = 0; r < ranges; r++) {
            if (end[r] > start[r] && (start[r] < 0 || srcOffset + (long) end[r] * cols > src.size())) {
                throw new IndexOutOfBoundsException("rangeMax: range " + r + " [" + start[r] + ", " + end[r]
                        + ") is outside a storage of " + src.size() + " floats (offset " + srcOffset + ", " + cols + " columns)");
            }
        }
        DeviceAllocator.Block s = uploadInts(start), e = uploadInts(end);
        try {
            // src: [rows, cols] -> dst, argmax: [ranges, cols] (from offset 0)
            kernels.launchElements("range_max", (long) ranges * cols, kernels.args().ptr(at(src, srcOffset)).i(cols)
                    .ptr(s.address()).ptr(e.address()).i(ranges).ptr(at(dst, 0)).ptr(at(argmax, 0)));
        } finally {
            device.allocator.give(s);
            device.allocator.give(e);
        }
    }

    @Override
    public void rangeMaxBackward(Storage gdst, Storage argmax, int ranges, int cols, Storage gsrc, int gsrcOffset) {
        // gdst, argmax: [ranges, cols] -> gsrc: [rows, cols], accumulating
        kernels.launchElements("range_max_backward", (long) ranges * cols, kernels.args()
                .ptr(at(gdst, 0)).ptr(at(argmax, 0)).i(ranges).i(cols).ptr(at(gsrc, gsrcOffset)));
    }
}
