package dev.strix.benchmarks;

/**
 * The check every benchmark runs before it times anything: a variant's output against its reference, element
 * for element, with {@code |got - want| <= atol + rtol * |want|}. A mismatch throws
 * {@link IllegalStateException} naming the kernel, the first differing entry and the largest difference.
 */
final class Agreement {
    private Agreement() {}

    /** Checks got against want (same length) and throws on the first entry outside the tolerance. */
    static void check(String what, float[] got, float[] want, double atol, double rtol) {
        if (got.length != want.length)
            throw new IllegalStateException(what + ": " + got.length + " values, expected " + want.length);
        int first = -1, worst = -1;
        double worstDiff = -1;
        for (int i = 0; i < want.length; i++) {
            double diff = Math.abs((double) got[i] - want[i]);
            boolean ok = diff <= atol + rtol * Math.abs(want[i]);
            if (!ok && first < 0) first = i;
            if (!ok && diff > worstDiff || Double.isNaN(diff) && worst < 0) {
                worstDiff = diff;
                worst = i;
            }
        }
        if (first >= 0)
            throw new IllegalStateException(what + ": [" + first + "] = " + got[first] + ", expected " + want[first]
                    + "; largest difference " + worstDiff + " at [" + worst + "] (" + got[worst] + " vs " + want[worst]
                    + "), tolerance " + atol + " + " + rtol + " * |expected|");
    }

    /** Checks one scalar result. */
    static void check(String what, double got, double want, double atol, double rtol) {
        if (!(Math.abs(got - want) <= atol + rtol * Math.abs(want)))
            throw new IllegalStateException(what + ": " + got + ", expected " + want + ", tolerance " + atol + " + "
                    + rtol + " * |expected|");
    }

    /** The largest |value|, for tolerances stated relative to a tensor's scale. */
    static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) m = Math.max(m, Math.abs(f));
        return m;
    }

    /** n values uniform in [-scale, scale), reproducible from the seed. */
    static float[] uniform(int n, double scale, long seed) {
        float[] x = GemmBench.random(n, seed);
        if (scale != 1) for (int i = 0; i < n; i++) x[i] = (float) (x[i] * scale);
        return x;
    }

    /** Element count of a {@code AxBxCxD} size name. */
    static int numel(String dims) {
        int n = 1;
        for (String d : dims.split("x")) n = Math.multiplyExact(n, Integer.parseInt(d));
        return n;
    }
}
