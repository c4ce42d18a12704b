package dev.jerex.model.data;

import java.io.IOException;
import java.util.List;

/**
 * A data file could not be read: malformed JSON, a wrong or missing field, an impossible span, an
 * unknown type, ... Every problem names the file, the document (index and {@code orig_id}) and the
 * field, e.g. {@code conll04_train.json: document 17 (orig_id 5123): entities[2].end = 3 <= start 3}.
 *
 * <p>When the reader collects several problems ({@link ReaderOptions#maxErrors()} &gt; 1) they are
 * all listed in the message and available from {@link #problems()}.
 */
public class DatasetException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * One problem found in a data file.
     *
     * @param file          file name (no directories), e.g. {@code conll04_train.json}
     * @param documentIndex 0-based position of the document in the file, or -1 when the problem is
     *                      not inside a document (malformed JSON, top level, types file)
     * @param origId        the document's {@code orig_id} when known, else {@code null}
     * @param field         path of the field, e.g. {@code entities[2].end}; empty when none applies
     * @param detail        what is wrong, e.g. {@code = 3 <= start 3}
     */
    public record Problem(String file, int documentIndex, String origId, String field, String detail) {

        /** The one-line message: {@code file: document i (orig_id x): field detail}. */
        public String message() {
            StringBuilder text = new StringBuilder(file).append(": ");
            if (documentIndex >= 0) {
                text.append("document ").append(documentIndex);
                if (origId != null) {
                    text.append(" (orig_id ").append(origId).append(')');
                }
                text.append(": ");
            }
            if (!field.isEmpty()) {
                text.append(field);
                if (!detail.startsWith("=")) {
                    text.append(':');
                }
                text.append(' ');
            }
            return text.append(detail).toString();
        }

        @Override
        public String toString() {
            return message();
        }
    }

    private final transient List<Problem> problems;
    private final boolean truncated;

    /** A single problem. */
    public DatasetException(Problem problem) {
        this(List.of(problem), false, null);
    }

    /** A single problem caused by a lower-level exception (e.g. Jackson's parse error). */
    public DatasetException(Problem problem, Throwable cause) {
        this(List.of(problem), false, cause);
    }

    /**
     * Several problems.
     *
     * @param truncated true when the reader stopped collecting at its limit, so more may exist
     */
    public DatasetException(List<Problem> problems, boolean truncated, Throwable cause) {
        super(buildMessage(problems, truncated), cause);
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a DatasetException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
        this.truncated = truncated;
    }

    /** All problems found, in file order (at least one). */
    public List<Problem> problems() {
        return problems;
    }

    /** True when reading stopped at the error limit, so the file may hold further problems. */
    public boolean truncated() {
        return truncated;
    }

    private static String buildMessage(List<Problem> problems, boolean truncated) {
        if (problems.isEmpty()) {
            return "no problems";
        }
        if (problems.size() == 1 && !truncated) {
            return problems.get(0).message();
        }
        StringBuilder text = new StringBuilder()
                .append(problems.get(0).file()).append(": ")
                .append(problems.size()).append(problems.size() == 1 ? " error" : " errors")
                .append(truncated ? " (stopped at the error limit; there may be more)" : "")
                .append(':');
        for (Problem problem : problems) {
            text.append(System.lineSeparator()).append("  ").append(problem.message());
        }
        return text.toString();
    }
}
