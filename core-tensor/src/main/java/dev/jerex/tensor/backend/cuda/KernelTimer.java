package dev.jerex.tensor.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;

/**
 * GPU time per kernel, for {@code -Djerex.cuda.profile=true}: every kernel launch, cuBLAS call and
 * host/device copy is bracketed by two CUDA events on the default stream, and the time between
 * them (the GPU's own clock: the work itself, not the host's time to queue it) is added to the
 * work's name. The events are read in batches, so the host waits for the GPU only once per
 * {@link #BATCH} calls; recording them costs the host a few microseconds per call, so wall times
 * of a profiled run are not those of a plain one. The table is printed to stderr at exit.
 *
 * <p>Where the host, not the GPU, is the bottleneck, the total here is well below the wall time.
 */
final class KernelTimer {
    static final boolean ENABLED = Boolean.getBoolean("jerex.cuda.profile");
    /** Event pairs recorded before they are read (and their events reused). */
    private static final int BATCH = 4096;

    private final List<CUevent_st[]> pool = new ArrayList<>();
    private final String[] names = new String[BATCH];
    private final CUevent_st[][] pending = new CUevent_st[BATCH][];
    private int count;
    private CUevent_st[] open;
    private String openName;
    private final Map<String, double[]> totals = new HashMap<>();   // name -> {calls, milliseconds}

    KernelTimer() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.print(report()), "jerex-kernel-timer"));
    }

    /** Marks the start of {@code name}'s work on the stream. */
    synchronized void begin(String name) {
        if (open == null) open = pool.isEmpty() ? newPair() : pool.remove(pool.size() - 1);   // else: the last call failed before end()
        openName = name;
        Cudart.check(cudaEventRecord(open[0], (CUstream_st) null), "cudaEventRecord");
    }

    /** Marks the end of the work begun last. */
    synchronized void end() {
        Cudart.check(cudaEventRecord(open[1], (CUstream_st) null), "cudaEventRecord");
        names[count] = openName;
        pending[count++] = open;
        open = null;
        if (count == BATCH) readPending();
    }

    private static CUevent_st[] newPair() {
        CUevent_st[] pair = {new CUevent_st(), new CUevent_st()};
        Cudart.check(cudaEventCreate(pair[0]), "cudaEventCreate");
        Cudart.check(cudaEventCreate(pair[1]), "cudaEventCreate");
        return pair;
    }

    /** Waits for the last pending pair, adds every pair's elapsed time to its name, and recycles the events. */
    private void readPending() {
        if (count == 0) return;
        Cudart.check(cudaEventSynchronize(pending[count - 1][1]), "cudaEventSynchronize");
        float[] ms = new float[1];
        for (int i = 0; i < count; i++) {
            Cudart.check(cudaEventElapsedTime(ms, pending[i][0], pending[i][1]), "cudaEventElapsedTime");
            double[] t = totals.computeIfAbsent(names[i], k -> new double[2]);
            t[0]++;
            t[1] += ms[0];
            pool.add(pending[i]);
            pending[i] = null;
        }
        count = 0;
    }

    /** The table: name, calls, total GPU milliseconds, mean microseconds, share of the total; largest first. */
    synchronized String report() {
        readPending();
        double all = totals.values().stream().mapToDouble(t -> t[1]).sum();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "GPU time by kernel (jerex.cuda.profile): %.1f ms in all%n%-32s %10s %12s %10s %7s%n",
                all, "kernel", "calls", "total ms", "mean us", "share"));
        totals.entrySet().stream()
                .sorted((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1]))
                .forEach(e -> out.append(String.format(Locale.ROOT, "%-32s %10d %12.1f %10.2f %6.1f%%%n",
                        e.getKey(), (long) e.getValue()[0], e.getValue()[1],
                        1000 * e.getValue()[1] / e.getValue()[0], 100 * e.getValue()[1] / all)));
        return out.toString();
    }
}
