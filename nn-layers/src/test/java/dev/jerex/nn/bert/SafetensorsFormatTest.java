package dev.jerex.nn.bert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsFormatTest {
    @TempDir
    Path dir;

    private static Map<String, NamedArray> sample() {
        Map<String, NamedArray> m = new LinkedHashMap<>();
        // deliberately not alphabetical: order must survive
        m.put("z.weight", new NamedArray("z.weight", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, Float.NaN}));
        m.put("a.bias", new NamedArray("a.bias", new int[] {3}, new float[] {-1, 0, 1e-30f}));
        m.put("m.scalar", new NamedArray("m.scalar", new int[0], new float[] {42}));
        m.put("empty", new NamedArray("empty", new int[] {0, 4}, new float[0]));
        return m;
    }

    @Test
    void roundTripKeepsOrderValuesAndMetadataAndAddsChecksum() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsFormat.write(file, sample(), Map.of("source", "test"));
        SafetensorsFile read = SafetensorsFormat.read(file);
        assertThat(read.tensors().keySet()).containsExactly("z.weight", "a.bias", "m.scalar", "empty");
        assertThat(read.metadata()).containsEntry("source", "test").containsKey(SafetensorsFormat.SHA256_KEY);
        Map<String, NamedArray> back = read.floatArrays();
        sample().forEach((name, a) -> assertThat(back.get(name).contentEquals(a)).as(name).isTrue());
        // the header is 8-byte aligned, so the data area is too
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
    }

    @Test
    void writeIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsFormat.write(file, sample(), Map.of());
        SafetensorsFormat.write(file, Map.of("only", new NamedArray("only", new int[] {1}, new float[] {3})), Map.of());
        assertThat(SafetensorsFormat.read(file).tensors()).containsOnlyKeys("only");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void corruptedDataFailsTheChecksumNamingTheFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsFormat.write(file, sample(), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1;
        Files.write(file, bytes);
        assertThatThrownBy(() -> SafetensorsFormat.read(file))
                .isInstanceOf(IOException.class).hasMessageContaining(file.toString()).hasMessageContaining("checksum mismatch");
    }

    /** A file with the given JSON header (space-padded to a multiple of 8) and data area. */
    private Path handMade(String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        while (b.position() < 8 + padded) {
            b.put((byte) ' ');
        }
        b.put(data);
        Path file = dir.resolve("hand.safetensors");
        Files.write(file, b.array());
        return file;
    }

    @Test
    void readsOtherDtypesAsFloatAndIntegersExactly() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8 * 2 + 2 * 2 + 2 * 2 + 8 * 2 + 4 * 2).order(ByteOrder.LITTLE_ENDIAN);
        data.putDouble(1.5).putDouble(-2.25);                               // F64   [0, 16)
        data.putShort((short) 0x3C00).putShort((short) 0xC000);             // F16   [16, 20): 1.0, -2.0
        data.putShort((short) 0x3F80).putShort((short) 0x4049);             // BF16  [20, 24): 1.0, 3.140625
        data.putLong(1L << 40).putLong(-7);                                 // I64   [24, 40)
        data.putInt(5).putInt(-6);                                          // I32   [40, 48)
        Path file = handMade("{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[16,20]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[20,24]},"
                + "\"l\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[24,40]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1,2],\"data_offsets\":[40,48]}}", data.array());
        SafetensorsFile f = SafetensorsFormat.read(file);
        assertThat(f.floatArray("d").data()).containsExactly(1.5f, -2.25f);
        assertThat(f.floatArray("h").data()).containsExactly(1.0f, -2.0f);
        assertThat(f.floatArray("b").data()).containsExactly(1.0f, 3.140625f);
        assertThat(f.floatArray("l").data()).containsExactly((float) (1L << 40), -7f);
        assertThat(f.longArray("l")).containsExactly(1L << 40, -7);
        assertThat(f.intArray("i")).containsExactly(5, -6);
        assertThat(f.floatArray("i").shape()).containsExactly(1, 2);
        assertThatThrownBy(() -> f.intArray("l")).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> f.longArray("d")).hasMessageContaining("not an integer");
        assertThatThrownBy(() -> f.floatArray("nope")).hasMessageContaining("nope");
    }

    @Test
    void halfFloatSpecialValues() {
        assertThat(HalfFloats.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfFloats.halfToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(HalfFloats.halfToFloat((short) 0x7E00)).isNaN();
        assertThat(HalfFloats.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f); // smallest subnormal
        assertThat(HalfFloats.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);    // largest normal
        assertThat(Float.floatToIntBits(HalfFloats.halfToFloat((short) 0x8000))).isEqualTo(Float.floatToIntBits(-0f));
    }

    @Test
    void headerLengthBeyondTheFileIsRejected() throws IOException {
        Path file = dir.resolve("short.safetensors");
        Files.write(file, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertThatThrownBy(() -> SafetensorsFormat.read(file))
                .isInstanceOf(IOException.class).hasMessageContaining(file.toString()).hasMessageContaining("header length 1000");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[3]);
        assertThatThrownBy(() -> SafetensorsFormat.read(tiny)).isInstanceOf(IOException.class).hasMessageContaining("tiny.safetensors");
    }

    @Test
    void malformedJsonIsRejected() throws IOException {
        Path file = handMade("{\"a\": {\"dtype\": \"F32\",", new byte[0]);
        assertThatThrownBy(() -> SafetensorsFormat.read(file))
                .isInstanceOf(IOException.class).hasMessageContaining(file.toString()).hasMessageContaining("not valid JSON");
    }

    @Test
    void offsetsOutsideTheDataAreaAreRejectedNamingTheTensor() throws IOException {
        Path file = handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]);
        assertThatThrownBy(() -> SafetensorsFormat.read(file))
                .isInstanceOf(IOException.class).hasMessageContaining("tensor 'w'").hasMessageContaining("outside the data area");
    }

    @Test
    void offsetsThatDoNotMatchTheShapeAreRejected() throws IOException {
        Path file = handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        assertThatThrownBy(() -> SafetensorsFormat.read(file))
                .isInstanceOf(IOException.class).hasMessageContaining("tensor 'w'").hasMessageContaining("needs 12");
    }

    @Test
    void overlappingTensorsAreRejected() throws IOException {
        Path file = handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        assertThatThrownBy(() -> SafetensorsFormat.read(file))
                .isInstanceOf(IOException.class).hasMessageContaining("'b'").hasMessageContaining("overlaps tensor 'a'");
    }

    @Test
    void unknownDtypeIsRejected() throws IOException {
        Path file = handMade("{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]);
        assertThatThrownBy(() -> SafetensorsFormat.read(file)).hasMessageContaining("tensor 'w'").hasMessageContaining("U8");
    }
}
