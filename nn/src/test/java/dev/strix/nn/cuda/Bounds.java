package dev.strix.nn.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Inputs and per-element error bounds shared by the device op tests. */
final class Bounds {
    private Bounds() {}

    /** Uniform values in [lo, hi). */
    static float[] uniform(long seed, int n, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return v;
    }

    static float[] abs(float[] v) {
        float[] a = new float[v.length];
        for (int i = 0; i < v.length; i++) a[i] = Math.abs(v[i]);
        return a;
    }

    /**
     * Relative error of a sum of products against the sum of the products' magnitudes, per precision.
     * Strict FP32: 1e-5 (about 170 float ulps of the magnitude sum: plain dot products need far less, but the
     * Winograd and FFT algorithms cuDNN may choose in FMA mode lose a few bits in their transforms). TF32: each
     * input keeps 10 explicit mantissa bits (relative rounding error <= 2^-11 = 4.9e-4, <= 9.8e-4 per product);
     * 2e-3 leaves a factor of two for the accumulation and the algorithm's own rounding.
     */
    static double productRelativeError(boolean tf32) {
        return tf32 ? 2e-3 : 1e-5;
    }

    /**
     * Fails unless {@code |actual[i] - expected[i]| <= atol + rel * magnitude[i]} everywhere; the message lists
     * the first mismatches with both values and ends with the largest difference and where it is.
     */
    static void assertWithin(String what, float[] expected, float[] actual, float[] magnitude, double rel,
                             double atol) {
        if (expected.length != actual.length)
            fail(what + ": lengths differ, expected " + expected.length + ", got " + actual.length);
        StringBuilder msg = new StringBuilder();
        int bad = 0, worst = -1;
        double worstDiff = -1;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) actual[i] - expected[i]);
            boolean ok = diff <= atol + rel * magnitude[i] && !Float.isNaN(actual[i]);
            if (Double.isNaN(diff) || diff > worstDiff) {
                worstDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff;
                worst = i;
            }
            if (!ok && bad++ < 8)
                msg.append("\n  [").append(i).append("] expected ").append(expected[i]).append(", got ").append(actual[i])
                        .append(" (diff ").append(diff).append(", allowed ").append(atol + rel * magnitude[i]).append(')');
        }
        if (bad > 0)
            fail(what + ": " + bad + " of " + expected.length + " elements out of bounds (rel " + rel + " of the "
                    + "magnitude sum, atol " + atol + ")" + msg + "\n  largest difference " + worstDiff + " at ["
                    + worst + "]");
    }
}
