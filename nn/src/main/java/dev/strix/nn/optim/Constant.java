package dev.strix.nn.optim;

/** The same factor at every step ({@code Constant(1)} keeps the base learning rate). */
public record Constant(double value) implements LrSchedule {
    public Constant {
        if (!(value >= 0) || Double.isInfinite(value))
            throw new IllegalArgumentException("factor must be finite and >= 0, got " + value);
    }

    /** Factor 1. */
    public Constant() {
        this(1.0);
    }

    @Override
    public double factor(int step) {
        return value;
    }
}
