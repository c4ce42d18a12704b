package dev.jerex.nn.bert;

import java.nio.charset.StandardCharsets;

/**
 * A minimal reader of the protocol buffers wire format, enough to walk ONNX and TensorFlow
 * messages without generated classes (https://protobuf.dev/programming-guides/encoding/).
 *
 * <p>A message is a sequence of fields. Each field starts with a varint tag
 * {@code (fieldNumber << 3) | wireType}; the wire type says how long the value is:
 * <pre>
 *   0 VARINT  base-128 varint, low 7 bits first, high bit = "more bytes follow"
 *   1 I64     8 bytes little-endian (fixed64, double)
 *   2 LEN     varint length, then that many bytes (string, bytes, sub-message, packed repeated)
 *   5 I32     4 bytes little-endian (fixed32, float)
 *   3/4       deprecated groups: not supported
 * </pre>
 * Usage: {@code while (r.next()) switch (r.field()) { case 1 -> r.readString(); default -> r.skip(); }}.
 *
 * <p>The reader views a slice {@code [position, limit)} of a byte array; sub-messages are read with
 * {@link #readMessage()}, which returns a new reader over the nested bytes without copying.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int I64 = 1;
    static final int LEN = 2;
    static final int I32 = 5;

    private final byte[] bytes;
    private final String what; // names the message in error messages, e.g. "model.onnx: TensorProto"
    private int position;
    private final int limit;
    private int field;
    private int wireType;

    ProtoReader(byte[] bytes, String what) {
        this(bytes, 0, bytes.length, what);
    }

    ProtoReader(byte[] bytes, int offset, int length, String what) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IllegalArgumentException(what + ": slice out of range");
        }
        this.bytes = bytes;
        this.position = offset;
        this.limit = offset + length;
        this.what = what;
    }

    /** Reads the next tag. Returns false at the end of the message. */
    boolean next() {
        if (position >= limit) {
            return false;
        }
        long tag = readVarint();
        field = (int) (tag >>> 3);
        wireType = (int) (tag & 7);
        if (field == 0) {
            throw error("field number 0 at byte " + position);
        }
        return true;
    }

    /** Absolute index into the backing array of the next byte to read. */
    int position() {
        return position;
    }

    /** Moves to an absolute index within this reader's slice. */
    void seek(int newPosition) {
        if (newPosition < 0 || newPosition > limit) {
            throw error("seek to " + newPosition + " outside the message");
        }
        position = newPosition;
    }

    int field() {
        return field;
    }

    int wireType() {
        return wireType;
    }

    long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= limit) {
                throw error("truncated varint");
            }
            byte b = bytes[position++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw error("varint longer than 10 bytes");
    }

    int readFixed32() {
        require(4);
        int v = (bytes[position] & 0xFF) | (bytes[position + 1] & 0xFF) << 8
                | (bytes[position + 2] & 0xFF) << 16 | (bytes[position + 3] & 0xFF) << 24;
        position += 4;
        return v;
    }

    long readFixed64() {
        long low = readFixed32() & 0xFFFFFFFFL;
        long high = readFixed32() & 0xFFFFFFFFL;
        return low | high << 32;
    }

    /** Length of a LEN field, checked against the message bounds; the position is left at the payload. */
    int readLength() {
        expectWireType(LEN);
        long length = readVarint();
        if (length < 0 || length > limit - position) {
            throw error("field " + field + " claims " + length + " bytes but only " + (limit - position) + " remain");
        }
        return (int) length;
    }

    String readString() {
        int length = readLength();
        String s = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return s;
    }

    /** A reader over the nested message of the current LEN field. */
    ProtoReader readMessage(String nestedWhat) {
        int length = readLength();
        ProtoReader nested = new ProtoReader(bytes, position, length, nestedWhat);
        position += length;
        return nested;
    }

    /** Where the current LEN field's payload lies in the backing array; skips past it (no copy). */
    Slice readSlice() {
        int length = readLength();
        Slice slice = new Slice(position, length);
        position += length;
        return slice;
    }

    /** {@code length} bytes starting at {@code offset} of {@link #backingArray()}. */
    record Slice(int offset, int length) {
    }

    byte[] backingArray() {
        return bytes;
    }

    /**
     * Reads one value of a repeated integer field that may be written either unpacked (one VARINT
     * per element) or packed (one LEN field holding consecutive varints). Appends to {@code out}.
     */
    void readRepeatedVarints(LongList out) {
        if (wireType == VARINT) {
            out.add(readVarint());
        } else if (wireType == LEN) {
            int length = readLength(); // read first: it moves the position past the length varint
            int end = position + length;
            while (position < end) {
                out.add(readVarint());
            }
        } else {
            throw error("field " + field + ": expected varint or packed varints, got wire type " + wireType);
        }
    }

    /** Skips the value of the current field. */
    void skip() {
        switch (wireType) {
            case VARINT -> readVarint();
            case I64 -> advance(8);
            case LEN -> advance(readLength());
            case I32 -> advance(4);
            default -> throw error("unsupported wire type " + wireType + " (field " + field + ")");
        }
    }

    void expectWireType(int expected) {
        if (wireType != expected) {
            throw error("field " + field + " has wire type " + wireType + ", expected " + expected);
        }
    }

    private void advance(int n) {
        require(n);
        position += n;
    }

    private void require(int n) {
        if (n > limit - position) {
            throw error("truncated: field " + field + " needs " + n + " bytes, " + (limit - position) + " remain");
        }
    }

    IllegalStateException error(String message) {
        return new IllegalStateException(what + ": malformed protobuf: " + message);
    }

    /** A growable long array, so repeated int64 fields are collected without boxing. */
    static final class LongList {
        private long[] values = new long[8];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int size() {
            return size;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
