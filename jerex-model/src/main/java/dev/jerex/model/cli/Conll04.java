package dev.jerex.model.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * Finds CoNLL04 for the quick start: {@code ../shared/data/conll04} (or {@code shared/data/conll04})
 * when present, else a copy under ~/.cache/jerex/data/conll04, else downloads it from the public
 * location SpERT's fetch script uses, failing with a clear message when offline.
 */
final class Conll04 {
    static final String REMOTE = "http://lavis.cs.hs-rm.de/storage/spert/public/datasets/conll04/";
    static final List<String> FILES = List.of("conll04_train.json", "conll04_dev.json", "conll04_types.json");

    private Conll04() {}

    static Path locate(java.io.PrintStream log) throws IOException {
        for (Path candidate : List.of(Path.of("../shared/data/conll04"), Path.of("shared/data/conll04"))) {
            if (FILES.stream().allMatch(f -> Files.isRegularFile(candidate.resolve(f)))) return candidate.toAbsolutePath().normalize();
        }
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "jerex", "data", "conll04");
        if (FILES.stream().allMatch(f -> Files.isRegularFile(cache.resolve(f)))) return cache;
        Files.createDirectories(cache);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15)).followRedirects(HttpClient.Redirect.NORMAL).build();
        for (String f : FILES) {
            if (Files.isRegularFile(cache.resolve(f))) continue;
            log.println("downloading " + REMOTE + f);
            try {
                HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(REMOTE + f)).timeout(Duration.ofMinutes(2)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode());
                Path tmp = Files.createTempFile(cache, f, ".part");
                try (InputStream in = r.body()) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(tmp, cache.resolve(f), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | InterruptedException e) {
                throw new IOException("CoNLL04 is not in ../shared/data/conll04 and could not be downloaded from " + REMOTE + f
                        + " (" + e.getMessage() + "). Are you offline? Put conll04_train.json, conll04_dev.json and"
                        + " conll04_types.json into " + cache + " or pass --train/--dev/--types.", e);
            }
        }
        return cache;
    }
}
