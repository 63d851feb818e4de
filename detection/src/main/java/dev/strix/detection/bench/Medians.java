package dev.strix.detection.bench;

import java.util.Arrays;

/** Order statistics of timing samples. */
final class Medians {
    private Medians() {}

    /** The median of {@code values} (mean of the two middle ones for an even count); values is not modified. */
    static double median(double[] values) {
        if (values.length == 0) throw new IllegalArgumentException("median of no values");
        double[] s = values.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
    }

    static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    /** {@code x} rounded to {@code digits} decimals (for compact JSON). */
    static double round(double x, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(x * f) / f;
    }
}
