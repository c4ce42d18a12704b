package dev.jerex.model.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits documents that are too long for the encoder into overlapping windows of whole words, and
 * merges the predictions made on the windows back into one prediction for the document.
 *
 * <p>SpERT never truncates or windows, so inputs over 512 sub-words crash it (SPERT.md, "What its
 * users ask for", item 8). Here a document whose pieces exceed {@code windowPieces} (510 by default:
 * 512 positions minus [CLS] and [SEP]) is cut into windows of at most {@code windowPieces} pieces.
 * Consecutive windows share about {@code overlapPieces} pieces (128 by default), so every entity
 * shorter than the overlap lies wholly inside at least one window. Windows never split a word.
 *
 * <h2>Merging</h2>
 * A span near the edge of a window is seen with little context on one side. So every predicted span
 * (and every relation, through the extent of its two arguments) is owned by the window in which it
 * is most central: the one that contains it and maximises the distance, in words, to the nearest
 * window edge that is a cut (the beginning and end of the document are not cuts). Only the owner's
 * predictions for that span are kept; this also removes the duplicates coming from overlaps. Ties go
 * to the earlier window.
 */
public final class Windowing {

    public static final int DEFAULT_MAX_POSITIONS = 512;
    public static final int DEFAULT_WINDOW_PIECES = DEFAULT_MAX_POSITIONS - 2;
    public static final int DEFAULT_OVERLAP_PIECES = 128;

    private final int windowPieces;
    private final int overlapPieces;

    /**
     * @param windowPieces  the most word pieces a window may hold ([CLS] and [SEP] not counted)
     * @param overlapPieces the pieces consecutive windows should share, {@code 0 <= overlap < window}
     */
    public Windowing(int windowPieces, int overlapPieces) {
        if (windowPieces < 1) {
            throw new IllegalArgumentException("windowPieces must be >= 1, got " + windowPieces);
        }
        if (overlapPieces < 0 || overlapPieces >= windowPieces) {
            throw new IllegalArgumentException("overlapPieces must be in [0, windowPieces), got " + overlapPieces);
        }
        this.windowPieces = windowPieces;
        this.overlapPieces = overlapPieces;
    }

    /** 510-piece windows sharing 128 pieces: BERT's 512 positions minus [CLS] and [SEP]. */
    public static Windowing defaults() {
        return new Windowing(DEFAULT_WINDOW_PIECES, DEFAULT_OVERLAP_PIECES);
    }

    /**
     * Windows that fill an encoder with {@code maxPositions} positions; they overlap by 128 pieces, or
     * by a third of the window for small encoders.
     */
    public static Windowing forMaxPositions(int maxPositions) {
        int window = maxPositions - 2;
        return new Windowing(window, Math.min(DEFAULT_OVERLAP_PIECES, window / 3));
    }

    public int windowPieces() {
        return windowPieces;
    }

    public int overlapPieces() {
        return overlapPieces;
    }

    /**
     * Plans the windows for a document whose words have the given piece counts.
     *
     * @param piecesPerWord pieces of every word (see {@link EncodedDocument#pieceCounts})
     * @return word ranges {@code [start, end)} as two-element arrays; a single window
     *         {@code [0, n)} when everything fits
     * @throws IllegalArgumentException when a single word has more pieces than a window holds (the
     *                                  word would have to be cut, which is never done silently)
     */
    public List<int[]> plan(int[] piecesPerWord) {
        int wordCount = piecesPerWord.length;
        List<int[]> windows = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = start;
            int pieces = 0;
            while (end < wordCount && pieces + piecesPerWord[end] <= windowPieces) {
                pieces += piecesPerWord[end];
                end++;
            }
            if (end == start) {
                throw new IllegalArgumentException("word " + start + " alone has " + piecesPerWord[start]
                        + " word pieces, more than a window of " + windowPieces
                        + "; split such words before encoding (nothing is cut silently)");
            }
            windows.add(new int[] {start, end});
            if (end == wordCount) {
                return windows;
            }
            // Next window: start as far left as needed to share at least overlapPieces pieces with
            // this one, but always at least one word further than this window's start.
            int nextStart = end;
            int shared = 0;
            while (nextStart > start + 1 && shared < overlapPieces) {
                nextStart--;
                shared += piecesPerWord[nextStart];
            }
            start = nextStart;
        }
    }

    /**
     * Splits a document into windows ({@link #plan}); a document that fits gives one window equal to
     * the whole document.
     */
    public List<DocumentWindow> split(Document document, WordPieceEncoder encoder) {
        List<int[]> plan;
        try {
            plan = plan(EncodedDocument.pieceCounts(document, encoder));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(document.describe() + ": " + e.getMessage(), e);
        }
        List<DocumentWindow> windows = new ArrayList<>(plan.size());
        for (int[] range : plan) {
            windows.add(window(document, windows.size(), range[0], range[1]));
        }
        return windows;
    }

    /** Cuts the words {@code [wordStart, wordEnd)} out of a document, with the annotation inside. */
    static DocumentWindow window(Document document, int windowIndex, int wordStart, int wordEnd) {
        List<Entity> entities = new ArrayList<>();
        int[] newIndexOf = new int[document.entities().size()];
        int entitiesCut = 0;
        for (int i = 0; i < document.entities().size(); i++) {
            Entity entity = document.entities().get(i);
            newIndexOf[i] = -1;
            if (entity.start() >= wordStart && entity.end() <= wordEnd) {
                newIndexOf[i] = entities.size();
                entities.add(new Entity(entity.type(), entity.start() - wordStart, entity.end() - wordStart));
            } else if (entity.start() < wordEnd && entity.end() > wordStart) {
                entitiesCut++;
            }
        }
        List<Relation> relations = new ArrayList<>();
        int relationsCut = 0;
        for (Relation relation : document.relations()) {
            int head = newIndexOf[relation.head()];
            int tail = newIndexOf[relation.tail()];
            if (head >= 0 && tail >= 0) {
                relations.add(new Relation(relation.type(), head, tail));
            } else if (head >= 0 || tail >= 0) {
                relationsCut++;
            }
        }
        Document slice = new Document(document.index(), document.origId(),
                document.tokens().subList(wordStart, wordEnd), entities, relations);
        return new DocumentWindow(windowIndex, wordStart, wordEnd, slice, entitiesCut, relationsCut);
    }

    /**
     * Merges per-window predictions into one prediction in document coordinates.
     *
     * @param windows     the windows from {@link #split}, in order
     * @param predictions the prediction for each window, in window coordinates (same order)
     * @return entities sorted by (start, end, type); relations re-indexed, deduplicated by (head,
     *         tail, type) keeping the highest score
     */
    public static DocumentPrediction merge(List<DocumentWindow> windows, List<DocumentPrediction> predictions) {
        if (windows.size() != predictions.size()) {
            throw new IllegalArgumentException(windows.size() + " windows but " + predictions.size() + " predictions");
        }
        if (windows.isEmpty()) {
            return DocumentPrediction.empty();
        }
        int documentEnd = windows.get(windows.size() - 1).wordEnd();

        // 1. entities: keep each span's predictions from its owner window only
        Map<List<Object>, PredictedEntity> entitiesBySpanAndType = new LinkedHashMap<>();
        for (int w = 0; w < windows.size(); w++) {
            DocumentWindow window = windows.get(w);
            for (PredictedEntity local : predictions.get(w).entities()) {
                PredictedEntity entity = local.shiftedBy(window.wordStart());
                checkInside(window, entity.start(), entity.end());
                if (owner(windows, entity.start(), entity.end(), documentEnd) == w) {
                    entitiesBySpanAndType.merge(List.of(entity.start(), entity.end(), entity.type()), entity,
                            (a, b) -> a.score() >= b.score() ? a : b);
                }
            }
        }
        List<PredictedEntity> entities = new ArrayList<>(entitiesBySpanAndType.values());
        entities.sort((a, b) -> a.start() != b.start() ? Integer.compare(a.start(), b.start())
                : a.end() != b.end() ? Integer.compare(a.end(), b.end())
                : Integer.compare(a.type().index(), b.type().index()));
        Map<List<Object>, Integer> indexBySpanAndType = new HashMap<>();
        Map<List<Integer>, Integer> indexBySpan = new HashMap<>();
        for (int i = 0; i < entities.size(); i++) {
            PredictedEntity entity = entities.get(i);
            indexBySpanAndType.put(List.of(entity.start(), entity.end(), entity.type()), i);
            indexBySpan.putIfAbsent(List.of(entity.start(), entity.end()), i);
        }

        // 2. relations: owner = the window where the extent of both arguments is most central
        Map<List<Object>, PredictedRelation> relationsByKey = new LinkedHashMap<>();
        for (int w = 0; w < windows.size(); w++) {
            DocumentWindow window = windows.get(w);
            DocumentPrediction prediction = predictions.get(w);
            for (PredictedRelation relation : prediction.relations()) {
                PredictedEntity head = prediction.entities().get(relation.head()).shiftedBy(window.wordStart());
                PredictedEntity tail = prediction.entities().get(relation.tail()).shiftedBy(window.wordStart());
                int extentStart = Math.min(head.start(), tail.start());
                int extentEnd = Math.max(head.end(), tail.end());
                if (owner(windows, extentStart, extentEnd, documentEnd) != w) {
                    continue;
                }
                Integer headIndex = find(indexBySpanAndType, indexBySpan, head);
                Integer tailIndex = find(indexBySpanAndType, indexBySpan, tail);
                if (headIndex == null || tailIndex == null || headIndex.equals(tailIndex)) {
                    continue; // an argument span was not kept by its own owner window
                }
                PredictedRelation merged = new PredictedRelation(headIndex, tailIndex, relation.type(), relation.score());
                relationsByKey.merge(List.of(headIndex, tailIndex, relation.type()), merged,
                        (a, b) -> a.score() >= b.score() ? a : b);
            }
        }
        return new DocumentPrediction(entities, new ArrayList<>(relationsByKey.values()));
    }

    private static Integer find(Map<List<Object>, Integer> bySpanAndType, Map<List<Integer>, Integer> bySpan,
                                PredictedEntity entity) {
        Integer index = bySpanAndType.get(List.of(entity.start(), entity.end(), entity.type()));
        return index != null ? index : bySpan.get(List.of(entity.start(), entity.end()));
    }

    private static void checkInside(DocumentWindow window, int start, int end) {
        if (!window.contains(start, end)) {
            throw new IllegalArgumentException("window " + window.windowIndex() + " covers words ["
                    + window.wordStart() + ", " + window.wordEnd() + ") but predicts the span [" + start + ", " + end + ")");
        }
    }

    /**
     * The window in which the span {@code [start, end)} is most central: among the windows holding
     * it wholly, the one with the largest distance to its nearest cut edge (document edges are not
     * cuts and count as infinitely far). Ties go to the earlier window; -1 when no window holds it.
     */
    static int owner(List<DocumentWindow> windows, int start, int end, int documentEnd) {
        int best = -1;
        long bestMargin = Long.MIN_VALUE;
        for (int w = 0; w < windows.size(); w++) {
            DocumentWindow window = windows.get(w);
            if (!window.contains(start, end)) {
                continue;
            }
            long left = window.wordStart() == 0 ? Long.MAX_VALUE : start - window.wordStart();
            long right = window.wordEnd() == documentEnd ? Long.MAX_VALUE : window.wordEnd() - end;
            long margin = Math.min(left, right);
            if (margin > bestMargin) {
                bestMargin = margin;
                best = w;
            }
        }
        return best;
    }
}
