package dev.jerex.nn.bert;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reads a tiny tensor bundle written in the test by {@link TinyBundleWriter}. */
class TfBundleReaderTest {

    static TinyBundleWriter tinyBundle() {
        return new TinyBundleWriter()
                .add("module/bert/embeddings/word_embeddings", new int[] {3, 2}, 1, 2, 3, 4, 5, 6)
                .add("module/bert/embeddings/LayerNorm/gamma", new int[] {2}, 1, 1)
                .add("module/bert/embeddings/LayerNorm/beta", new int[] {2}, 0, 0)
                .add("module/bert/encoder/layer_0/attention/self/query/kernel", new int[] {2, 3}, 1, 2, 3, 4, 5, 6)
                .add("module/bert/encoder/layer_0/attention/self/query/bias", new int[] {3}, 7, 8, 9)
                .add("module/bert/encoder/layer_11/output/LayerNorm/gamma", new int[] {2}, 3, 3)
                .add("module/bert/pooler/dense/kernel", new int[] {2, 2}, 1, 2, 3, 4)
                .add("module/cls/predictions/output_bias", new int[] {3}, 0.1f, 0.2f, 0.3f)
                .add("module/cls/predictions/transform/LayerNorm/beta", new int[] {2}, 5, 5)
                .add("module/bert/encoder/layer_0/attention/self/query/kernel/adam_m", new int[] {2, 3}, 0, 0, 0, 0, 0, 0)
                .write();
    }

    @Test
    void readsIndexEntriesAcrossBlocksWithPrefixCompression() throws IOException {
        TinyBundleWriter b = tinyBundle();
        List<TfBundleReader.BundleEntry> entries = TfBundleReader.readIndex(b.index, "variables.index");
        assertThat(entries).hasSize(10);
        assertThat(entries.get(0).name()).isEqualTo("module/bert/embeddings/LayerNorm/beta"); // sorted keys
        assertThat(entries).allSatisfy(e -> assertThat(e.dtype()).isEqualTo(TfBundleReader.DT_FLOAT));
    }

    @Test
    void mapsNamesToHuggingFaceAndTransposesKernels() throws IOException {
        TinyBundleWriter b = tinyBundle();
        Map<String, NamedArray> w = TfBundleReader.readHf(b.index, b.data, "bundle");
        assertThat(w).containsOnlyKeys("embeddings.word_embeddings.weight", "embeddings.LayerNorm.weight",
                "embeddings.LayerNorm.bias", "encoder.layer.0.attention.self.query.weight",
                "encoder.layer.0.attention.self.query.bias", "encoder.layer.11.output.LayerNorm.weight",
                "pooler.dense.weight", "cls.predictions.bias", "cls.predictions.transform.LayerNorm.bias");
        NamedArray query = w.get("encoder.layer.0.attention.self.query.weight");
        assertThat(query.shape()).containsExactly(3, 2); // kernel [in=2, out=3] -> [out, in]
        assertThat(query.data()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(w.get("embeddings.word_embeddings.weight").shape()).containsExactly(3, 2); // embeddings are not transposed
        assertThat(w.get("cls.predictions.bias").data()).containsExactly(0.1f, 0.2f, 0.3f);
    }

    @Test
    void nameMapping() {
        assertThat(TfBundleReader.hfName("module/bert/encoder/layer_3/attention/output/dense/kernel"))
                .isEqualTo("encoder.layer.3.attention.output.dense.weight");
        assertThat(TfBundleReader.hfName("bert/encoder/layer_0/intermediate/dense/bias"))
                .isEqualTo("encoder.layer.0.intermediate.dense.bias");
        assertThat(TfBundleReader.hfName("module/cls/predictions/transform/dense/kernel"))
                .isEqualTo("cls.predictions.transform.dense.weight");
        assertThat(TfBundleReader.hfName("cls/seq_relationship/output_weights")).isEqualTo("cls.seq_relationship.weight");
        assertThat(TfBundleReader.hfName("bert/embeddings/token_type_embeddings")).isEqualTo("embeddings.token_type_embeddings.weight");
        assertThat(TfBundleReader.hfName("global_step")).isNull();
        assertThat(TfBundleReader.hfName("bert/pooler/dense/bias/adam_v")).isNull();
    }

    @Test
    void corruptIndexIsDetected() {
        TinyBundleWriter b = tinyBundle();
        byte[] badMagic = b.index.clone();
        badMagic[badMagic.length - 1] ^= 1;
        assertThatThrownBy(() -> TfBundleReader.readIndex(badMagic, "variables.index"))
                .isInstanceOf(IOException.class).hasMessageContaining("variables.index").hasMessageContaining("magic");
        byte[] flipped = b.index.clone();
        flipped[10] ^= 0x40; // inside the first data block
        assertThatThrownBy(() -> TfBundleReader.readIndex(flipped, "variables.index"))
                .isInstanceOf(IOException.class).hasMessageContaining("CRC32C");
    }

    @Test
    void compressedBlocksAreRejected() {
        TinyBundleWriter b = tinyBundle();
        // the first block's trailer: find it by re-reading the index handle would be long; instead
        // build a table whose only data block claims snappy compression (type 1)
        byte[] index = b.index.clone();
        int firstTrailer = firstBlockSize(b);
        index[firstTrailer] = 1;
        assertThatThrownBy(() -> TfBundleReader.readIndex(index, "variables.index"))
                .isInstanceOf(IOException.class).hasMessageContaining("compression type 1");
    }

    /** The size of the first data block (it starts at 0), read from the index block through SsTable itself. */
    private static int firstBlockSize(TinyBundleWriter b) {
        int[] size = {-1};
        ProtoReader footer = new ProtoReader(b.index, b.index.length - SsTable.FOOTER_LENGTH, 40, "footer");
        footer.readVarint();
        footer.readVarint();
        long indexOffset = footer.readVarint();
        long indexSize = footer.readVarint();
        SsTable.forEachInBlock(b.index, indexOffset, indexSize, "index", (key, handle) -> {
            if (size[0] < 0) {
                ProtoReader h = new ProtoReader(b.index, handle.offset(), handle.length(), "handle");
                h.readVarint();
                size[0] = (int) h.readVarint();
            }
        });
        return size[0];
    }

    @Test
    void corruptTensorDataIsDetected() {
        TinyBundleWriter b = tinyBundle();
        b.data[0] ^= 1;
        assertThatThrownBy(() -> TfBundleReader.readHf(b.index, b.data, "bundle"))
                .isInstanceOf(IOException.class).hasMessageContaining("CRC32C").hasMessageContaining("module/bert/");
    }
}
