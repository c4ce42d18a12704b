package dev.jerex.nn.bert;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Test helper: writes protobuf wire format, to build tiny ONNX models and TF bundle entries. */
final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter varint(int field, long value) {
        tag(field, 0);
        rawVarint(value);
        return this;
    }

    ProtoWriter bytes(int field, byte[] value) {
        tag(field, 2);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter nested) {
        return bytes(field, nested.toByteArray());
    }

    ProtoWriter fixed32(int field, int value) {
        tag(field, 5);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
        return this;
    }

    /** Packed repeated varints in one LEN field. */
    ProtoWriter packedVarints(int field, long... values) {
        ProtoWriter payload = new ProtoWriter();
        for (long v : values) {
            payload.rawVarint(v);
        }
        return bytes(field, payload.toByteArray());
    }

    void rawVarint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private void tag(int field, int wireType) {
        rawVarint((long) field << 3 | wireType);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    static byte[] littleEndianFloats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }
}
