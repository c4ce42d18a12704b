package dev.jerex.nn;

import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.backend.Backend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A neural-network building block with the conventions PyTorch users know: parameters are
 * created with their shapes in the constructor and registered under a name, initialised in
 * {@link #resetParameters(Rng)}; sub-modules are registered as children, so that
 * {@link #namedParameters()} yields dotted names ({@code encoder.layer.0.attention.self.query.weight})
 * that match Hugging Face's, and {@link #loadState} loads a checkpoint by those names, strictly.
 *
 * <p>Parameters are leaf tensors with {@code requiresGrad}; optimisers update them in place
 * ({@link Tensor#assign}), so a parameter keeps its identity for the whole life of the module.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    protected final Backend backend;

    protected Module(Backend backend) {
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }

    /** Registers and returns a parameter (zeros of the given shape until resetParameters). */
    protected Tensor parameter(String name, int... shape) {
        if (parameters.containsKey(name) || children.containsKey(name)) throw new IllegalStateException("duplicate name " + name);
        Tensor p = Tensor.zeros(backend, shape).requiresGrad(true);
        parameters.put(name, p);
        return p;
    }

    /** Registers and returns a child module. */
    protected <M extends Module> M child(String name, M module) {
        if (parameters.containsKey(name) || children.containsKey(name)) throw new IllegalStateException("duplicate name " + name);
        children.put(name, module);
        return module;
    }

    /** Initialises this module's own parameters (children initialise theirs). */
    protected void reset(Rng rng) {}

    /** Initialises every parameter of this module and its children, deterministically from rng. */
    public final void resetParameters(Rng rng) {
        reset(rng);
        for (Module c : children.values()) c.resetParameters(rng);
    }

    /** All parameters with their dotted names, in registration order (own first, then children). */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out));
    }

    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    public final long parameterCount() {
        long n = 0;
        for (Tensor p : namedParameters().values()) n += p.numel();
        return n;
    }

    public final Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** The result of loading a state: names that were missing, unexpected, or of the wrong shape. */
    public record LoadReport(List<String> missing, List<String> unexpected, List<String> mismatched) {
        public boolean clean() {
            return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
        }

        @Override
        public String toString() {
            return "missing " + missing + ", unexpected " + unexpected + ", shape mismatches " + mismatched;
        }
    }

    /**
     * Copies tensors into the parameters of the same name. Strict loading fails, listing every
     * missing, unexpected and mis-shaped name at once; non-strict loading loads what matches and
     * returns the report.
     */
    public final LoadReport loadState(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = namedParameters();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) missing.add(e.getKey());
            else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + ": checkpoint " + Arrays.toString(src.shape()) + " vs model " + Arrays.toString(e.getValue().shape()));
            }
        }
        for (String name : state.keySet()) if (!own.containsKey(name)) unexpected.add(name);
        LoadReport report = new LoadReport(missing, unexpected, mismatched);
        if (strict && !report.clean()) throw new IllegalArgumentException("loadState (strict): " + report);
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src != null && Arrays.equals(src.shape(), e.getValue().shape())) e.getValue().assign(src);
        }
        return report;
    }

    /** The module's own settings for {@link #toString()}, as PyTorch's extra_repr. */
    protected String extraRepr() {
        return "";
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(extraRepr());
        if (!children.isEmpty()) {
            sb.append('\n');
            children.forEach((n, c) -> sb.append("  (").append(n).append("): ").append(c.toString().replace("\n", "\n  ")).append('\n'));
        }
        return sb.append(')').toString();
    }
}
