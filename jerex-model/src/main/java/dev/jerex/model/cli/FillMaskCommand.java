package dev.jerex.model.cli;

import dev.jerex.nn.Mode;
import dev.jerex.nn.bert.BertModel;
import dev.jerex.nn.bert.EncoderArtifacts;
import dev.jerex.nn.bert.EncoderCatalog;
import dev.jerex.nn.bert.Encoding;
import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "fill-mask", mixinStandardHelpOptions = true,
        description = "Fill each [MASK] of a text with the encoder's masked-language-model head (bert-base-cased, mbert-cased).")
final class FillMaskCommand implements Callable<Integer> {
    @Option(names = "--encoder", defaultValue = "bert-base-cased") String encoder;
    @Option(names = "--text", required = true) String text;
    @Option(names = "--top", defaultValue = "5") int top;
    @Mixin CommonOptions common;

    /** The top-k tokens with their probabilities for each [MASK] position. */
    static List<List<String[]>> fill(BertModel bert, EncoderArtifacts a, String text, int top) {
        if (bert.mlmTransform == null) {
            throw new IllegalArgumentException("encoder " + a.name() + " has no masked-language-model head (try bert-base-cased or mbert-cased)");
        }
        Encoding enc = a.tokenizer().encode(text);
        List<Integer> masks = new ArrayList<>();
        for (int i = 0; i < enc.length(); i++) if (enc.ids()[i] == a.tokenizer().maskId()) masks.add(i);
        if (masks.isEmpty()) throw new IllegalArgumentException("the text has no [MASK] token");
        List<List<String[]>> out = new ArrayList<>();
        try (GradMode off = GradMode.noGrad()) {
            Tensor h = bert.forward(new int[][] {enc.ids()}, new int[] {enc.length()}, Mode.eval());
            for (int pos : masks) {
                float[] p = bert.mlmLogits(h.select(0, 0).select(0, pos).unsqueeze(0)).softmax(-1).toArray();
                Integer[] order = new Integer[p.length];
                for (int i = 0; i < order.length; i++) order[i] = i;
                java.util.Arrays.sort(order, (x, y) -> Float.compare(p[y], p[x]));
                List<String[]> best = new ArrayList<>();
                for (int k = 0; k < top; k++) {
                    best.add(new String[] {a.tokenizer().vocab().token(order[k]), String.format(Locale.ROOT, "%.4f", p[order[k]])});
                }
                out.add(best);
            }
        }
        return out;
    }

    @Override
    public Integer call() throws Exception {
        EncoderArtifacts a = new EncoderCatalog().load(encoder);
        BertModel bert = BertModel.fromPretrained(common.create(), a.config(), a.weights(), 0f);
        List<List<String[]>> result = fill(bert, a, text, top);
        for (int m = 0; m < result.size(); m++) {
            System.out.println("[MASK] #" + (m + 1) + ":");
            for (String[] t : result.get(m)) System.out.printf("  %-15s %s%n", t[0], t[1]);
        }
        return 0;
    }
}
