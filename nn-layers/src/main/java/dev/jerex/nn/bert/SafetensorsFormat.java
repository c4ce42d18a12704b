package dev.jerex.nn.bert;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (https://github.com/huggingface/safetensors), read and written.
 * <pre>
 *   bytes [0, 8)        N, unsigned 64-bit little-endian: length of the JSON header
 *   bytes [8, 8 + N)    UTF-8 JSON, padded with spaces:
 *                       {"__metadata__": {"key": "string value", ...},
 *                        "name": {"dtype": "F32", "shape": [384, 1536], "data_offsets": [begin, end]}, ...}
 *   bytes [8 + N, EOF)  the data area; a tensor's bytes are [begin, end) relative to its start,
 *                       row-major, little-endian
 * </pre>
 * Writing stores F32 only, in the order of the given map, and records the SHA-256 of the data area
 * under {@code __metadata__.sha256}; reading verifies it when present.
 */
public final class SafetensorsFormat {
    /** The metadata key holding the hex SHA-256 of the data area. */
    public static final String SHA256_KEY = "sha256";
    private static final String METADATA = "__metadata__";
    private static final long MAX_HEADER_BYTES = 100L << 20; // same limit as the reference implementation

    /** Element types understood when reading; {@code size} is bytes per element. */
    public enum DType {
        F32(4), F64(8), F16(2), BF16(2), I64(8), I32(4);

        public final int size;

        DType(int size) {
            this.size = size;
        }

        boolean isInteger() {
            return this == I64 || this == I32;
        }
    }

    /** One header entry; {@code begin}/{@code end} are byte offsets into the data area. */
    public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {
        public long elementCount() {
            return NamedArray.elementCount(shape);
        }
    }

    private SafetensorsFormat() {
    }

    // ---- reading ---------------------------------------------------------------------------

    /** Maps the file, parses and validates the header, and verifies the checksum when present. */
    public static SafetensorsFile read(Path file) throws IOException {
        MappedByteBuffer mapped;
        long fileSize;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            fileSize = channel.size();
            if (fileSize < 8) {
                throw new IOException(file + ": not a safetensors file: " + fileSize + " bytes, the header length alone needs 8");
            }
            if (fileSize > Integer.MAX_VALUE) {
                throw new IOException(file + ": files over 2 GiB are not supported (" + fileSize + " bytes)");
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize);
        }
        ByteBuffer all = mapped.order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = all.getLong(0);
        if (headerLength <= 0 || headerLength > fileSize - 8 || headerLength > MAX_HEADER_BYTES) {
            throw new IOException(file + ": header length " + Long.toUnsignedString(headerLength)
                    + " does not fit in a file of " + fileSize + " bytes");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        all.get(8, headerBytes);
        int dataStart = 8 + (int) headerLength;
        ByteBuffer data = all.slice(dataStart, (int) fileSize - dataStart).order(ByteOrder.LITTLE_ENDIAN);

        JsonNode header;
        try {
            ObjectMapper strict = new ObjectMapper()
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            header = strict.readTree(new String(headerBytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException(file + ": header is not valid JSON: " + e.getMessage(), e);
        }
        if (header == null || !header.isObject()) {
            throw new IOException(file + ": header must be a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            if (e.getKey().equals(METADATA)) {
                readMetadata(file, e.getValue(), metadata);
            } else {
                tensors.put(e.getKey(), parseTensorInfo(file, e.getKey(), e.getValue(), data.capacity()));
            }
        }
        checkNoOverlap(file, tensors);
        String expectedSha = metadata.get(SHA256_KEY);
        if (expectedSha != null) {
            String actual = sha256Hex(data.duplicate());
            if (!actual.equalsIgnoreCase(expectedSha)) {
                throw new IOException(file + ": checksum mismatch: the data area hashes to sha256 " + actual
                        + " but the header records " + expectedSha + "; the file is corrupt or truncated");
            }
        }
        return new SafetensorsFile(file, tensors, metadata, data);
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> out) throws IOException {
        if (!node.isObject()) {
            throw new IOException(file + ": __metadata__ must be an object of strings");
        }
        for (Map.Entry<String, JsonNode> m : node.properties()) {
            if (!m.getValue().isTextual()) {
                throw new IOException(file + ": __metadata__." + m.getKey() + " must be a string");
            }
            out.put(m.getKey(), m.getValue().asText());
        }
    }

    private static TensorInfo parseTensorInfo(Path file, String name, JsonNode node, long dataSize) throws IOException {
        String where = file + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new IOException(where + ": header entry must be an object");
        }
        DType dtype;
        try {
            dtype = DType.valueOf(node.path("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": unsupported dtype '" + node.path("dtype").asText() + "' (supported: "
                    + Arrays.toString(DType.values()) + ")");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new IOException(where + ": 'shape' must be an array");
        }
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToInt() || d.asInt() < 0) {
                throw new IOException(where + ": bad dimension " + d + " in shape " + shapeNode);
            }
            shape[i] = d.asInt();
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).canConvertToLong()
                || !offsets.get(1).canConvertToLong()) {
            throw new IOException(where + ": 'data_offsets' must be [begin, end]");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new IOException(where + ": data_offsets [" + begin + ", " + end + ") lie outside the data area of "
                    + dataSize + " bytes");
        }
        long expectedBytes = NamedArray.elementCount(shape) * dtype.size;
        if (end - begin != expectedBytes) {
            throw new IOException(where + ": data_offsets cover " + (end - begin) + " bytes but " + dtype + " "
                    + Arrays.toString(shape) + " needs " + expectedBytes);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkNoOverlap(Path file, Map<String, TensorInfo> tensors) throws IOException {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo previous = sorted.get(i - 1);
            TensorInfo current = sorted.get(i);
            if (current.begin() < previous.end()) {
                throw new IOException(file + ": tensor '" + current.name() + "' [" + current.begin() + ", " + current.end()
                        + ") overlaps tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + ")");
            }
        }
    }

    // ---- writing ---------------------------------------------------------------------------

    /**
     * Writes fp32 tensors in map order, atomically (temp file, fsync, rename). The metadata is
     * stored as given plus {@code sha256} of the data area.
     */
    public static void write(Path file, Map<String, NamedArray> tensors, Map<String, String> metadata) throws IOException {
        // Layout: tensors back to back in map order.
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        ObjectNode meta = header.putObject(METADATA);
        metadata.forEach((k, v) -> {
            if (!k.equals(SHA256_KEY)) {
                meta.put(k, v);
            }
        });
        meta.put(SHA256_KEY, sha256HexOf(tensors.values()));
        long offset = 0;
        for (Map.Entry<String, NamedArray> e : tensors.entrySet()) {
            NamedArray a = e.getValue();
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", "F32");
            ArrayNode shape = entry.putArray("shape");
            for (int d : a.shape()) {
                shape.add(d);
            }
            long bytes = (long) a.size() * Float.BYTES;
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] headerJson = json.writeValueAsBytes(header);
        int padded = (headerJson.length + 7) / 8 * 8; // keep the data area 8-byte aligned
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(headerJson);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        AtomicFiles.write(file, channel -> {
            while (head.hasRemaining()) {
                channel.write(head);
            }
            forEachLittleEndianChunk(tensors.values(), chunk -> {
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            });
        });
    }

    @FunctionalInterface
    private interface ChunkSink {
        void accept(ByteBuffer chunk) throws IOException;
    }

    /** Feeds the fp32 data of all arrays, as little-endian bytes, to {@code sink} in 1 MiB chunks. */
    private static void forEachLittleEndianChunk(Iterable<NamedArray> arrays, ChunkSink sink) throws IOException {
        final int floatsPerChunk = 1 << 18;
        ByteBuffer buffer = ByteBuffer.allocate(floatsPerChunk * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (NamedArray a : arrays) {
            float[] data = a.data();
            for (int from = 0; from < data.length; from += floatsPerChunk) {
                int n = Math.min(floatsPerChunk, data.length - from);
                buffer.clear();
                buffer.asFloatBuffer().put(data, from, n);
                buffer.limit(n * Float.BYTES);
                sink.accept(buffer);
            }
        }
    }

    private static String sha256HexOf(Iterable<NamedArray> arrays) throws IOException {
        MessageDigest digest = newSha256();
        forEachLittleEndianChunk(arrays, digest::update);
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256Hex(ByteBuffer bytes) {
        MessageDigest digest = newSha256();
        digest.update(bytes);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides SHA-256", e);
        }
    }
}
