package dev.jerex.tensor.backend;

/** Read-only figures of the host buffer pool, for memory tests and reports. */
public final class PoolStats {
    private PoolStats() {}

    /** Bytes held by live host storages. */
    public static long liveBytes() {
        return HostBufferPool.liveBytes();
    }

    /**
     * The most bytes live host storages held at once (all threads together) since the last
     * {@link #resetPeak()}: the high-water mark of tensor memory of a step or a prediction.
     */
    public static long peakLiveBytes() {
        return HostBufferPool.peakLiveBytes();
    }

    /** Starts a new peak from the bytes live now. */
    public static void resetPeak() {
        HostBufferPool.resetPeak();
    }

    /** Bytes of released buffers waiting for reuse. */
    public static long cachedBytes() {
        return HostBufferPool.cachedBytes();
    }
}
