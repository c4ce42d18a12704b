package dev.jerex.nn;

import dev.jerex.nn.bert.NamedArray;
import dev.jerex.nn.bert.SafetensorsFile;
import dev.jerex.nn.bert.SafetensorsFormat;
import dev.jerex.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A module's parameters in a safetensors file, by their dotted names. Written atomically
 * (temporary file + rename) with a SHA-256 of the data verified on load; a truncated or corrupt
 * file, or a tensor whose name or shape does not match the module, fails with a message naming
 * the file and the tensor.
 */
public final class Checkpoints {
    /** Metadata key of the checkpoint format version. */
    public static final String FORMAT_VERSION_KEY = "jerex_format_version";
    public static final String FORMAT_VERSION = "1";

    private Checkpoints() {}

    public static void save(Path file, Module module, Map<String, String> metadata) throws IOException {
        Map<String, NamedArray> arrays = new LinkedHashMap<>();
        module.namedParameters().forEach((name, p) -> arrays.put(name, new NamedArray(name, p.shape(), p.toArray())));
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(FORMAT_VERSION_KEY, FORMAT_VERSION);
        SafetensorsFormat.write(file, arrays, meta);
    }

    /** Loads every parameter of the module from the file, strictly; returns the file's metadata. */
    public static Map<String, String> load(Path file, Module module) throws IOException {
        SafetensorsFile st = SafetensorsFormat.read(file);
        String version = st.metadata().get(FORMAT_VERSION_KEY);
        if (version != null && !version.equals(FORMAT_VERSION)) {
            throw new IOException(file + ": checkpoint format version " + version + ", this build reads version " + FORMAT_VERSION);
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String name : st.tensors().keySet()) {
            NamedArray a = st.floatArray(name);
            state.put(name, Tensor.of(module.backend(), a.data(), a.shape()));
        }
        try {
            module.loadState(state, true);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": does not match the model: " + e.getMessage(), e);
        }
        return st.metadata();
    }
}
