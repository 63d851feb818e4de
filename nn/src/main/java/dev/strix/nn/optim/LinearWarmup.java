package dev.strix.nn.optim;

/**
 * Linear ramp from {@code startFactor} to 1 over {@code warmupSteps} steps, then 1: PyTorch's
 * {@code LinearLR(start_factor, end_factor=1, total_iters=warmupSteps)} in closed form,
 * {@code startFactor + (1 - startFactor) * min(step, warmupSteps) / warmupSteps}.
 */
public record LinearWarmup(double startFactor, int warmupSteps) implements LrSchedule {
    public LinearWarmup {
        if (!(startFactor >= 0) || Double.isInfinite(startFactor))
            throw new IllegalArgumentException("start factor must be finite and >= 0, got " + startFactor);
        if (warmupSteps < 0) throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
    }

    @Override
    public double factor(int step) {
        if (step >= warmupSteps) return 1.0;
        return startFactor + (1.0 - startFactor) * Math.max(step, 0) / warmupSteps;
    }
}
