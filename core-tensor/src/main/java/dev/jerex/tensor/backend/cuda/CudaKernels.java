package dev.jerex.tensor.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cuCtxSynchronize;
import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The CUDA C kernels of this package's resource folder: compiled at start-up with NVRTC for the
 * device's architecture, loaded with cuModuleLoadData, launched with cuLaunchKernel.
 */
final class CudaKernels {
    /** Resource folder of the kernel sources. */
    static final String RESOURCES = "/dev/jerex/tensor/backend/cuda/";
    /** The header every source includes. */
    static final String HEADER = "common.cuh";
    /** The kernel sources, and the kernels each defines (extern "C", so found by these names). */
    static final Map<String, List<String>> SOURCES = Map.of(
            "elementwise.cu", List.of("fill", "scale_matrix", "copy_strided", "unary", "unary_backward", "binary"),
            "reduce.cu", List.of("reduce_columns", "reduce_rows", "sum_squares_partials"),
            "rows.cu", List.of("softmax", "softmax_backward", "layer_norm", "layer_norm_backward_input",
                    "layer_norm_param_partials", "layer_norm_param_finish"),
            "index.cu", List.of("gather_rows", "scatter_add_rows", "range_max", "range_max_backward"),
            "optim.cu", List.of("adamw"),
            "recurrent.cu", List.of("gru_cell", "gru_cell_backward", "lstm_cell", "lstm_cell_backward"),
            "attention.cu", List.of("span_attention_weights", "span_attention_grad_scores"));

    /** Threads per block of the element-wise kernels. */
    static final int ELEMENT_THREADS = 256;
    /** Threads per block of the row kernels: must equal ROW_THREADS in common.cuh. */
    static final int ROW_THREADS = 256;
    /** Grid size cap of the grid-stride kernels (each thread then loops). */
    static final long MAX_BLOCKS = 1 << 16;
    /** Debugging aid: synchronise after every launch so that a fault names its kernel. */
    static final boolean SYNC_EACH_LAUNCH = Boolean.getBoolean("jerex.cuda.sync");

    private final CudaDevice device;
    private final Map<String, CUfunc_st> functions = new HashMap<>();
    private final ThreadLocal<KernelArgs> args = ThreadLocal.withInitial(KernelArgs::new);
    final Nvrtc.Target target;

    CudaKernels(CudaDevice device) {
        this.device = device;
        this.target = Nvrtc.targetFor(device.computeCapability);
        String[] headerNames = {HEADER};
        String[] headerSources = {source(HEADER)};
        for (Map.Entry<String, List<String>> e : SOURCES.entrySet()) {
            byte[] image = Nvrtc.compile(e.getKey(), source(e.getKey()), headerNames, headerSources, target);
            CUmod_st module = new CUmod_st();
            try (BytePointer data = new BytePointer(image)) {
                Cudart.checkDriver(cuModuleLoadData(module, data), "cuModuleLoadData(" + e.getKey() + ")");
            }
            for (String kernel : e.getValue()) {
                CUfunc_st f = new CUfunc_st();
                Cudart.checkDriver(cuModuleGetFunction(f, module, kernel), "cuModuleGetFunction(" + kernel + ")");
                functions.put(kernel, f);
            }
        }
    }

    /** The text of a kernel source resource. */
    static String source(String file) {
        try (InputStream in = CudaKernels.class.getResourceAsStream(RESOURCES + file)) {
            if (in == null) throw new IllegalStateException("kernel source " + RESOURCES + file + " is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This thread's argument buffer, emptied: fill it in the kernel's parameter order, then {@link #launch}. */
    KernelArgs args() {
        return args.get().reset();
    }

    /** Blocks for a grid-stride kernel over n elements. */
    static int blocksFor(long n) {
        return (int) Math.min(MAX_BLOCKS, (n + ELEMENT_THREADS - 1) / ELEMENT_THREADS);
    }

    /** A 1-D grid-stride launch over n elements (nothing to do when n == 0). */
    void launchElements(String kernel, long n, KernelArgs a) {
        if (n > 0) launch(kernel, blocksFor(n), 1, ELEMENT_THREADS, a);
    }

    /** One block of ROW_THREADS per row (nothing to do when rows == 0). */
    void launchRows(String kernel, int rows, KernelArgs a) {
        if (rows > 0) launch(kernel, rows, 1, ROW_THREADS, a);
    }

    /** cuLaunchKernel on the default stream with a (gridX, gridY) grid of 1-D blocks. */
    void launch(String kernel, int gridX, int gridY, int blockX, KernelArgs a) {
        CUfunc_st f = functions.get(kernel);
        if (f == null) throw new IllegalArgumentException("no CUDA kernel named " + kernel);
        device.bind();
        device.beginTimed(kernel);
        Cudart.checkDriver(cuLaunchKernel(f, gridX, gridY, 1, blockX, 1, 1, 0, (CUstream_st) null, a.params, (PointerPointer<?>) null),
                "cuLaunchKernel(" + kernel + ")");
        device.endTimed();
        if (SYNC_EACH_LAUNCH) Cudart.checkDriver(cuCtxSynchronize(), "kernel " + kernel);
    }
}
