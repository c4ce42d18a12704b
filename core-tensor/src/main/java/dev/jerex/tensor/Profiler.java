package dev.jerex.tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the time goes, by named section, forward and backward. Code marks a section with
 * {@code try (var s = Profiler.section("encoder")) { ... }}: its wall time counts as that
 * section's forward time, and every op recorded inside it is labelled with the section, so that
 * the autograd engine can charge the op's backward time to the same section. Off by default
 * (then a section costs one thread-local read); nothing is timed in the hot loops themselves.
 */
public final class Profiler implements AutoCloseable {
    private static volatile boolean enabled;
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();
    /** Whether this thread is running the backward of a recorded op (whose section is then CURRENT). */
    private static final ThreadLocal<Boolean> IN_BACKWARD = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static final Map<String, LongAdder> FORWARD = new ConcurrentHashMap<>(), BACKWARD = new ConcurrentHashMap<>();

    private final String previous;
    private final String name;
    private final long start;

    private Profiler(String name) {
        this.previous = CURRENT.get();
        this.name = name;
        CURRENT.set(name);
        this.start = enabled ? System.nanoTime() : 0;
    }

    public static void enable(boolean on) {
        enabled = on;
    }

    public static boolean enabled() {
        return enabled;
    }

    /** Opens a section; nested sections are charged to the innermost one only. */
    public static Profiler section(String name) {
        return new Profiler(name);
    }

    /** The innermost open section on this thread, or null; in the backward, the section of the op being differentiated. */
    public static String current() {
        return CURRENT.get();
    }

    /** Whether this thread is inside an op's backward (see {@link #backwardOf}). */
    public static boolean inBackward() {
        return IN_BACKWARD.get();
    }

    /**
     * Marks the backward of an op recorded in {@code section} (the autograd engine, around each
     * op's backward), so that work done there is labelled with the op's section: {@link #current}
     * and {@link #inBackward} for the backend's call counter. Times nothing.
     */
    static BackwardLabel backwardOf(String section) {
        return new BackwardLabel(section);
    }

    /** What {@link #backwardOf} sets, restored on close. */
    static final class BackwardLabel implements AutoCloseable {
        private final String previous = CURRENT.get();
        private final boolean previousPhase = IN_BACKWARD.get();

        private BackwardLabel(String section) {
            CURRENT.set(section);
            IN_BACKWARD.set(Boolean.TRUE);
        }

        @Override
        public void close() {
            CURRENT.set(previous);
            IN_BACKWARD.set(previousPhase);
        }
    }

    static void addBackward(String section, long nanos) {
        BACKWARD.computeIfAbsent(section == null ? "(other)" : section, k -> new LongAdder()).add(nanos);
    }

    @Override
    public void close() {
        if (enabled) {
            long elapsed = System.nanoTime() - start;
            FORWARD.computeIfAbsent(name, k -> new LongAdder()).add(elapsed);
            // the parent section's wall time includes ours: take ours out, so sections partition the time
            if (previous != null) FORWARD.computeIfAbsent(previous, k -> new LongAdder()).add(-elapsed);
        }
        CURRENT.set(previous);
    }

    /** Seconds per section: {forward, backward}. */
    public static Map<String, double[]> snapshot() {
        Map<String, double[]> out = new LinkedHashMap<>();
        FORWARD.forEach((k, v) -> out.computeIfAbsent(k, x -> new double[2])[0] = v.sum() / 1e9);
        BACKWARD.forEach((k, v) -> out.computeIfAbsent(k, x -> new double[2])[1] = v.sum() / 1e9);
        return out;
    }

    public static void reset() {
        FORWARD.clear();
        BACKWARD.clear();
    }
}
