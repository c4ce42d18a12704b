package dev.jerex.tensor.backend.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The argument list of one kernel launch, in native memory. cuLaunchKernel takes
 * {@code void** kernelParams}: entry i points at the value of parameter i. Here each parameter
 * gets a fixed 128-byte slot of one buffer, and {@link #params} points at the slots; values are
 * written in the kernel's parameter order. The driver copies the values at launch, so one
 * buffer per thread is reused for every launch.
 */
final class KernelArgs {
    private static final int SLOTS = 16;
    private static final int SLOT_BYTES = 128;
    /** MAX_RANK of common.cuh: the Dims struct is {rank, shape[8], stride_a[8], stride_b[8]}, 100 bytes. */
    static final int MAX_RANK = 8;

    private final BytePointer values = new BytePointer((long) SLOTS * SLOT_BYTES);
    final PointerPointer<?> params = new PointerPointer<>(SLOTS);
    private int count;

    KernelArgs() {
        for (int i = 0; i < SLOTS; i++) params.put(i, Cudart.at(values.address() + (long) i * SLOT_BYTES));
    }

    KernelArgs reset() {
        count = 0;
        return this;
    }

    private long next() {
        if (count == SLOTS) throw new IllegalStateException("more than " + SLOTS + " kernel arguments");
        return (long) (count++) * SLOT_BYTES;
    }

    /** A pointer parameter ({@code float*}, {@code int*}, {@code double*}): a device address, 0 for nullptr. */
    KernelArgs ptr(long address) {
        values.putLong(next(), address);
        return this;
    }

    KernelArgs i(int v) {
        values.putInt(next(), v);
        return this;
    }

    KernelArgs f(float v) {
        values.putFloat(next(), v);
        return this;
    }

    /**
     * A {@code Dims} struct by value (common.cuh): {int rank; int shape[8]; int stride_a[8];
     * int stride_b[8];}, from arrays of equal length at most 8.
     */
    KernelArgs dims(int[] shape, int[] strideA, int[] strideB) {
        long at = next();
        values.putInt(at, shape.length);
        for (int k = 0; k < MAX_RANK; k++) {
            boolean used = k < shape.length;
            values.putInt(at + 4 + 4L * k, used ? shape[k] : 1);
            values.putInt(at + 4 + 4L * (MAX_RANK + k), used ? strideA[k] : 0);
            values.putInt(at + 4 + 4L * (2 * MAX_RANK + k), used ? strideB[k] : 0);
        }
        return this;
    }
}
