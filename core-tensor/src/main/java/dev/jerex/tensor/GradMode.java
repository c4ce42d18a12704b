package dev.jerex.tensor;

/**
 * Whether operations record the graph for backward, per thread. Inference runs in a no-grad
 * scope: {@code try (var off = GradMode.noGrad()) { ... }}. Backward functions themselves run
 * without grad (this library does not compute gradients of gradients).
 */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private final boolean previous;

    private GradMode(boolean enabled) {
        this.previous = ENABLED.get();
        ENABLED.set(enabled);
    }

    public static GradMode noGrad() {
        return new GradMode(false);
    }

    public static GradMode enableGrad() {
        return new GradMode(true);
    }

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    @Override
    public void close() {
        ENABLED.set(previous);
    }
}
