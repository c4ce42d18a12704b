package dev.jerex.model.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jerex.nn.Mode;
import dev.jerex.nn.bert.BertModel;
import dev.jerex.nn.bert.EncoderArtifacts;
import dev.jerex.nn.bert.EncoderCatalog;
import dev.jerex.nn.bert.Encoding;
import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Run a pretrained encoder on a text: JSON with the wordpiece tokens, ids and last_hidden_state [T][H].")
final class EncodeCommand implements Callable<Integer> {
    @Option(names = "--encoder", defaultValue = "minilm-l6") String encoder;
    @Option(names = "--text", required = true) String text;
    @Option(names = "--out", description = "write the JSON here instead of standard output") Path out;
    @Mixin CommonOptions common;

    @Override
    public Integer call() throws Exception {
        EncoderArtifacts a = new EncoderCatalog().load(encoder);
        BertModel bert = BertModel.fromPretrained(common.create(), a.config(), a.weights(), 0f);
        Encoding enc = a.tokenizer().encode(text);
        if (enc.length() > a.config().maxPositions()) {
            throw new IllegalArgumentException("the text has " + enc.length() + " word pieces, more than the encoder's " + a.config().maxPositions() + " positions");
        }
        float[] hidden;
        try (GradMode off = GradMode.noGrad()) {
            Tensor h = bert.forward(new int[][] {enc.ids()}, new int[] {enc.length()}, Mode.eval());
            hidden = h.toArray();
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("encoder", a.name());
        ArrayNode tokens = root.putArray("tokens"), ids = root.putArray("ids");
        enc.tokens().forEach(tokens::add);
        for (int id : enc.ids()) ids.add(id);
        ArrayNode rows = root.putArray("last_hidden_state");
        int d = a.config().hidden();
        for (int t = 0; t < enc.length(); t++) {
            ArrayNode row = rows.addArray();
            for (int k = 0; k < d; k++) row.add(hidden[t * d + k]);
        }
        String s = json.writeValueAsString(root);
        if (out != null) Files.writeString(out, s);
        else System.out.println(s);
        return 0;
    }
}
