package dev.jerex.model.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Objects;

/**
 * The scores of one evaluation, in percent, as SpERT reports them (SPERT.md, "Evaluation").
 *
 * @param ner    named entity recognition, strict (span and type)
 * @param rel    relations without named entity classification: both argument spans and the relation
 *               type must match, entity types are ignored
 * @param relNec relations with NEC (strict): spans, both entity types and relation type must match;
 *               the "relation F1" that CoNLL04 papers quote
 */
public record EvaluationResult(TaskScores ner, TaskScores rel, TaskScores relNec) {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public EvaluationResult {
        Objects.requireNonNull(ner, "ner");
        Objects.requireNonNull(rel, "rel");
        Objects.requireNonNull(relNec, "relNec");
    }

    /**
     * Precision, recall and F1 in percent.
     */
    public record Scores(double precision, double recall, double f1) {
    }

    /**
     * Scores of one type.
     *
     * @param name      the type's data-file name (key of {@code per_type})
     * @param shortName the type's short name (row label of the tables, as in SpERT)
     * @param support   number of gold items of this type
     */
    public record TypeScores(String name, String shortName, double precision, double recall, double f1, int support) {
    }

    /**
     * Scores of one task.
     *
     * @param micro   from the summed counts of all types
     * @param macro   mean of the per-type precision, recall and F1 over {@code perType}
     * @param perType the types that occur in gold or predictions, by type index
     */
    public record TaskScores(Scores micro, Scores macro, List<TypeScores> perType) {

        public TaskScores {
            perType = List.copyOf(perType);
        }

        /** Per-type scores by type name. */
        public Map<String, TypeScores> perTypeByName() {
            Map<String, TypeScores> byName = new LinkedHashMap<>();
            for (TypeScores scores : perType) {
                byName.put(scores.name(), scores);
            }
            return byName;
        }

        /** Total gold items. */
        public int support() {
            return perType.stream().mapToInt(TypeScores::support).sum();
        }
    }

    /**
     * JSON with exactly the top-level keys {@code ner}, {@code rel}, {@code rel_nec}; each has
     * {@code micro} and {@code macro} ({@code precision}, {@code recall}, {@code f1}) and
     * {@code per_type} (type name -> {@code precision}, {@code recall}, {@code f1}, {@code support}).
     */
    public String toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.set("ner", toJson(ner));
        root.set("rel", toJson(rel));
        root.set("rel_nec", toJson(relNec));
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode toJson(TaskScores task) {
        ObjectNode node = MAPPER.createObjectNode();
        node.set("micro", toJson(task.micro()));
        node.set("macro", toJson(task.macro()));
        ObjectNode perType = node.putObject("per_type");
        for (TypeScores type : task.perType()) {
            ObjectNode typeNode = perType.putObject(type.name());
            typeNode.put("precision", type.precision());
            typeNode.put("recall", type.recall());
            typeNode.put("f1", type.f1());
            typeNode.put("support", type.support());
        }
        return node;
    }

    private static ObjectNode toJson(Scores scores) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("precision", scores.precision());
        node.put("recall", scores.recall());
        node.put("f1", scores.f1());
        return node;
    }

    /**
     * The three tables SpERT prints after an evaluation: a row per type (by short name), then micro
     * and macro; columns right-aligned as in SpERT's {@code "%20s" + " %12s" * 4} format.
     */
    public String formatTables() {
        StringBuilder text = new StringBuilder();
        text.append("--- Entities (named entity recognition (NER)) ---\n");
        text.append("An entity is considered correct if the entity type and span is predicted correctly\n\n");
        appendTable(text, ner);
        text.append("\n--- Relations ---\n\n");
        text.append("Without named entity classification (NEC)\n");
        text.append("A relation is considered correct if the relation type and the spans of the two related entities "
                + "are predicted correctly (entity type is not considered)\n\n");
        appendTable(text, rel);
        text.append("\nWith named entity classification (NEC)\n");
        text.append("A relation is considered correct if the relation type and the two related entities are "
                + "predicted correctly (in span and entity type)\n\n");
        appendTable(text, relNec);
        return text.toString();
    }

    private static void appendTable(StringBuilder text, TaskScores task) {
        appendRow(text, "type", "precision", "recall", "f1-score", "support");
        text.append('\n');
        for (TypeScores type : task.perType()) {
            appendRow(text, type.shortName(), percent(type.precision()), percent(type.recall()),
                    percent(type.f1()), Integer.toString(type.support()));
        }
        text.append('\n');
        String support = Integer.toString(task.support());
        appendRow(text, "micro", percent(task.micro().precision()), percent(task.micro().recall()),
                percent(task.micro().f1()), support);
        appendRow(text, "macro", percent(task.macro().precision()), percent(task.macro().recall()),
                percent(task.macro().f1()), support);
    }

    private static void appendRow(StringBuilder text, String label, String precision, String recall, String f1,
                                  String support) {
        text.append(String.format(Locale.ROOT, "%20s %12s %12s %12s %12s\n", label, precision, recall, f1, support));
    }

    private static String percent(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "NER micro F1 %.2f, Rel micro F1 %.2f, Rel+NEC micro F1 %.2f",
                ner.micro().f1(), rel.micro().f1(), relNec.micro().f1());
    }
}
