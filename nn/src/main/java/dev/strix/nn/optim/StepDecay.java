package dev.strix.nn.optim;

/** {@code gamma^(step / stepSize)} (integer division): PyTorch's {@code StepLR(step_size, gamma)}. */
public record StepDecay(int stepSize, double gamma) implements LrSchedule {
    public StepDecay {
        if (stepSize <= 0) throw new IllegalArgumentException("step size must be > 0, got " + stepSize);
        if (!(gamma >= 0) || Double.isInfinite(gamma))
            throw new IllegalArgumentException("gamma must be finite and >= 0, got " + gamma);
    }

    @Override
    public double factor(int step) {
        return Math.pow(gamma, Math.max(step, 0) / stepSize);
    }
}
