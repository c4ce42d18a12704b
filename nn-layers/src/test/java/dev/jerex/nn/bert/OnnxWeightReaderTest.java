package dev.jerex.nn.bert;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Builds tiny ONNX graphs by hand (wire format) and reads them back. */
class OnnxWeightReaderTest {

    /** TensorProto: dims = 1 (unpacked here), data_type = 2, name = 8, raw_data = 9. */
    static ProtoWriter rawTensor(String name, long[] dims, float... values) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, 1).string(8, name).bytes(9, ProtoWriter.littleEndianFloats(values));
    }

    /** NodeProto: input = 1, output = 2, op_type = 4. */
    static ProtoWriter node(String opType, List<String> inputs, List<String> outputs) {
        ProtoWriter n = new ProtoWriter();
        inputs.forEach(i -> n.string(1, i));
        outputs.forEach(o -> n.string(2, o));
        return n.string(4, opType);
    }

    /** ModelProto with ir_version = 1 (skipped by the reader) and graph = 7. */
    static byte[] model(ProtoWriter graph) {
        return new ProtoWriter().varint(1, 8).message(7, graph).toByteArray();
    }

    /**
     * y = x @ W + b with W stored [in=2, out=3] as onnx::MatMul_7, b named bert.encoder.layer.0.output.dense.bias;
     * plus a LayerNorm weight with float_data (packed) instead of raw_data, an int64 shape constant
     * and a folded scalar constant, both of which are not weights.
     */
    static byte[] tinyModel() {
        ProtoWriter graph = new ProtoWriter()
                .message(1, node("MatMul", List.of("x", "onnx::MatMul_7"), List.of("/MatMul_output_0")))
                .message(1, node("Add", List.of("bert.encoder.layer.0.output.dense.bias", "/MatMul_output_0"), List.of("y")))
                .message(5, rawTensor("onnx::MatMul_7", new long[] {2, 3}, 1, 2, 3, 4, 5, 6))
                .message(5, rawTensor("bert.encoder.layer.0.output.dense.bias", new long[] {3}, 0.5f, 0.25f, 0.125f))
                .message(5, new ProtoWriter().packedVarints(1, 2).varint(2, 1).string(8, "bert.encoder.layer.0.output.LayerNorm.weight")
                        .bytes(4, ProtoWriter.littleEndianFloats(7, 8)))
                .message(5, new ProtoWriter().varint(1, 1).varint(2, 7).string(8, "onnx::Reshape_3")
                        .packedVarints(7, 5))
                .message(5, rawTensor("/Constant_output_0", new long[0], 8f));
        return model(graph);
    }

    @Test
    void namesMatMulWeightsThroughTheFollowingBiasAndTransposesThem() throws IOException {
        Map<String, NamedArray> w = OnnxWeightReader.read(tinyModel(), "tiny.onnx");
        assertThat(w.keySet()).containsExactly("encoder.layer.0.output.dense.weight", "encoder.layer.0.output.dense.bias",
                "encoder.layer.0.output.LayerNorm.weight");
        NamedArray weight = w.get("encoder.layer.0.output.dense.weight");
        // stored [in, out] = [[1,2,3],[4,5,6]] -> Linear [out, in] = [[1,4],[2,5],[3,6]]
        assertThat(weight.shape()).containsExactly(3, 2);
        assertThat(weight.data()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(w.get("encoder.layer.0.output.dense.bias").data()).containsExactly(0.5f, 0.25f, 0.125f);
        assertThat(w.get("encoder.layer.0.output.LayerNorm.weight").data()).containsExactly(7, 8);
    }

    @Test
    void unnamedWeightFailsNamingTheFileAndTensor() {
        ProtoWriter graph = new ProtoWriter()
                .message(1, node("MatMul", List.of("x", "onnx::MatMul_9"), List.of("h")))
                .message(1, node("Relu", List.of("h"), List.of("y")))
                .message(5, rawTensor("onnx::MatMul_9", new long[] {2, 2}, 1, 2, 3, 4));
        assertThatThrownBy(() -> OnnxWeightReader.read(model(graph), "broken.onnx"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("broken.onnx").hasMessageContaining("onnx::MatMul_9");
    }

    @Test
    void anonymousTensorThatIsNoMatMulWeightFails() {
        ProtoWriter graph = new ProtoWriter().message(5, rawTensor("onnx::Mul_4", new long[] {2}, 1, 2));
        assertThatThrownBy(() -> OnnxWeightReader.read(model(graph), "m.onnx"))
                .isInstanceOf(IOException.class).hasMessageContaining("onnx::Mul_4");
    }

    @Test
    void rawDataOfWrongLengthFails() {
        ProtoWriter graph = new ProtoWriter().message(5, rawTensor("embeddings.LayerNorm.weight", new long[] {3}, 1, 2));
        assertThatThrownBy(() -> OnnxWeightReader.read(model(graph), "m.onnx"))
                .isInstanceOf(IOException.class).hasMessageContaining("embeddings.LayerNorm.weight").hasMessageContaining("12");
    }

    @Test
    void truncatedFileFails() {
        byte[] full = tinyModel();
        byte[] truncated = java.util.Arrays.copyOf(full, full.length - 5);
        assertThatThrownBy(() -> OnnxWeightReader.read(truncated, "cut.onnx"))
                .isInstanceOf(IOException.class).hasMessageContaining("cut.onnx");
        assertThatThrownBy(() -> OnnxWeightReader.read(new byte[] {8, 1}, "empty.onnx"))
                .isInstanceOf(IOException.class).hasMessageContaining("no graph");
    }
}
