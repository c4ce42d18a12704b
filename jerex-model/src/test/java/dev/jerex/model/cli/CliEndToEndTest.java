package dev.jerex.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jerex.model.TinyWorld;
import dev.jerex.model.api.Extraction;
import dev.jerex.model.api.Extractor;
import dev.jerex.tensor.backend.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a user runs it (train, eval, predict) on the tiny world, and the embeddable API
 * from 8 threads at once.
 */
class CliEndToEndTest {
    @TempDir
    static Path tmp;
    static Path data, model;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void train() throws Exception {
        TinyWorld world = new TinyWorld(20, 7);
        data = world.writeData(tmp.resolve("data"));
        Path encoder = world.writeEncoder(tmp.resolve("encoder"), 11);
        int rc = Main.execute("train", "--train", data.resolve("train.json").toString(), "--dev", data.resolve("train.json").toString(),
                "--types", data.resolve("types.json").toString(), "--encoder", encoder.toString(), "--variant", "spert",
                "--epochs", "40", "--lr", "1e-3", "--backend", "java", "--quiet", "--eval-last-only", "--out", tmp.resolve("run").toString());
        assertThat(rc).isZero();
        model = tmp.resolve("run/final");
    }

    @Test
    void evalWritesSpertScoresAsJson() throws Exception {
        Path json = tmp.resolve("scores.json");
        assertThat(Main.execute("eval", "--model", model.toString(), "--data", data.resolve("train.json").toString(),
                "--json", json.toString(), "--backend", "java")).isZero();
        JsonNode scores = JSON.readTree(json.toFile());
        for (String task : new String[] {"ner", "rel", "rel_nec"}) {
            for (String avg : new String[] {"micro", "macro"}) {
                for (String m : new String[] {"precision", "recall", "f1"}) assertThat(scores.path(task).path(avg).has(m)).isTrue();
            }
            assertThat(scores.path(task).has("per_type")).isTrue();
        }
        assertThat(scores.path("rel_nec").path("micro").path("f1").asDouble()).isGreaterThan(90.0);
    }

    @Test
    void predictSkipsABadJsonLinesLineAndProcessesEveryOther() throws Exception {
        Path in = tmp.resolve("in.jsonl"), out = tmp.resolve("out.jsonl");
        Files.writeString(in, "\"Alice Smith works for Acme Corp .\"\n{not json\n[\"Bob\", \"lives\", \"in\", \"Paris\", \".\"]\n"
                + "{\"tokens\": [\"Globex\", \"is\", \"based\", \"in\", \"Tokyo\", \".\"]}\n{\"tokens\": [1, 2]}\n", StandardCharsets.UTF_8);
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.execute("predict", "--model", model.toString(), "--input", in.toString(), "--out", out.toString(), "--backend", "java");
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(rc).isEqualTo(3);   // some lines were skipped
        assertThat(log).contains("in.jsonl: line 2").contains("in.jsonl: line 5").contains("3 lines processed, 2 skipped");
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(3);
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.path("text").asText()).isEqualTo("Alice Smith works for Acme Corp .");
        boolean found = false;
        for (JsonNode e : first.path("entities")) {
            int cs = e.path("char_start").asInt(), ce = e.path("char_end").asInt();
            assertThat(first.path("text").asText().substring(cs, ce)).isEqualTo(e.path("text").asText());
            found |= e.path("text").asText().equals("Alice Smith") && e.path("type").asText().equals("Peop");
        }
        assertThat(found).as("Alice Smith found as a person in %s", first).isTrue();
        // --fail-fast stops at the first bad line with a message naming it
        assertThat(Main.execute("predict", "--model", model.toString(), "--input", in.toString(), "--out", out.toString(),
                "--backend", "java", "--fail-fast")).isEqualTo(1);
    }

    @Test
    void oneExtractorFromEightThreadsGivesTheSequentialResults() throws Exception {
        List<String> texts = new ArrayList<>();
        for (String p : TinyWorld.PEOPLE) for (String o : TinyWorld.ORGS) texts.add(p + " works for " + o + " .");
        try (Extractor x = Extractor.load(model, Backends.create("openblas", 1), null)) {
            List<Extraction> sequential = new ArrayList<>();
            for (String t : texts) sequential.add(x.extract(t));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Extraction>> futures = new ArrayList<>();
                for (int round = 0; round < 3; round++) for (String t : texts) futures.add(pool.submit(() -> x.extract(t)));
                for (int i = 0; i < futures.size(); i++) assertThat(futures.get(i).get()).isEqualTo(sequential.get(i % texts.size()));
            } finally {
                pool.shutdown();
            }
            assertThat(x.extract("").entities()).isEmpty();
            assertThat(x.extract("   ").entities()).isEmpty();
            assertThat(x.extract(" , . ; ").tokens()).containsExactly(",", ".", ";");
        }
    }
}
