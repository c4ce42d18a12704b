package dev.jerex.bench;

import dev.jerex.tensor.GradMode;
import dev.jerex.tensor.Rng;
import dev.jerex.tensor.Tensor;
import dev.jerex.tensor.TensorScope;
import dev.jerex.tensor.backend.Backend;
import dev.jerex.tensor.backend.Backends;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where a layer's time goes, by backend kernel: wraps the OpenBLAS backend in a proxy that times
 * every call (gemm split by shape and flags), runs the {@link LayerBenchmark} layer, and prints
 * milliseconds per call of the layer for each kernel, plus what is left for the Java code above
 * the backend (graph bookkeeping, allocation, autograd).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.jerex.bench.KernelProfile bilstm fb [calls]
 * </pre>
 * layer: a {@link LayerBenchmark} layer (bilstm, bigru, mha, bert_layer) or a {@link KernelBenchmark}
 * case (sea, relation_head, span_pool, ...).
 * mode: f (forward, recording), fb (forward + backward), nograd.
 */
public final class KernelProfile {
    private static final Map<String, long[]> TIMES = new TreeMap<>();   // key -> {nanos, calls}

    public static void main(String[] args) {
        String layer = args[0], mode = args.length > 1 ? args[1] : "fb";
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Backend real = Backends.create("openblas", 1);
        Backend timed = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, a) -> {
                    long t0 = System.nanoTime();
                    try {
                        return method.invoke(real, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        long dt = System.nanoTime() - t0;
                        String key = method.getName();
                        if (key.equals("binary") || key.equals("unary") || key.equals("fill") || key.equals("copy")) {
                            int n = key.equals("binary") || key.equals("copy") ? Arrays.stream((int[]) a[key.equals("binary") ? 2 : 0]).reduce(1, (p, q) -> p * q)
                                    : (int) a[key.equals("fill") ? 2 : 6];
                            String what = key.equals("binary") || key.equals("unary") ? " " + a[0] : "";
                            key = String.format("%s%s n=%s", key, what, n >= 100_000 ? ">=100K" : n >= 10_000 ? "10K-100K" : "<10K");
                        }
                        if (key.startsWith("gemm")) {
                            key = String.format("%s %s%s m=%d n=%d k=%d%s", key, (boolean) a[0] ? "T" : "N", (boolean) a[1] ? "T" : "N",
                                    a[2], a[3], a[4], key.equals("gemmBatched") ? " x" + a[a.length - 1] : "");
                        }
                        long[] t = TIMES.computeIfAbsent(key, k -> new long[2]);
                        t[0] += dt;
                        t[1]++;
                    }
                });
        Supplier<Tensor> f;
        if (KernelBenchmark.hasCase(layer)) {
            // a KernelBenchmark case (softmax, sea, relation_head, ...): its own inputs and parameters
            KernelBenchmark.Case c = KernelBenchmark.build(layer, timed);
            f = c.forward();
        } else {
            Function<Tensor, Tensor> layerFn = LayerBenchmark.build(layer, timed);
            int d = LayerBenchmark.inputDim(layer);
            Tensor x = Tensor.of(timed, new Rng(7).normal(LayerBenchmark.B * LayerBenchmark.T * d, 0f, 1f),
                    LayerBenchmark.B, LayerBenchmark.T, d).requiresGrad(!mode.equals("nograd"));
            f = () -> layerFn.apply(x);
        }
        int[] outShape;
        try (TensorScope scope = TensorScope.open(); GradMode off = GradMode.noGrad()) {
            outShape = f.get().shape();
        }
        Tensor up = Tensor.of(timed, new Rng(9).normal(Arrays.stream(outShape).reduce(1, (p, q) -> p * q), 0f, 1f), outShape);
        long[] total = new long[calls];
        for (int warm = 0; warm < 2; warm++) {
            TIMES.clear();
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                try (TensorScope scope = TensorScope.open()) {
                    Tensor out = mode.equals("nograd") ? noGrad(f) : f.get();
                    if (mode.equals("fb")) out.mul(up).sum().backward();
                }
                total[i] = System.nanoTime() - t0;
            }
        }
        long[] sorted = total.clone();
        Arrays.sort(sorted);
        double all = Arrays.stream(total).sum() / 1e6 / calls;
        System.out.printf("%s %s: %.1f ms per call (mean of %d; median %.1f)%n", layer, mode, all, calls, sorted[calls / 2] / 1e6);
        double kernels = 0;
        for (var e : TIMES.entrySet()) {
            double ms = e.getValue()[0] / 1e6 / calls;
            kernels += ms;
            if (ms >= 0.2) System.out.printf("  %8.2f ms %5.1f%%  %6d calls  %s%n", ms, 100 * ms / all, e.getValue()[1] / calls, e.getKey());
        }
        System.out.printf("  %8.2f ms %5.1f%%  above the backend (graph, autograd, allocation, proxy)%n", all - kernels, 100 * (all - kernels) / all);
    }

    private static Tensor noGrad(Supplier<Tensor> f) {
        try (GradMode off = GradMode.noGrad()) {
            return f.get();
        }
    }
}
