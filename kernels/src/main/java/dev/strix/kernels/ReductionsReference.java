package dev.strix.kernels;

/**
 * Plain double-accumulating loops with the semantics of {@link Reductions}; the reference its tests use.
 *
 * <p>Legend: x, a, b: (n) from {@code off}; sumAxes: x has {@code shape}, out has shape with reduced dims = 1.
 */
public final class ReductionsReference {
    private ReductionsReference() {}

    /** Sum of x[off .. off+n) in double. */
    public static double sum(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[off + i];
        return s;
    }

    /** Sum of a[i] * b[i] in double. */
    public static double dot(float[] a, float[] b, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) a[i] * b[i];
        return s;
    }

    /** Sum of x[i]^2 in double. */
    public static double sumSquares(float[] x, int n) {
        return dot(x, x, n);
    }

    /** Keep-dim sum over the flagged dimensions, by scattering every input element into its output slot. */
    public static void sumAxes(float[] out, float[] x, int[] shape, boolean[] reduce) {
        int rank = shape.length;
        int[] outStrides = new int[rank];
        long total = 1;
        int s = 1;
        for (int i = rank - 1; i >= 0; i--) {
            outStrides[i] = s;
            s *= reduce[i] ? 1 : shape[i];
        }
        for (int d : shape) total *= d;
        double[] acc = new double[s];
        for (int flat = 0; flat < total; flat++) {
            int rem = flat, o = 0;
            for (int i = rank - 1; i >= 0; i--) {
                int idx = rem % shape[i];
                rem /= shape[i];
                if (!reduce[i]) o += idx * outStrides[i];
            }
            acc[o] += x[flat];
        }
        for (int i = 0; i < s; i++) out[i] = (float) acc[i];
    }
}
