package dev.strix.kernels;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/** Random inputs, tolerance checks and finite differences shared by the pointwise/normalisation kernel tests. */
final class KernelTestSupport {
    /** Awkward lengths: below, at and past vector widths and unroll factors, plus multi-chunk sizes. */
    static final int[] SIZES = {1, 7, 13, 31, 65, 1000, 4099};

    private KernelTestSupport() {}

    static float[] random(SplittableRandom rnd, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** Asserts |actual[i] - expected[i]| <= atol + rtol * |expected[i]| for i in [0, n). */
    static void assertClose(String what, float[] actual, float[] expected, int n, double atol, double rtol) {
        assertClose(what, actual, toDouble(expected), n, atol, rtol);
    }

    /** Asserts |actual[i] - expected[i]| <= atol + rtol * |expected[i]| for i in [0, n), NaN matching NaN. */
    static void assertClose(String what, float[] actual, double[] expected, int n, double atol, double rtol) {
        int worst = -1, firstBad = -1;
        double worstDiff = 0;
        for (int i = 0; i < n; i++) {
            double a = actual[i], e = expected[i];
            if (Double.isNaN(a) && Double.isNaN(e)) continue;
            double diff = Math.abs(a - e);
            if (Double.isNaN(diff) || (diff != 0 && Double.isInfinite(diff))) diff = Double.POSITIVE_INFINITY;
            if (worst < 0 || diff > worstDiff) {
                worstDiff = diff;
                worst = i;
            }
            if (firstBad < 0 && !(diff <= atol + rtol * Math.abs(e)) && !(a == e)) firstBad = i;
        }
        if (firstBad >= 0)
            fail(what + ": index " + firstBad + " got " + actual[firstBad] + " expected " + expected[firstBad]
                    + " (largest difference " + worstDiff + " at index " + worst + ", n = " + n + ", atol " + atol
                    + ", rtol " + rtol + ")");
    }

    static void assertClose(String what, double actual, double expected, double atol, double rtol) {
        if (!(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected)))
            fail(what + ": got " + actual + " expected " + expected + " (difference " + Math.abs(actual - expected) + ")");
    }

    /** A scalar function of a double vector (the loss sum(y * g) of a double forward). */
    @FunctionalInterface
    interface Loss {
        double at(double[] x);
    }

    /**
     * Central finite differences of {@code loss} at x, step h (relative to max(1, |x_i|)), for every index.
     * x is restored afterwards.
     */
    static double[] numericGradient(Loss loss, double[] x, double h) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i], step = h * Math.max(1, Math.abs(keep));
            x[i] = keep + step;
            double up = loss.at(x);
            x[i] = keep - step;
            double down = loss.at(x);
            x[i] = keep;
            g[i] = (up - down) / (2 * step);
        }
        return g;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
