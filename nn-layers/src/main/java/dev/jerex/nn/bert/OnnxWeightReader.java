package dev.jerex.nn.bert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the fp32 weights of a BERT encoder exported to ONNX by PyTorch and returns them under
 * Hugging Face BERT names and layouts (Linear weight {@code [out, in]}).
 *
 * <p>Only the parts of the ONNX protobuf schema (onnx/onnx.proto) that hold weights are decoded:
 * <pre>
 *   ModelProto   graph = 7 (GraphProto)
 *   GraphProto   node = 1 (NodeProto, repeated), initializer = 5 (TensorProto, repeated)
 *   NodeProto    input = 1, output = 2 (repeated string), op_type = 4 (string)
 *   TensorProto  dims = 1 (repeated int64), data_type = 2 (1 = FLOAT), float_data = 4 (packed float),
 *                name = 8, raw_data = 9 (bytes, little-endian), data_location = 14 (1 = EXTERNAL)
 * </pre>
 *
 * <p>PyTorch names the LayerNorm parameters, biases and embeddings after the module
 * ({@code encoder.layer.0.attention.self.query.bias}) but gives the Linear weights, which it
 * stores pre-transposed as {@code [in, out]} for a MatMul, anonymous names ({@code onnx::MatMul_787}).
 * They are named through the graph: {@code y = MatMul(x, W); z = Add(y, b)} with {@code b} named
 * {@code <prefix>.bias} makes {@code W} the weight {@code <prefix>.weight}, transposed to {@code [out, in]}.
 */
public final class OnnxWeightReader {
    private static final int ONNX_FLOAT = 1;

    private OnnxWeightReader() {
    }

    public static Map<String, NamedArray> read(Path onnxFile) throws IOException {
        return read(Files.readAllBytes(onnxFile), onnxFile.toString());
    }

    /**
     * @param onnxBytes  the whole .onnx file
     * @param sourceName file name used in error messages
     * @return weights in graph order, Hugging Face names (no {@code bert.} prefix)
     * @throws IOException when the file is malformed or a weight cannot be named
     */
    public static Map<String, NamedArray> read(byte[] onnxBytes, String sourceName) throws IOException {
        try {
            Graph graph = parseModel(onnxBytes, sourceName);
            return nameWeights(graph, sourceName);
        } catch (IllegalStateException | IllegalArgumentException e) {
            String message = e.getMessage().startsWith(sourceName) ? e.getMessage() : sourceName + ": " + e.getMessage();
            throw new IOException(message, e);
        }
    }

    // ---- parsing ---------------------------------------------------------------------------

    record Node(String opType, List<String> inputs, List<String> outputs) {
    }

    /** An initializer; {@code array} is null for non-float tensors, which are kept only by name. */
    record Initializer(String name, int dataType, NamedArray array) {
    }

    record Graph(List<Node> nodes, Map<String, Initializer> initializers) {
    }

    static Graph parseModel(byte[] bytes, String sourceName) {
        ProtoReader model = new ProtoReader(bytes, sourceName + ": ModelProto");
        Graph graph = null;
        while (model.next()) {
            if (model.field() == 7) {
                graph = parseGraph(model.readMessage(sourceName + ": GraphProto"), sourceName);
            } else {
                model.skip();
            }
        }
        if (graph == null) {
            throw new IllegalStateException("no graph (ModelProto field 7) found; is this an ONNX model?");
        }
        return graph;
    }

    private static Graph parseGraph(ProtoReader g, String sourceName) {
        List<Node> nodes = new ArrayList<>();
        Map<String, Initializer> initializers = new LinkedHashMap<>();
        while (g.next()) {
            switch (g.field()) {
                case 1 -> nodes.add(parseNode(g.readMessage(sourceName + ": NodeProto")));
                case 5 -> {
                    Initializer init = parseTensor(g.readMessage(sourceName + ": TensorProto"));
                    if (initializers.put(init.name(), init) != null) {
                        throw new IllegalStateException("initializer '" + init.name() + "' appears twice");
                    }
                }
                default -> g.skip();
            }
        }
        return new Graph(nodes, initializers);
    }

    private static Node parseNode(ProtoReader n) {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String opType = "";
        while (n.next()) {
            switch (n.field()) {
                case 1 -> inputs.add(n.readString());
                case 2 -> outputs.add(n.readString());
                case 4 -> opType = n.readString();
                default -> n.skip();
            }
        }
        return new Node(opType, inputs, outputs);
    }

    private static Initializer parseTensor(ProtoReader t) {
        ProtoReader.LongList dims = new ProtoReader.LongList();
        int dataType = 0;
        String name = "";
        ProtoReader.Slice raw = null;
        FloatList floatData = new FloatList();
        boolean external = false;
        while (t.next()) {
            switch (t.field()) {
                case 1 -> t.readRepeatedVarints(dims);
                case 2 -> dataType = (int) t.readVarint();
                case 4 -> floatData.read(t);
                case 8 -> name = t.readString();
                case 9 -> raw = t.readSlice();
                case 14 -> external = t.readVarint() == 1;
                default -> t.skip();
            }
        }
        if (dataType != ONNX_FLOAT) {
            return new Initializer(name, dataType, null);
        }
        if (external) {
            throw new IllegalStateException("tensor '" + name + "' keeps its data in an external file; "
                    + "only self-contained .onnx files are supported");
        }
        int[] shape = toIntShape(dims.toArray(), name);
        long count = NamedArray.elementCount(shape);
        float[] data;
        if (raw != null) {
            if (raw.length() != count * Float.BYTES) {
                throw new IllegalStateException("tensor '" + name + "': raw_data has " + raw.length()
                        + " bytes, shape " + Arrays.toString(shape) + " needs " + count * Float.BYTES);
            }
            data = new float[(int) count];
            ByteBuffer.wrap(t.backingArray(), raw.offset(), raw.length()).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(data);
        } else {
            data = floatData.toArray();
            if (data.length != count) {
                throw new IllegalStateException("tensor '" + name + "': float_data has " + data.length
                        + " values, shape " + Arrays.toString(shape) + " needs " + count);
            }
        }
        return new Initializer(name, dataType, new NamedArray(name, shape, data));
    }

    static int[] toIntShape(long[] dims, String name) {
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new IllegalStateException("tensor '" + name + "' has dimension " + dims[i]);
            }
            shape[i] = (int) dims[i];
        }
        return shape;
    }

    // ---- naming ----------------------------------------------------------------------------

    private static Map<String, NamedArray> nameWeights(Graph graph, String sourceName) {
        Map<String, List<Node>> consumers = new HashMap<>();
        for (Node node : graph.nodes()) {
            for (String input : node.inputs()) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
            }
        }
        // 1. Linear weights: y = MatMul(x, W) -> Add(y, <prefix>.bias); W is [in, out].
        Map<String, NamedArray> weightByBias = new HashMap<>(); // bias initializer name -> its weight, HF layout
        Set<String> matMulWeights = new HashSet<>();
        for (Node node : graph.nodes()) {
            if (!node.opType().equals("MatMul") || node.inputs().size() != 2) {
                continue;
            }
            Initializer weight = graph.initializers().get(node.inputs().get(1));
            if (weight == null || weight.array() == null || weight.array().rank() != 2) {
                continue; // activation x activation (attention scores), not a weight
            }
            String biasName = findBiasAfter(node, consumers, graph.initializers());
            if (biasName == null) {
                throw new IllegalStateException("cannot name MatMul weight '" + weight.name() + "' "
                        + Arrays.toString(weight.array().shape()) + ": its MatMul output '" + node.outputs().get(0)
                        + "' does not feed an Add with a named '.bias' initializer");
            }
            if (!matMulWeights.add(weight.name())) {
                throw new IllegalStateException("MatMul weight '" + weight.name() + "' is used twice");
            }
            String hfName = stripBertPrefix(biasName.substring(0, biasName.length() - ".bias".length())) + ".weight";
            if (weightByBias.put(biasName, weight.array().transpose2d().withName(hfName)) != null) {
                throw new IllegalStateException("bias '" + biasName + "' follows two MatMul weights");
            }
        }
        // 2. The named initializers (biases, LayerNorm, embeddings) in file order, each weight
        //    placed just before its bias, which gives the PyTorch state_dict order.
        Map<String, NamedArray> result = new LinkedHashMap<>();
        for (Initializer init : graph.initializers().values()) {
            if (init.array() == null || matMulWeights.contains(init.name())) {
                continue; // int64 constants (shapes, position ids) and the weights handled above
            }
            if (isAnonymous(init.name())) {
                if (init.array().size() <= 1) {
                    continue; // folded scalar constants, e.g. sqrt(head_dim) or the mask fill value
                }
                throw new IllegalStateException("cannot name initializer '" + init.name() + "' "
                        + Arrays.toString(init.array().shape()) + ": it is not a MatMul weight followed by a bias");
            }
            NamedArray weight = weightByBias.get(init.name());
            if (weight != null) {
                putUnique(result, weight, init.name());
            }
            putUnique(result, init.array().withName(stripBertPrefix(init.name())), init.name());
        }
        for (NamedArray weight : weightByBias.values()) {
            if (!result.containsKey(weight.name())) {
                throw new IllegalStateException("MatMul weight for '" + weight.name() + "' was found but its bias is not a float tensor");
            }
        }
        return result;
    }

    private static String findBiasAfter(Node matMul, Map<String, List<Node>> consumers,
                                        Map<String, Initializer> initializers) {
        String product = matMul.outputs().get(0);
        for (Node next : consumers.getOrDefault(product, List.of())) {
            if (!next.opType().equals("Add") || next.inputs().size() != 2) {
                continue;
            }
            String other = next.inputs().get(0).equals(product) ? next.inputs().get(1) : next.inputs().get(0);
            if (other.endsWith(".bias") && initializers.containsKey(other)) {
                return other;
            }
        }
        return null;
    }

    private static void putUnique(Map<String, NamedArray> result, NamedArray array, String onnxName) {
        if (result.put(array.name(), array) != null) {
            throw new IllegalStateException("two tensors map to '" + array.name() + "' (second: '" + onnxName + "')");
        }
    }

    /** PyTorch's names for values it created itself: {@code onnx::MatMul_787}, {@code /Constant_output_0}. */
    static boolean isAnonymous(String name) {
        return name.contains("::") || name.startsWith("/") || name.isEmpty();
    }

    static String stripBertPrefix(String name) {
        return name.startsWith("bert.") ? name.substring("bert.".length()) : name;
    }

    /** Collects TensorProto.float_data, packed (one LEN field) or not (one I32 field per value). */
    private static final class FloatList {
        private float[] values = new float[0];
        private int size;

        void read(ProtoReader t) {
            if (t.wireType() == ProtoReader.I32) {
                add(Float.intBitsToFloat(t.readFixed32()));
                return;
            }
            ProtoReader.Slice slice = t.readSlice();
            ensure(size + slice.length() / 4);
            ByteBuffer.wrap(t.backingArray(), slice.offset(), slice.length()).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(values, size, slice.length() / 4);
            size += slice.length() / 4;
        }

        private void add(float v) {
            ensure(size + 1);
            values[size++] = v;
        }

        private void ensure(int capacity) {
            if (capacity > values.length) {
                values = Arrays.copyOf(values, Math.max(capacity, values.length * 2));
            }
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
