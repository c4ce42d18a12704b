package dev.jerex.bench;

import dev.jerex.model.api.TrainedModel;
import dev.jerex.model.data.EncodedDocument;
import dev.jerex.model.nn.Batch;
import dev.jerex.model.nn.JointExtractor;
import dev.jerex.nn.Mode;
import dev.jerex.nn.bert.NamedArray;
import dev.jerex.nn.bert.SafetensorsFormat;
import dev.jerex.tensor.Gradients;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whole-model parity with the PyTorch twin, jerex's side: builds a model as the Trainer does,
 * draws one real CoNLL04 training batch with the Sampler, runs forward, loss and backward with
 * dropout 0, and writes everything the twin needs to redo it and compare:
 * <pre>
 * OUT/model/              a jerex model directory (model.json, model.safetensors, ...)
 * OUT/batch.json          every field of the Batch
 * OUT/outputs.safetensors entity_logits [E, types+1], relation_logits [R, relation types],
 *                         entity_loss, relation_loss, loss ([1] each)
 * OUT/gradients.safetensors  d loss / d parameter, by parameter name
 * </pre>
 * Then: {@code python3 benchmarks/python/twin/twin.py parity OUT}.
 *
 * <p>Usage: {@code ModelParity --variant full --batch-size 2 --out DIR [--data ../shared/data/conll04]
 * [--encoder minilm-l6] [--seed 42] [--backend java]}
 */
public final class ModelParity {
    private ModelParity() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = Options.parse(args, Map.of("--variant", "full", "--batch-size", "2", "--data", "../shared/data/conll04",
                "--encoder", "minilm-l6", "--seed", "42", "--backend", "java"), "--out");
        run(opt.get("--variant"), Integer.parseInt(opt.get("--batch-size")), Path.of(opt.get("--data")), opt.get("--encoder"),
                Long.parseLong(opt.get("--seed")), Backends.create(opt.get("--backend"), 1), Path.of(opt.get("--out")));
    }

    public static void run(String variant, int batchSize, Path data, String encoder, long seed, Backend backend, Path out) throws IOException {
        TwinInputs.Data train = TwinInputs.Data.read(data, "train");
        TrainedModel model = TwinInputs.buildModel(backend, encoder, variant, train.types(), 0f, seed);
        List<EncodedDocument> encoded = TwinInputs.encode(model, train.documents());
        Batch batch = TwinInputs.trainingBatches(model, encoded, batchSize, 1, seed).get(0);
        Files.createDirectories(out);
        model.save(out.resolve("model"));
        Files.writeString(out.resolve("batch.json"), TwinInputs.JSON.writeValueAsString(TwinInputs.batchJson(batch)));

        JointExtractor net = model.network();
        Mode mode = Mode.train(new Rng(seed + 3));   // dropout 0: the training path without randomness
        // The logits, the loss on them and its gradients: what JointExtractor.loss(batch, mode) computes.
        JointExtractor.Logits logits = net.logits(batch, mode);
        JointExtractor.Loss loss = net.loss(logits, batch);
        Gradients grads = loss.total().backward();
        Tensor entityLogits = logits.entity(), relationLogits = logits.relation();

        Map<String, NamedArray> outputs = new LinkedHashMap<>();
        put(outputs, "entity_logits", entityLogits);
        put(outputs, "relation_logits", relationLogits);
        outputs.put("entity_loss", new NamedArray("entity_loss", new int[] {1}, new float[] {loss.entity()}));
        outputs.put("relation_loss", new NamedArray("relation_loss", new int[] {1}, new float[] {loss.relation()}));
        outputs.put("loss", new NamedArray("loss", new int[] {1}, new float[] {loss.total().item()}));
        SafetensorsFormat.write(out.resolve("outputs.safetensors"), outputs, Map.of("variant", variant));

        Map<String, NamedArray> gradients = new LinkedHashMap<>();
        net.namedParameters().forEach((name, p) -> {
            Tensor g = grads.get(p);
            if (g == null) throw new IllegalStateException("no gradient for parameter " + name);
            put(gradients, name, g);
        });
        SafetensorsFormat.write(out.resolve("gradients.safetensors"), gradients, Map.of("variant", variant));
        System.out.printf(Locale.ROOT, "%s, batch of %d (%d entity, %d relation samples, %d tokens): loss %.6f (entity %.6f, relation %.6f); written to %s%n",
                variant, batchSize, batch.entityDoc.length, batch.relationDoc.length, batch.ids[0].length, loss.total().item(),
                loss.entity(), loss.relation(), out);
    }

    private static void put(Map<String, NamedArray> map, String name, Tensor t) {
        map.put(name, new NamedArray(name, t.shape(), t.toArray()));
    }
}
