package dev.jerex.nn.bert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors file that has been opened and validated by {@link SafetensorsFormat#read}. The
 * data area stays memory-mapped; tensors are converted to Java arrays on request.
 */
public final class SafetensorsFile {
    private final Path file;
    private final Map<String, SafetensorsFormat.TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final ByteBuffer data; // the data area, little-endian

    SafetensorsFile(Path file, Map<String, SafetensorsFormat.TensorInfo> tensors, Map<String, String> metadata, ByteBuffer data) {
        this.file = file;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
        this.data = data;
    }

    public Path file() {
        return file;
    }

    /** Header entries in file order. */
    public Map<String, SafetensorsFormat.TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** One tensor as fp32, whatever its stored dtype (F64 rounded, F16/BF16 widened, ints cast). */
    public NamedArray floatArray(String name) throws IOException {
        SafetensorsFormat.TensorInfo info = info(name);
        int n = (int) info.elementCount();
        float[] out = new float[n];
        ByteBuffer bytes = bytesOf(info);
        switch (info.dtype()) {
            case F32 -> bytes.asFloatBuffer().get(out);
            case F64 -> {
                var doubles = bytes.asDoubleBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = (float) doubles.get(i);
                }
            }
            case F16 -> {
                var halves = bytes.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.halfToFloat(halves.get(i));
                }
            }
            case BF16 -> {
                // bfloat16 is the top 16 bits of an IEEE fp32.
                var halves = bytes.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((halves.get(i) & 0xFFFF) << 16);
                }
            }
            case I64 -> {
                var longs = bytes.asLongBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = longs.get(i);
                }
            }
            case I32 -> {
                var ints = bytes.asIntBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = ints.get(i);
                }
            }
        }
        return new NamedArray(name, info.shape(), out);
    }

    /** All tensors as fp32, in file order. */
    public Map<String, NamedArray> floatArrays() throws IOException {
        Map<String, NamedArray> out = new LinkedHashMap<>();
        for (String name : tensors.keySet()) {
            out.put(name, floatArray(name));
        }
        return out;
    }

    /** An I64 or I32 tensor as exact longs (position ids, token type ids). */
    public long[] longArray(String name) throws IOException {
        SafetensorsFormat.TensorInfo info = info(name);
        int n = (int) info.elementCount();
        long[] out = new long[n];
        ByteBuffer bytes = bytesOf(info);
        switch (info.dtype()) {
            case I64 -> bytes.asLongBuffer().get(out);
            case I32 -> {
                var ints = bytes.asIntBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = ints.get(i);
                }
            }
            default -> throw new IOException(file + ": tensor '" + name + "' is " + info.dtype() + ", not an integer type");
        }
        return out;
    }

    /** An I32 tensor, or an I64 tensor whose values all fit in an int, as ints. */
    public int[] intArray(String name) throws IOException {
        long[] longs = longArray(name);
        int[] out = new int[longs.length];
        for (int i = 0; i < longs.length; i++) {
            if (longs[i] != (int) longs[i]) {
                throw new IOException(file + ": tensor '" + name + "' element " + i + " = " + longs[i] + " does not fit in an int");
            }
            out[i] = (int) longs[i];
        }
        return out;
    }

    private SafetensorsFormat.TensorInfo info(String name) throws IOException {
        SafetensorsFormat.TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IOException(file + ": no tensor named '" + name + "'");
        }
        return info;
    }

    private ByteBuffer bytesOf(SafetensorsFormat.TensorInfo info) {
        return data.slice((int) info.begin(), (int) (info.end() - info.begin())).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + file + ", " + tensors.size() + " tensors]";
    }
}
