package dev.jerex.model.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Shared fixtures for data and evaluation tests. */
public final class TestData {

    private TestData() {
    }

    /** The types of {@code src/test/resources/data/tiny_types.json}, built by hand. */
    public static Types tinyTypes() {
        return Types.builder()
                .entity("Peop", "Peop", "People")
                .entity("Org", "Org", "Organization")
                .entity("Loc", "Loc", "Location")
                .relation("Work_For", "Work", "Work for", false)
                .relation("Live_In", "Live", "Live in", false)
                .relation("Near", "Near", "Near", true)
                .build();
    }

    /** A test resource as a path. */
    public static Path resource(String name) {
        try {
            return Path.of(TestData.class.getResource("/data/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    /**
     * The shared evaluation data ({@code /work/shared/data} beside the repository), found from the
     * working directory upwards ({@code ../shared/data} from the repository root), or from the
     * system property {@code jerex.data.dir}; empty when absent (tests then skip).
     */
    public static Optional<Path> sharedDataDirectory() {
        String property = System.getProperty("jerex.data.dir");
        if (property != null && Files.isDirectory(Path.of(property))) {
            return Optional.of(Path.of(property));
        }
        Path directory = Path.of("").toAbsolutePath();
        for (int depth = 0; directory != null && depth < 4; depth++, directory = directory.getParent()) {
            Path candidate = directory.resolve("shared").resolve("data");
            if (Files.isDirectory(candidate.resolve("conll04"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Writes a string as a UTF-8 file. */
    public static Path write(Path directory, String name, String content) {
        try {
            return Files.writeString(directory.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A stand-in for a WordPiece tokenizer: a word is cut into pieces of at most three characters
     * ("Pusterla" -> "Pus", "ter", "la"); a blank word yields no piece. Ids are 1000 + a hash.
     */
    public static final class ChunkEncoder implements WordPieceEncoder {
        public static final int CLS = 101;
        public static final int SEP = 102;
        public static final int UNK = 100;
        private final int chunk;

        public ChunkEncoder() {
            this(3);
        }

        public ChunkEncoder(int chunk) {
            this.chunk = chunk;
        }

        @Override
        public int[] pieceIds(String word) {
            if (word.isBlank()) {
                return new int[0];
            }
            int count = (word.length() + chunk - 1) / chunk;
            int[] ids = new int[count];
            for (int i = 0; i < count; i++) {
                String piece = word.substring(i * chunk, Math.min(word.length(), (i + 1) * chunk));
                ids[i] = 1000 + Math.floorMod(piece.hashCode(), 30000);
            }
            return ids;
        }

        @Override
        public int clsId() {
            return CLS;
        }

        @Override
        public int sepId() {
            return SEP;
        }

        @Override
        public int unkId() {
            return UNK;
        }
    }
}
