package dev.jerex.nn.bert;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reader of the LevelDB table format ("SSTable") that TensorFlow uses for {@code variables.index}
 * (tensorflow/core/lib/io/table.cc, format.cc; same layout as leveldb/table/format.cc).
 * <pre>
 *   file    = data block* , metaindex block , index block , footer
 *   block   = entries , restarts[num_restarts] (uint32 LE each) , num_restarts (uint32 LE)
 *             followed on disk by a 5-byte trailer: compression type (1 byte, 0 = none)
 *             and the masked CRC32C of block + type byte (uint32 LE)
 *   entry   = shared (varint) , non_shared (varint) , value_length (varint) ,
 *             key_delta[non_shared] , value[value_length]
 *             key = previous key[0, shared) + key_delta (prefix compression)
 *   index   = one entry per data block: key >= last key of the block, value = BlockHandle
 *   handle  = offset (varint64) , size (varint64)   size excludes the 5-byte trailer
 *   footer  = metaindex handle , index handle , zero padding to 40 bytes ,
 *             magic 0xdb4775248b80fb57 (uint64 LE)   = 48 bytes at the end of the file
 * </pre>
 */
final class SsTable {
    static final long MAGIC = 0xdb4775248b80fb57L;
    static final int FOOTER_LENGTH = 48;
    static final int BLOCK_TRAILER_LENGTH = 5;
    private static final int MASK_DELTA = 0xa282ead8;

    private SsTable() {
    }

    /** Receives each key and the location of its value in the file bytes. */
    @FunctionalInterface
    interface EntryVisitor {
        void visit(String key, ProtoReader.Slice value);
    }

    /** Visits every entry of every data block, in key order. */
    static void forEachEntry(byte[] file, String sourceName, EntryVisitor visitor) {
        if (file.length < FOOTER_LENGTH) {
            throw new IllegalStateException(sourceName + ": " + file.length + " bytes is too short for an SSTable footer");
        }
        int footer = file.length - FOOTER_LENGTH;
        ProtoReader footerReader = new ProtoReader(file, footer, FOOTER_LENGTH - 8, sourceName + ": footer");
        long magic = new ProtoReader(file, file.length - 8, 8, sourceName + ": footer").readFixed64();
        if (magic != MAGIC) {
            throw new IllegalStateException(sourceName + ": bad table magic 0x" + Long.toHexString(magic)
                    + " (expected 0x" + Long.toHexString(MAGIC) + "); not a TensorFlow bundle index");
        }
        footerReader.readVarint(); // metaindex offset (unused)
        footerReader.readVarint(); // metaindex size
        long indexOffset = footerReader.readVarint();
        long indexSize = footerReader.readVarint();
        forEachInBlock(file, indexOffset, indexSize, sourceName + ": index block", (lastKey, handle) -> {
            ProtoReader h = new ProtoReader(file, handle.offset(), handle.length(), sourceName + ": block handle");
            long offset = h.readVarint();
            long size = h.readVarint();
            forEachInBlock(file, offset, size, sourceName + ": data block at " + offset, visitor);
        });
    }

    /** Checks the block's trailer, then visits its entries. */
    static void forEachInBlock(byte[] file, long offset, long size, String what, EntryVisitor visitor) {
        if (offset < 0 || size < 4 || offset + size + BLOCK_TRAILER_LENGTH > file.length) {
            throw new IllegalStateException(what + ": block [" + offset + ", +" + size + ") lies outside the file of " + file.length + " bytes");
        }
        int start = (int) offset;
        int end = (int) (offset + size);
        int compression = file[end];
        if (compression != 0) {
            throw new IllegalStateException(what + ": compression type " + compression + " (1 = snappy) is not supported; only uncompressed blocks");
        }
        int storedCrc = new ProtoReader(file, end + 1, 4, what).readFixed32();
        CRC32C crc = new CRC32C();
        crc.update(file, start, (int) size + 1); // block contents and the type byte
        if (mask((int) crc.getValue()) != storedCrc) {
            throw new IllegalStateException(what + ": CRC32C mismatch; the index file is corrupt");
        }
        int numRestarts = new ProtoReader(file, end - 4, 4, what).readFixed32();
        int entriesEnd = end - 4 - 4 * numRestarts;
        if (numRestarts < 0 || entriesEnd < start) {
            throw new IllegalStateException(what + ": bad restart count " + numRestarts);
        }
        ProtoReader entries = new ProtoReader(file, start, entriesEnd - start, what);
        byte[] key = new byte[0];
        int position = start;
        while (position < entriesEnd) {
            int shared = (int) entries.readVarint();
            int nonShared = (int) entries.readVarint();
            int valueLength = (int) entries.readVarint();
            if (shared > key.length) {
                throw new IllegalStateException(what + ": entry shares " + shared + " bytes of a " + key.length + "-byte key");
            }
            int keyDelta = entries.position();
            key = Arrays.copyOf(key, shared + nonShared);
            System.arraycopy(file, keyDelta, key, shared, nonShared);
            int value = keyDelta + nonShared;
            if (value + valueLength > entriesEnd) {
                throw new IllegalStateException(what + ": entry overruns the block");
            }
            visitor.visit(new String(key, StandardCharsets.UTF_8), new ProtoReader.Slice(value, valueLength));
            position = value + valueLength;
            entries.seek(position);
        }
    }

    /** LevelDB stores CRCs "masked" so that a CRC of data containing CRCs stays well distributed. */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }
}
