package dev.jerex.nn.optim;

/**
 * Linear warm-up then linear decay to 0, as transformers' get_linear_schedule_with_warmup:
 * lr(k) = base * k / warmup for k < warmup, else base * max(0, (total - k) / (total - warmup)),
 * where k = 0, 1, ... counts optimiser steps taken so far.
 */
public record LinearWarmupSchedule(double baseLr, int warmupSteps, int totalSteps) {

    public LinearWarmupSchedule {
        if (warmupSteps < 0 || totalSteps < 0) throw new IllegalArgumentException("negative step counts");
    }

    /** From a warm-up proportion of the total (SpERT: 0.1). */
    public static LinearWarmupSchedule ofProportion(double baseLr, double warmupProportion, int totalSteps) {
        return new LinearWarmupSchedule(baseLr, (int) (warmupProportion * totalSteps), totalSteps);
    }

    public double lr(int step) {
        if (step < warmupSteps) return baseLr * step / Math.max(1, warmupSteps);
        return baseLr * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }
}
