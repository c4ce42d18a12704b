package dev.jerex.tensor;

import dev.jerex.tensor.backend.Backend;

/**
 * A flat buffer of float32 values owned by one backend (host memory for the CPU backends,
 * device memory for CUDA). Tensors are views over a storage: offset + shape + strides.
 *
 * <p>Storages come from a pool and go back to it when released: explicitly by a
 * {@link TensorScope}, by the autograd engine for gradients it no longer needs, or by the
 * garbage collector when nothing references the storage any more.
 */
public abstract class Storage {
    private final int size;
    private volatile boolean released;

    protected Storage(int size) {
        this.size = size;
    }

    /** Number of float elements. */
    public final int size() {
        return size;
    }

    public abstract Backend backend();

    /** Returns the memory to its pool; any later use fails. Idempotent. */
    public final void release() {
        if (!released) {
            released = true;
            onRelease();
        }
    }

    public final boolean isReleased() {
        return released;
    }

    /** Fails when the storage was released: a tensor used after its scope closed. */
    public final void checkLive() {
        if (released) {
            throw new IllegalStateException("tensor storage was released: the tensor was used after its TensorScope closed"
                    + " (call keep() on tensors that must outlive the scope)");
        }
    }

    protected abstract void onRelease();
}
