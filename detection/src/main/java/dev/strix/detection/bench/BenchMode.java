package dev.strix.detection.bench;

import java.util.Locale;

/** What one timed step of {@code strix bench model} does. */
public enum BenchMode {
    /** Forward, target assignment, the three task losses, backward, SGD update, zero grads. */
    TRAIN,
    /** Eval-mode forward under no-grad (no decoding or NMS). */
    INFER;

    /** {@code train} or {@code infer}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode for {@code train} or {@code infer} (case-insensitive). */
    public static BenchMode parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "train" -> TRAIN;
            case "infer" -> INFER;
            default -> throw new IllegalArgumentException("mode must be train or infer, got '" + s + "'");
        };
    }

    /**
     * Floating-point work of one step relative to the forward pass: 1 for inference, 3 for training (the
     * backward pass of a convolution costs two forwards: one GEMM for the data gradient, one for the filter
     * gradient; the usual convention, also PyTorch's and MLPerf's).
     */
    public int flopsFactor() {
        return this == TRAIN ? 3 : 1;
    }
}
