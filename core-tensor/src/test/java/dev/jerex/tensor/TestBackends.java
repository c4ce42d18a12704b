package dev.jerex.tensor;

import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The backends a backend-parameterised test runs on: every one that is available here, or the
 * list in the system property {@code jerex.test.backends} (e.g. {@code java,cuda}). Unavailable
 * ones are left out (the test is then not run for them), never failed.
 */
public final class TestBackends {
    private static List<Backend> cached;

    private TestBackends() {}

    public static synchronized List<Backend> available() {
        if (cached == null) {
            String wanted = System.getProperty("jerex.test.backends", "java,openblas,cuda");
            List<Backend> list = new ArrayList<>();
            for (String name : wanted.split(",")) {
                name = name.trim();
                if (name.isEmpty()) continue;
                try {
                    if (name.equals("openblas") && !Backends.openBlasAvailable()) continue;
                    list.add(Backends.create(name, 1));
                } catch (IllegalArgumentException e) {
                    System.out.println("[TestBackends] skipping backend " + name + ": " + e.getMessage());
                }
            }
            cached = List.copyOf(list);
        }
        return cached;
    }

    /** For {@code @MethodSource}. */
    public static Stream<Backend> all() {
        return available().stream();
    }

    public static Backend java() {
        return available().stream().filter(b -> b.name().equals("java")).findFirst().orElse(Backends.java());
    }
}
