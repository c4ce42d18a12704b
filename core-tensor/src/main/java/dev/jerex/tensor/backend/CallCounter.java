package dev.jerex.tensor.backend;

import dev.jerex.tensor.Profiler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the calls made to a backend, for {@code -Djerex.backend.countCalls=true}: on a GPU every
 * call is at least one kernel launch or copy, and a step of many small launches is bound by their
 * number, not their arithmetic; counting them on the CPU shows where they come from (and what a
 * change saves) without a GPU. Calls are counted per method ({@code binary} and {@code unary} per
 * op) and per {@link Profiler} section, forward and backward (an op's backward counts in the
 * section that recorded it). Per section it also sums the arithmetic of the matrix products
 * (gemm and gemmBatched: 2 m n k flops per product), the bulk of a step's arithmetic: a
 * section's share of the time set against its share of these flops tells a slow implementation
 * from a costly definition. The tables are printed to stderr at exit.
 */
public final class CallCounter {
    static final boolean ENABLED = Boolean.getBoolean("jerex.backend.countCalls");

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    /** By profiler section ({@link Profiler#current}): {forward calls, backward calls}. */
    private final Map<String, LongAdder[]> bySection = new ConcurrentHashMap<>();
    /** By profiler section: {forward, backward} flops of the matrix products. */
    private final Map<String, LongAdder[]> gemmFlopsBySection = new ConcurrentHashMap<>();

    /** A counter read by its owner (tests, tools): see {@link #counting}. */
    public CallCounter() {}

    /** Calls counted so far, all kinds. */
    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Calls counted so far under a name ("gemm", "binary ADD"). */
    public long count(String name) {
        LongAdder n = counts.get(name);
        return n == null ? 0 : n.sum();
    }

    /** Calls counted so far in a profiler section ("(no section)" outside any), forward or backward. */
    public long count(String section, boolean backward) {
        LongAdder[] n = bySection.get(section);
        return n == null ? 0 : n[backward ? 1 : 0].sum();
    }

    /** Flops of the matrix products counted so far in a profiler section, forward or backward. */
    public long gemmFlops(String section, boolean backward) {
        LongAdder[] n = gemmFlopsBySection.get(section);
        return n == null ? 0 : n[backward ? 1 : 0].sum();
    }

    /** Flops of all matrix products counted so far. */
    public long gemmFlops() {
        return gemmFlopsBySection.values().stream().mapToLong(CallCounter::sum).sum();
    }

    /** backend behind a proxy that counts each call before passing it on; the table is printed at exit. */
    public static Backend wrap(Backend backend) {
        CallCounter counter = new CallCounter();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.print(counter.report(backend.name())), "jerex-call-counter"));
        return counter.counting(backend);
    }

    /** backend behind a proxy that counts each call into this counter before passing it on. */
    public Backend counting(Backend backend) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) -> {
            String name = method.getName();
            if ((name.equals("binary") || name.equals("unary") || name.equals("unaryBackward")) && args != null) name += " " + args[0];
            counts.computeIfAbsent(name, k -> new LongAdder()).increment();
            String section = Profiler.current() == null ? "(no section)" : Profiler.current();
            int direction = Profiler.inBackward() ? 1 : 0;
            bySection.computeIfAbsent(section, k -> new LongAdder[] {new LongAdder(), new LongAdder()})[direction].increment();
            if (name.startsWith("gemm")) {
                // gemm(transA, transB, m, n, k, ...); gemmBatched(..., batch) last
                long flops = 2L * (int) args[2] * (int) args[3] * (int) args[4] * (name.equals("gemmBatched") ? (int) args[args.length - 1] : 1);
                gemmFlopsBySection.computeIfAbsent(section, k -> new LongAdder[] {new LongAdder(), new LongAdder()})[direction].add(flops);
            }
            try {
                return method.invoke(backend, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    String report(String backendName) {
        long total = total();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "backend calls (jerex.backend.countCalls, %s): %,d in all%n", backendName, total));
        out.append(String.format(Locale.ROOT, "%-34s %14s %7s%n", "call", "count", "share"));
        counts.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum())).forEach(e -> out.append(
                String.format(Locale.ROOT, "%-34s %,14d %6.1f%%%n", e.getKey(), e.getValue().sum(), 100.0 * e.getValue().sum() / Math.max(1, total))));
        out.append(String.format(Locale.ROOT, "%-34s %14s %14s%n", "by profiler section", "forward", "backward"));
        bySection.entrySet().stream().sorted((a, b) -> Long.compare(sum(b.getValue()), sum(a.getValue()))).forEach(e -> out.append(
                String.format(Locale.ROOT, "%-34s %,14d %,14d%n", e.getKey(), e.getValue()[0].sum(), e.getValue()[1].sum())));
        long flops = gemmFlops();
        out.append(String.format(Locale.ROOT, "%-34s %14s %14s %7s%n", "matrix-product GFLOP by section", "forward", "backward", "share"));
        gemmFlopsBySection.entrySet().stream().sorted((a, b) -> Long.compare(sum(b.getValue()), sum(a.getValue()))).forEach(e -> out.append(
                String.format(Locale.ROOT, "%-34s %14.2f %14.2f %6.1f%%%n", e.getKey(), e.getValue()[0].sum() / 1e9, e.getValue()[1].sum() / 1e9,
                        100.0 * sum(e.getValue()) / Math.max(1, flops))));
        return out.toString();
    }

    private static long sum(LongAdder[] forwardBackward) {
        return forwardBackward[0].sum() + forwardBackward[1].sum();
    }
}
