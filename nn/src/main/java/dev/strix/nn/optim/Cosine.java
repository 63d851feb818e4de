package dev.strix.nn.optim;

/**
 * Cosine annealing from 1 to {@code minFactor} over {@code totalSteps} steps: PyTorch's
 * {@code CosineAnnealingLR(T_max=totalSteps, eta_min=minFactor*base_lr)} in closed form,
 * {@code minFactor + (1 - minFactor) * (1 + cos(pi * step / totalSteps)) / 2}. From {@code totalSteps} on the
 * factor stays at {@code minFactor} (PyTorch would start rising again).
 */
public record Cosine(int totalSteps, double minFactor) implements LrSchedule {
    public Cosine {
        if (totalSteps <= 0) throw new IllegalArgumentException("total steps must be > 0, got " + totalSteps);
        if (!(minFactor >= 0) || Double.isInfinite(minFactor))
            throw new IllegalArgumentException("min factor must be finite and >= 0, got " + minFactor);
    }

    @Override
    public double factor(int step) {
        if (step >= totalSteps) return minFactor;
        return minFactor + (1.0 - minFactor) * (1.0 + Math.cos(Math.PI * Math.max(step, 0) / totalSteps)) / 2.0;
    }
}
