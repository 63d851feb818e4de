package dev.strix.kernels;

/**
 * Plain double-precision loops with the semantics of {@link Softmax}; the reference its tests use.
 *
 * <p>Legend: every array is (outer, dim, inner), contiguous; the softmax runs over the middle axis.
 */
public final class SoftmaxReference {
    private SoftmaxReference() {}

    /** y = softmax(x) over dim. */
    public static void softmax(float[] y, float[] x, int outer, int dim, int inner) {
        forward(false, y, x, outer, dim, inner);
    }

    /** y = log_softmax(x) over dim. */
    public static void logSoftmax(float[] y, float[] x, int outer, int dim, int inner) {
        forward(true, y, x, outer, dim, inner);
    }

    private static void forward(boolean log, float[] y, float[] x, int outer, int dim, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * dim * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                for (int d = 0; d < dim; d++) max = Math.max(max, x[base + d * inner]);
                if (max == Double.NEGATIVE_INFINITY) max = 0;
                double sum = 0;
                for (int d = 0; d < dim; d++) sum += Math.exp(x[base + d * inner] - max);
                double logSum = Math.log(sum);
                for (int d = 0; d < dim; d++) {
                    double v = x[base + d * inner] - max;
                    y[base + d * inner] = (float) (log ? v - logSum : Math.exp(v) / sum);
                }
            }
        }
    }

    /** dx = y * (dy - sum_d(dy * y)), y the softmax output. */
    public static void softmaxBackward(float[] dx, float[] dy, float[] y, int outer, int dim, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * dim * inner + i;
                double s = 0;
                for (int d = 0; d < dim; d++) s += (double) dy[base + d * inner] * y[base + d * inner];
                for (int d = 0; d < dim; d++) {
                    int k = base + d * inner;
                    dx[k] = (float) (y[k] * (dy[k] - s));
                }
            }
        }
    }

    /** dx = dy - exp(y) * sum_d(dy), y the log-softmax output. */
    public static void logSoftmaxBackward(float[] dx, float[] dy, float[] y, int outer, int dim, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * dim * inner + i;
                double s = 0;
                for (int d = 0; d < dim; d++) s += dy[base + d * inner];
                for (int d = 0; d < dim; d++) {
                    int k = base + d * inner;
                    dx[k] = (float) (dy[k] - Math.exp(y[k]) * s);
                }
            }
        }
    }
}
