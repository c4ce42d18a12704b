package dev.jerex.nn.bert;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named block of fp32 numbers with a shape: the neutral exchange type between the weight
 * readers (ONNX, TensorFlow bundle, safetensors) and the tensor library.
 *
 * <p>Layout is row-major ("C order"): for shape {@code [R, C]} element {@code (r, c)} lives at
 * {@code data[r * C + c]}. A scalar has shape {@code []} and one element.
 *
 * <p>Records compare arrays by reference; use {@link #contentEquals(NamedArray)} to compare values.
 */
public record NamedArray(String name, int[] shape, float[] data) {

    public NamedArray {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        long expected = elementCount(shape);
        if (expected != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " needs " + expected + " elements but data has " + data.length);
        }
    }

    /** Number of elements a shape holds (1 for the scalar shape {@code []}); rejects negative dims. */
    public static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return data.length;
    }

    /** The same numbers under another name. The arrays are shared, not copied. */
    public NamedArray withName(String newName) {
        return new NamedArray(newName, shape, data);
    }

    /**
     * Matrix transpose: {@code [R, C] -> [C, R]}, same name. Used to turn a stored {@code x @ W}
     * weight {@code [in, out]} (ONNX MatMul, TensorFlow kernel) into a PyTorch Linear weight
     * {@code [out, in]}.
     */
    public NamedArray transpose2d() {
        if (shape.length != 2) {
            throw new IllegalStateException("transpose2d needs a rank-2 tensor, '" + name + "' has shape "
                    + Arrays.toString(shape));
        }
        int rows = shape[0];
        int cols = shape[1];
        float[] out = new float[data.length];
        // out[c, r] = in[r, c]; walk the input row by row (sequential reads).
        for (int r = 0; r < rows; r++) {
            int inRow = r * cols;
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = data[inRow + c];
            }
        }
        return new NamedArray(name, new int[] {cols, rows}, out);
    }

    /** True when name, shape and every float (bit for bit, so NaN equals NaN) are the same. */
    public boolean contentEquals(NamedArray other) {
        return other != null && name.equals(other.name) && Arrays.equals(shape, other.shape)
                && Arrays.equals(data, other.data);
    }

    @Override
    public String toString() {
        return "NamedArray[" + name + " " + Arrays.toString(shape) + "]";
    }
}
