package dev.jerex.nn.bert;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Test helper: writes a TensorFlow tensor bundle (variables.index + variables.data-00000-of-00001)
 * in the layout {@link SsTable} documents, with prefix-compressed keys, a restart every
 * {@code restartInterval} entries and a new data block every {@code entriesPerBlock} entries.
 */
final class TinyBundleWriter {
    private final TreeMap<String, float[]> values = new TreeMap<>(); // SSTable keys are sorted
    private final Map<String, int[]> shapes = new TreeMap<>();
    int restartInterval = 2;
    int entriesPerBlock = 3;

    TinyBundleWriter add(String name, int[] shape, float... data) {
        values.put(name, data);
        shapes.put(name, shape);
        return this;
    }

    byte[] data;
    byte[] index;

    TinyBundleWriter write() {
        ByteArrayOutputStream dataFile = new ByteArrayOutputStream();
        List<String> keys = new ArrayList<>();
        List<byte[]> entries = new ArrayList<>();
        keys.add("");
        entries.add(new ProtoWriter().varint(1, 1).toByteArray()); // BundleHeaderProto num_shards = 1
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            byte[] bytes = ProtoWriter.littleEndianFloats(e.getValue());
            ProtoWriter shape = new ProtoWriter();
            for (int d : shapes.get(e.getKey())) {
                shape.message(2, new ProtoWriter().varint(1, d));
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            ProtoWriter entry = new ProtoWriter().varint(1, TfBundleReader.DT_FLOAT).message(2, shape)
                    .varint(4, dataFile.size()).varint(5, bytes.length).fixed32(6, SsTable.mask((int) crc.getValue()));
            dataFile.writeBytes(bytes);
            keys.add(e.getKey());
            entries.add(entry.toByteArray());
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<String> indexKeys = new ArrayList<>();
        List<byte[]> indexValues = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += entriesPerBlock) {
            int to = Math.min(keys.size(), from + entriesPerBlock);
            long offset = file.size();
            byte[] block = block(keys.subList(from, to), entries.subList(from, to));
            writeBlockWithTrailer(file, block);
            indexKeys.add(keys.get(to - 1));
            ProtoWriter handle = new ProtoWriter();
            handle.rawVarint(offset);
            handle.rawVarint(block.length);
            indexValues.add(handle.toByteArray());
        }
        long metaOffset = file.size();
        byte[] meta = block(List.of(), List.of());
        writeBlockWithTrailer(file, meta);
        long indexOffset = file.size();
        byte[] indexBlock = block(indexKeys, indexValues);
        writeBlockWithTrailer(file, indexBlock);
        ProtoWriter footer = new ProtoWriter();
        footer.rawVarint(metaOffset);
        footer.rawVarint(meta.length);
        footer.rawVarint(indexOffset);
        footer.rawVarint(indexBlock.length);
        byte[] handles = footer.toByteArray();
        ByteBuffer footerBytes = ByteBuffer.allocate(SsTable.FOOTER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        footerBytes.put(handles).position(40);
        footerBytes.putLong(SsTable.MAGIC);
        file.writeBytes(footerBytes.array());
        this.index = file.toByteArray();
        this.data = dataFile.toByteArray();
        return this;
    }

    /** Entries with prefix compression, restarting (shared = 0) every restartInterval entries. */
    private byte[] block(List<String> keys, List<byte[]> vals) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        List<Integer> restarts = new ArrayList<>();
        byte[] previous = new byte[0];
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = keys.get(i).getBytes(StandardCharsets.UTF_8);
            int shared = 0;
            if (i % restartInterval == 0) {
                restarts.add(raw.size()); // a restart point stores its key in full
            } else {
                while (shared < Math.min(key.length, previous.length) && key[shared] == previous[shared]) {
                    shared++;
                }
            }
            ProtoWriter header = new ProtoWriter();
            header.rawVarint(shared);
            header.rawVarint(key.length - shared);
            header.rawVarint(vals.get(i).length);
            raw.writeBytes(header.toByteArray());
            raw.write(key, shared, key.length - shared);
            raw.writeBytes(vals.get(i));
            previous = key;
        }
        if (restarts.isEmpty()) {
            restarts.add(0);
        }
        ByteBuffer tail = ByteBuffer.allocate(4 * (restarts.size() + 1)).order(ByteOrder.LITTLE_ENDIAN);
        restarts.forEach(tail::putInt);
        tail.putInt(restarts.size());
        raw.writeBytes(tail.array());
        return raw.toByteArray();
    }

    /** Block, compression type 0, masked CRC32C of block + type. */
    static void writeBlockWithTrailer(ByteArrayOutputStream file, byte[] block) {
        file.writeBytes(block);
        file.write(0);
        CRC32C crc = new CRC32C();
        crc.update(block);
        crc.update(0);
        file.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(SsTable.mask((int) crc.getValue())).array());
    }
}
