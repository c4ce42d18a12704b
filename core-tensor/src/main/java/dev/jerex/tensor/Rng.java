package dev.jerex.tensor;

import java.util.SplittableRandom;

/**
 * A seeded random source for tensors (initialisation, dropout, sampling). The same seed gives
 * the same numbers on every backend and every run: values are drawn on the host in row-major
 * order and then uploaded. Not thread-safe: use {@link #split()} to hand a stream to a thread.
 */
public final class Rng {
    private final SplittableRandom random;

    public Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private Rng(SplittableRandom random) {
        this.random = random;
    }

    /** An independent generator derived from this one (deterministic). */
    public Rng split() {
        return new Rng(random.split());
    }

    public float uniform(float low, float high) {
        return low + (high - low) * (float) random.nextDouble();
    }

    /** Standard normal by the Box-Muller transform (kept explicit so every JVM agrees). */
    public float normal() {
        double u1 = 1.0 - random.nextDouble(); // (0, 1]
        double u2 = random.nextDouble();
        return (float) (Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }

    public boolean bernoulli(double p) {
        return random.nextDouble() < p;
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public long nextLong() {
        return random.nextLong();
    }

    public float[] uniform(int n, float low, float high) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = uniform(low, high);
        return out;
    }

    public float[] normal(int n, float mean, float std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = mean + std * normal();
        return out;
    }

    /** Fisher-Yates shuffle of an index permutation 0..n-1. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
