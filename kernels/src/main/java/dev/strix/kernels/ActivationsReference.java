package dev.strix.kernels;

/**
 * Plain double-precision loops with the semantics of {@link Activations}; the reference its tests use.
 *
 * <p>Legend: y, x, dx, dy: (n); alpha is the LeakyReLU slope. Backward takes the forward input x (never null
 * here) and recomputes whatever else it needs from it in double.
 */
public final class ActivationsReference {
    private ActivationsReference() {}

    /** y = kind(x). */
    public static void forward(Activation kind, float alpha, float[] y, float[] x, int n) {
        for (int i = 0; i < n; i++) y[i] = (float) forward(kind, alpha, x[i]);
    }

    /** The activation in double. */
    public static double forward(Activation kind, double alpha, double v) {
        return switch (kind) {
            case RELU -> v > 0 ? v : 0;
            case LEAKY_RELU -> v > 0 ? v : alpha * v;
            case SILU -> v / (1 + Math.exp(-v));
            case SIGMOID -> 1 / (1 + Math.exp(-v));
            case TANH -> Math.tanh(v);
        };
    }

    /** dx = dy * kind'(x), derivative evaluated in double at x. */
    public static void backward(Activation kind, float alpha, float[] dx, float[] dy, float[] x, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[i], d;
            switch (kind) {
                case RELU -> d = v > 0 ? 1 : 0;
                case LEAKY_RELU -> d = v > 0 ? 1 : alpha;
                case SILU -> {
                    double s = 1 / (1 + Math.exp(-v));
                    d = s + v * s * (1 - s);
                }
                case SIGMOID -> {
                    double s = 1 / (1 + Math.exp(-v));
                    d = s * (1 - s);
                }
                case TANH -> {
                    double t = Math.tanh(v);
                    d = 1 - t * t;
                }
                default -> throw new AssertionError(kind);
            }
            dx[i] = (float) (dy[i] * d);
        }
    }
}
