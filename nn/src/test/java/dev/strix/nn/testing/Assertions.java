package dev.strix.nn.testing;

import dev.strix.nn.Tensor;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Tolerance assertions for float data shared by the strix-nn tests.
 *
 * <p>An element passes when {@code |actual - expected| <= atol + rtol * |expected|}; NaN matches only NaN and an
 * infinity only the same infinity. A failure message names what was compared, lists the first few mismatching
 * indices with both values, and ends with the largest absolute difference, where it occurred and the tolerances:
 *
 * <pre>{@code
 * conv2d output: 3 of 1386 elements differ (atol 1.0E-5, rtol 1.0E-4)
 *   [17] expected 0.25, got 0.2503 (diff 3.0E-4)
 *   ...
 *   largest difference 3.0E-4 at [17]
 * }</pre>
 *
 * <p>Usage: {@code Assertions.assertClose("conv2d output", expected, actual, 1e-5, 1e-4);} with {@code float[]},
 * {@code double[]} or {@link Tensor} arguments (tensor overloads also compare shapes).
 */
public final class Assertions {
    /** How many mismatching elements a failure message lists before the summary. */
    public static final int SHOWN_MISMATCHES = 8;

    private Assertions() {}

    /** True when {@code actual} is within {@code atol + rtol*|expected|} of {@code expected} (NaN/inf as above). */
    public static boolean close(double expected, double actual, double atol, double rtol) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) return Double.isNaN(expected) && Double.isNaN(actual);
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) return expected == actual;
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }

    /**
     * Element-wise comparison of two float arrays of equal length.
     *
     * @param what     name shown in the failure message, e.g. {@code "conv2d_1x1_bias grad.weight"}
     * @param expected reference values (n)
     * @param actual   values under test (n)
     */
    public static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        double[] e = new double[expected.length], a = new double[actual.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        for (int i = 0; i < a.length; i++) a[i] = actual[i];
        assertClose(what, e, a, atol, rtol);
    }

    /** Element-wise comparison of two double arrays of equal length (see the class comment). */
    public static void assertClose(String what, double[] expected, double[] actual, double atol, double rtol) {
        if (expected.length != actual.length)
            fail(what + ": " + actual.length + " elements, expected " + expected.length);
        StringBuilder shown = new StringBuilder();
        int bad = 0, worst = -1;
        double worstDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            double d = Math.abs(a - e);
            if (!Double.isNaN(d) && !Double.isInfinite(d) && (worst < 0 || d > worstDiff)) {
                worstDiff = d;
                worst = i;
            }
            if (!close(e, a, atol, rtol)) {
                if (bad < SHOWN_MISMATCHES)
                    shown.append("\n  [").append(i).append("] expected ").append(e).append(", got ").append(a)
                            .append(" (diff ").append(d).append(')');
                bad++;
            }
        }
        if (bad > 0)
            fail(what + ": " + bad + " of " + expected.length + " elements differ (atol " + atol + ", rtol " + rtol
                    + ")" + shown + (bad > SHOWN_MISMATCHES ? "\n  ..." : "")
                    + "\n  largest difference " + worstDiff + (worst >= 0 ? " at [" + worst + "]" : ""));
    }

    /** Compares shapes exactly, then values with the tolerance. */
    public static void assertClose(String what, Tensor expected, Tensor actual, double atol, double rtol) {
        assertShape(what, expected.shape(), actual);
        assertClose(what, expected.toArray(), actual.toArray(), atol, rtol);
    }

    /** Compares one scalar. */
    public static void assertClose(String what, double expected, double actual, double atol, double rtol) {
        assertClose(what, new double[] {expected}, new double[] {actual}, atol, rtol);
    }

    /** Fails unless {@code actual} has exactly {@code expectedShape}. */
    public static void assertShape(String what, int[] expectedShape, Tensor actual) {
        if (!Arrays.equals(expectedShape, actual.shape()))
            fail(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expectedShape));
    }

    /** Largest absolute element-wise difference (for reporting). */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("lengths " + a.length + " and " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }
}
