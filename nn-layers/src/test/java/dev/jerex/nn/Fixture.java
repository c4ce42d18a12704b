package dev.jerex.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jerex.nn.bert.NamedArray;
import dev.jerex.nn.bert.SafetensorsFile;
import dev.jerex.nn.bert.SafetensorsFormat;
import dev.jerex.tensor.Gradients;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A PyTorch reference fixture (written by tools/fixtures/make_fixtures.py): inputs, parameters,
 * outputs, upstream gradients and the resulting input and parameter gradients. Comparisons are
 * tensor by tensor, printing the max difference (the llm.c way).
 */
public final class Fixture {
    /** Float32 agreement with the float64 reference: |diff| <= TOL * max(1, max |reference|). */
    public static final double TOL = 2e-5;

    public final String name;
    private final SafetensorsFile file;
    private final Backend backend;

    private Fixture(String name, SafetensorsFile file, Backend backend) {
        this.name = name;
        this.file = file;
        this.backend = backend;
    }

    public static Fixture load(String name, Backend backend) {
        try {
            Path p = Path.of(Fixture.class.getResource("/fixtures/" + name + ".safetensors").toURI());
            return new Fixture(name, SafetensorsFormat.read(p), backend);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public Map<String, String> metadata() {
        return file.metadata();
    }

    public boolean has(String key) {
        return file.tensors().containsKey(key);
    }

    public Tensor tensor(String key) {
        try {
            NamedArray a = file.floatArray(key);
            return Tensor.of(backend, a.data(), a.shape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int[] ints(String key) {
        try {
            return file.intArray(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An input as a leaf that requires its gradient. */
    public Tensor input(String name) {
        return tensor("in." + name).requiresGrad(true);
    }

    /** Loads every {@code param.*} tensor into the module, strictly. */
    public void loadParameters(Module module) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String key : file.tensors().keySet()) {
            if (key.startsWith("param.")) state.put(key.substring("param.".length()), tensor(key));
        }
        module.loadState(state, true);
    }

    /** loss = sum over outputs of (out * up).sum(), the scalar the fixture's gradients are of. */
    public Tensor loss(Map<String, Tensor> outputs) {
        Tensor loss = null;
        for (var e : outputs.entrySet()) {
            Tensor term = e.getValue().mul(tensor("up." + e.getKey())).sum();
            loss = loss == null ? term : loss.add(term);
        }
        return loss;
    }

    /** Asserts closeness to the reference tensor {@code key}; prints and returns the max |diff|. */
    public double check(String key, Tensor actual) {
        float[] expected = tensor(key).toArray();
        float[] got = actual.toArray();
        assertThat(got).as("%s %s size", name, key).hasSameSizeAs(expected);
        double max = 0, scale = 1;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - got[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        System.out.printf("[fixture %s] %-45s max |diff| %.2e  (%s, scale %.2g)%n", name, key, max, backend.name(), scale);
        assertThat(max).as("%s %s max |diff| (scale %.3g)", name, key, scale).isLessThanOrEqualTo(TOL * scale);
        return max;
    }

    /** Checks outputs, then backpropagates the fixture's loss and checks every gradient. */
    public void checkAll(Map<String, Tensor> outputs, Map<String, Tensor> inputs, Module module) {
        outputs.forEach((k, v) -> check("out." + k, v));
        Gradients g = loss(outputs).backward();
        inputs.forEach((k, v) -> {
            if (has("grad.in." + k)) check("grad.in." + k, g.get(v));
        });
        if (module != null) {
            module.namedParameters().forEach((k, p) -> check("grad.param." + k, g.get(p)));
        }
    }
}
