package dev.jerex.model.data;

import java.util.List;
import java.util.Locale;

/**
 * How long the gold entities of a data set are, in words (characters for Chinese data): the
 * numbers behind the choice of {@code maxSpanSize} (see {@link SamplingConfig#CHINESE_MAX_SPAN_SIZE}).
 * A span longer than {@code maxSpanSize} can never be predicted, so entity coverage at a size is an
 * upper bound of NER recall, and relation coverage (both arguments short enough) one of relation
 * recall.
 */
public final class SpanLengthStatistics {

    private final int documentCount;
    private final long wordCount;
    private final long[] entitiesByWidth;      // index = width in words
    private final long[] relationsByLongestArgument;
    private final long entityCount;
    private final long relationCount;

    private SpanLengthStatistics(int documentCount, long wordCount, long[] entitiesByWidth,
                                 long[] relationsByLongestArgument) {
        this.documentCount = documentCount;
        this.wordCount = wordCount;
        this.entitiesByWidth = entitiesByWidth;
        this.relationsByLongestArgument = relationsByLongestArgument;
        long entities = 0;
        for (long count : entitiesByWidth) {
            entities += count;
        }
        long relations = 0;
        for (long count : relationsByLongestArgument) {
            relations += count;
        }
        this.entityCount = entities;
        this.relationCount = relations;
    }

    public static SpanLengthStatistics of(List<Document> documents) {
        int longest = 0;
        long words = 0;
        for (Document document : documents) {
            words += document.wordCount();
            for (Entity entity : document.entities()) {
                longest = Math.max(longest, entity.width());
            }
        }
        long[] entitiesByWidth = new long[longest + 1];
        long[] relationsByLongestArgument = new long[longest + 1];
        for (Document document : documents) {
            for (Entity entity : document.entities()) {
                entitiesByWidth[entity.width()]++;
            }
            for (Relation relation : document.relations()) {
                int width = Math.max(document.head(relation).width(), document.tail(relation).width());
                relationsByLongestArgument[width]++;
            }
        }
        return new SpanLengthStatistics(documents.size(), words, entitiesByWidth, relationsByLongestArgument);
    }

    public long entityCount() {
        return entityCount;
    }

    public long relationCount() {
        return relationCount;
    }

    /** Width of the longest gold entity. */
    public int maxWidth() {
        return entitiesByWidth.length - 1;
    }

    /** Number of gold entities of exactly this width. */
    public long entitiesOfWidth(int width) {
        return width < entitiesByWidth.length ? entitiesByWidth[width] : 0;
    }

    /** Percentage of gold entities with at most {@code maxSpanSize} words. */
    public double entityCoverage(int maxSpanSize) {
        return percentUpTo(entitiesByWidth, maxSpanSize, entityCount);
    }

    /** Percentage of gold relations whose two arguments both have at most {@code maxSpanSize} words. */
    public double relationCoverage(int maxSpanSize) {
        return percentUpTo(relationsByLongestArgument, maxSpanSize, relationCount);
    }

    /** Mean number of inference candidates per document for this {@code maxSpanSize}: about n * size. */
    public double meanCandidatesPerDocument(List<Document> documents, int maxSpanSize) {
        long total = 0;
        for (Document document : documents) {
            int n = document.wordCount();
            for (int width = 1; width <= Math.min(maxSpanSize, n); width++) {
                total += n - width + 1;
            }
        }
        return documents.isEmpty() ? 0 : (double) total / documents.size();
    }

    /** A small table: coverage of entities and relations at each size. */
    public String report(String name, int... sizes) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%s: %d documents, %.1f words/document, %d entities (longest %d), %d relations%n",
                name, documentCount, documentCount == 0 ? 0.0 : (double) wordCount / documentCount,
                entityCount, maxWidth(), relationCount));
        text.append(String.format(Locale.ROOT, "%14s %12s %12s%n", "maxSpanSize", "entities %", "relations %"));
        for (int size : sizes) {
            text.append(String.format(Locale.ROOT, "%14d %12.2f %12.2f%n", size, entityCoverage(size), relationCoverage(size)));
        }
        return text.toString();
    }

    private static double percentUpTo(long[] histogram, int limit, long total) {
        if (total == 0) {
            return 100.0;
        }
        long covered = 0;
        for (int width = 0; width < histogram.length && width <= limit; width++) {
            covered += histogram[width];
        }
        return 100.0 * covered / total;
    }
}
