package dev.strix.detection.mtl;

import dev.strix.nn.Tensor;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Comparisons of gradients with references, reporting the worst element. */
final class GradAsserts {
    private GradAsserts() {}

    static void assertClose(double[] expected, float[] actual, double atol, double rtol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        int worst = -1;
        double worstDiff = 0, maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            maxDiff = Math.max(maxDiff, d);
            if (!(d <= atol + rtol * Math.abs(expected[i])) && (worst < 0 || d > worstDiff)) {
                worst = i;
                worstDiff = d;
            }
        }
        if (worst >= 0)
            fail(what + ": index " + worst + " expected " + expected[worst] + " got " + actual[worst]
                    + " (largest difference " + maxDiff + ")");
    }

    static void assertClose(double expected, double actual, double atol, double rtol, String what) {
        double d = Math.abs(expected - actual);
        if (!(d <= atol + rtol * Math.abs(expected)))
            fail(what + ": expected " + expected + " got " + actual + " (difference " + d + ")");
    }

    /**
     * Every parameter's .grad equals the corresponding reference tensor; a parameter the losses do not reach may
     * have no gradient at all (as after Tensor.backward), and then its reference must be zero.
     */
    static void assertGradsEqual(List<Tensor> params, List<Tensor> reference, double atol, double rtol, String what) {
        for (int i = 0; i < params.size(); i++) {
            Tensor g = params.get(i).grad();
            float[] actual = g != null ? g.toArray() : new float[reference.get(i).numel()];
            assertClose(toDouble(reference.get(i).toArray()), actual, atol, rtol,
                    what + ", parameter " + i + (g == null ? " (no gradient)" : ""));
        }
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** The concatenation of the tensors as one double vector. */
    static double[] flatten(List<Tensor> ts) {
        List<Double> out = new ArrayList<>();
        for (Tensor t : ts) for (float v : t.toArray()) out.add((double) v);
        double[] d = new double[out.size()];
        for (int i = 0; i < d.length; i++) d[i] = out.get(i);
        return d;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
