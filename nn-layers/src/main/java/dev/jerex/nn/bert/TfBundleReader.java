package dev.jerex.nn.bert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Reads a TensorFlow tensor bundle (the {@code variables/} directory of a SavedModel or a
 * checkpoint) and returns BERT weights under Hugging Face names and layouts.
 *
 * <ul>
 *   <li>{@code variables.index}: an {@link SsTable} whose keys are variable names and whose values
 *       are {@code BundleEntryProto} messages (tensorflow/core/protobuf/tensor_bundle.proto):
 *       <pre>
 *   dtype = 1 (DataType enum, 1 = DT_FLOAT)   shape = 2 (TensorShapeProto: dim = 2 {size = 1})
 *   shard_id = 3   offset = 4   size = 5 (bytes in the data file)   crc32c = 6 (fixed32, masked)
 *       </pre>
 *       The entry with the empty key is the BundleHeaderProto and is skipped.</li>
 *   <li>{@code variables.data-00000-of-00001}: the tensors' bytes, little-endian fp32, each at
 *       {@code [offset, offset + size)}.</li>
 * </ul>
 * Google BERT names map to Hugging Face names as {@link #hfName} describes; {@code kernel}s are
 * stored {@code [in, out]} and are transposed to {@code [out, in]}.
 */
public final class TfBundleReader {
    static final int DT_FLOAT = 1;

    /** One variable as described by the index. */
    public record BundleEntry(String name, int dtype, int[] shape, int shardId, long offset, long size, Integer crc32c) {
    }

    private TfBundleReader() {
    }

    /** Parses {@code variables.index} into its entries (key order), header entry excluded. */
    public static List<BundleEntry> readIndex(byte[] indexFile, String sourceName) throws IOException {
        List<BundleEntry> entries = new ArrayList<>();
        try {
            SsTable.forEachEntry(indexFile, sourceName, (key, value) -> {
                if (!key.isEmpty()) {
                    entries.add(parseEntry(key, new ProtoReader(indexFile, value.offset(), value.length(),
                            sourceName + ": BundleEntryProto of '" + key + "'")));
                }
            });
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
        return entries;
    }

    private static BundleEntry parseEntry(String name, ProtoReader r) {
        int dtype = 0;
        int[] shape = new int[0];
        int shard = 0;
        long offset = 0;
        long size = 0;
        Integer crc = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> dtype = (int) r.readVarint();
                case 2 -> shape = parseShape(r.readMessage("TensorShapeProto of '" + name + "'"), name);
                case 3 -> shard = (int) r.readVarint();
                case 4 -> offset = r.readVarint();
                case 5 -> size = r.readVarint();
                case 6 -> crc = r.readFixed32();
                case 7 -> throw r.error("variable '" + name + "' is stored in slices (partitioned); not supported");
                default -> r.skip();
            }
        }
        return new BundleEntry(name, dtype, shape, shard, offset, size, crc);
    }

    /** TensorShapeProto: dim = 2 (repeated Dim: size = 1 int64, name = 2), unknown_rank = 3. */
    private static int[] parseShape(ProtoReader r, String name) {
        ProtoReader.LongList dims = new ProtoReader.LongList();
        while (r.next()) {
            if (r.field() == 2) {
                ProtoReader dim = r.readMessage("TensorShapeProto.Dim of '" + name + "'");
                long size = 0;
                while (dim.next()) {
                    if (dim.field() == 1) {
                        size = dim.readVarint();
                    } else {
                        dim.skip();
                    }
                }
                dims.add(size);
            } else {
                r.skip();
            }
        }
        return OnnxWeightReader.toIntShape(dims.toArray(), name);
    }

    /**
     * Reads all fp32 variables and renames them to Hugging Face BERT names (kernels transposed).
     * Optimizer slots and {@code global_step} are skipped.
     *
     * @param indexFile the bytes of variables.index
     * @param dataFile  the bytes of variables.data-00000-of-00001
     */
    public static Map<String, NamedArray> readHf(byte[] indexFile, byte[] dataFile, String sourceName) throws IOException {
        Map<String, NamedArray> result = new LinkedHashMap<>();
        for (BundleEntry entry : readIndex(indexFile, sourceName)) {
            String hf = hfName(entry.name());
            if (hf == null) {
                continue;
            }
            if (entry.dtype() != DT_FLOAT) {
                throw new IOException(sourceName + ": variable '" + entry.name() + "' has dtype " + entry.dtype()
                        + ", expected 1 (DT_FLOAT)");
            }
            NamedArray array = readTensor(entry, dataFile, sourceName);
            if (entry.name().endsWith("/kernel")) {
                array = array.transpose2d(); // [in, out] -> [out, in]
            }
            if (result.put(hf, array.withName(hf)) != null) {
                throw new IOException(sourceName + ": two variables map to '" + hf + "' (second: '" + entry.name() + "')");
            }
        }
        return result;
    }

    /** The fp32 values of one variable, checked against its size and CRC32C. */
    static NamedArray readTensor(BundleEntry entry, byte[] dataFile, String sourceName) throws IOException {
        String where = sourceName + ": variable '" + entry.name() + "'";
        if (entry.shardId() != 0) {
            throw new IOException(where + " is in shard " + entry.shardId() + "; only single-shard bundles are supported");
        }
        long expected = NamedArray.elementCount(entry.shape()) * Float.BYTES;
        if (entry.size() != expected) {
            throw new IOException(where + ": size " + entry.size() + " bytes, shape " + Arrays.toString(entry.shape())
                    + " needs " + expected);
        }
        if (entry.offset() < 0 || entry.offset() + entry.size() > dataFile.length) {
            throw new IOException(where + ": bytes [" + entry.offset() + ", " + (entry.offset() + entry.size())
                    + ") lie outside the data file of " + dataFile.length + " bytes");
        }
        if (entry.crc32c() != null) {
            CRC32C crc = new CRC32C();
            crc.update(dataFile, (int) entry.offset(), (int) entry.size());
            if (SsTable.mask((int) crc.getValue()) != entry.crc32c()) {
                throw new IOException(where + ": CRC32C mismatch; the data file is corrupt");
            }
        }
        float[] data = new float[(int) (entry.size() / Float.BYTES)];
        ByteBuffer.wrap(dataFile, (int) entry.offset(), (int) entry.size()).order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer().get(data);
        return new NamedArray(entry.name(), entry.shape(), data);
    }

    private static final Pattern LAYER = Pattern.compile("layer_(\\d+)");

    /**
     * Google BERT variable name -> Hugging Face BERT parameter name, or null for variables that are
     * not model weights (optimizer slots, global_step).
     * <pre>
     *   [module/]bert/embeddings/word_embeddings          -> embeddings.word_embeddings.weight
     *   bert/embeddings/LayerNorm/gamma | beta            -> embeddings.LayerNorm.weight | bias
     *   bert/encoder/layer_0/attention/self/query/kernel  -> encoder.layer.0.attention.self.query.weight
     *   bert/pooler/dense/kernel                          -> pooler.dense.weight
     *   cls/predictions/transform/dense/kernel            -> cls.predictions.transform.dense.weight
     *   cls/predictions/output_bias                       -> cls.predictions.bias
     *   cls/seq_relationship/output_weights | output_bias -> cls.seq_relationship.weight | bias
     * </pre>
     */
    public static String hfName(String tfName) {
        String name = tfName.startsWith("module/") ? tfName.substring("module/".length()) : tfName;
        if (name.equals("global_step") || name.contains("adam_m") || name.contains("adam_v")
                || name.contains("/Adam") || name.contains("Momentum") || name.startsWith("beta1_power")
                || name.startsWith("beta2_power")) {
            return null;
        }
        if (name.startsWith("bert/")) {
            name = name.substring("bert/".length());
        }
        switch (name) {
            case "cls/predictions/output_bias":
                return "cls.predictions.bias";
            case "cls/seq_relationship/output_weights":
                return "cls.seq_relationship.weight"; // stored [2, hidden], already [out, in]
            case "cls/seq_relationship/output_bias":
                return "cls.seq_relationship.bias";
            default:
                break;
        }
        Matcher m = LAYER.matcher(name);
        String dotted = m.replaceAll("layer.$1").replace('/', '.');
        int lastDot = dotted.lastIndexOf('.');
        String last = dotted.substring(lastDot + 1);
        String stem = dotted.substring(0, lastDot + 1);
        return switch (last) {
            case "kernel", "gamma" -> stem + "weight";
            case "beta" -> stem + "bias";
            case "bias" -> dotted;
            default -> last.endsWith("_embeddings") ? dotted + ".weight" : dotted;
        };
    }
}
