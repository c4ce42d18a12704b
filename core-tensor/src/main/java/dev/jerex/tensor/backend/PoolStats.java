package dev.jerex.tensor.backend;

/** Read-only figures of the host buffer pool, for memory tests and reports. */
public final class PoolStats {
    private PoolStats() {}

    /** Bytes held by live host storages. */
    public static long liveBytes() {
        return HostBufferPool.liveBytes();
    }

    /** Bytes of released buffers waiting for reuse. */
    public static long cachedBytes() {
        return HostBufferPool.cachedBytes();
    }
}
