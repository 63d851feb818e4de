package dev.strix.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.strix.kernels.KernelTestSupport.assertClose;
import static dev.strix.kernels.KernelTestSupport.random;
import static dev.strix.kernels.KernelTestSupport.toDouble;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link BatchNorm} against {@link BatchNormReference}, hand-computed running statistics and finite differences. */
@Tag("simd")
class BatchNormTest {
    /** (n, c, hw). */
    private static final int[][] SHAPES = {{2, 3, 1}, {1, 7, 13}, {4, 5, 31}, {3, 2, 65}, {2, 3, 1000}, {8, 16, 7},
            {1, 1, 4099}, {13, 1, 1}};

    @Test
    void trainingForwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(41);
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], hw = s[2], total = n * c * hw;
            // an offset of 100 with spread 0.5 punishes one-pass variance formulas
            float[] x = random(rnd, total, 99.5, 100.5), gamma = random(rnd, c, 0.5, 1.5), beta = random(rnd, c, -1, 1);
            float[] rm = random(rnd, c, -1, 1), rv = random(rnd, c, 0.5, 2), rmRef = rm.clone(), rvRef = rv.clone();
            float[] y = new float[total], mean = new float[c], inv = new float[c];
            float[] yRef = new float[total], meanRef = new float[c], invRef = new float[c];
            BatchNorm.forwardTraining(y, mean, inv, x, gamma, beta, rm, rv, 0.1f, 1e-5f, n, c, hw);
            BatchNormReference.forwardTraining(yRef, meanRef, invRef, x, gamma, beta, rmRef, rvRef, 0.1f, 1e-5f, n, c, hw);
            String w = java.util.Arrays.toString(s);
            // float block sums (each lane adds up to 16 values near 100) err by up to ~16 * 2^-24 ~ 1e-6 relative
            // in the worst case; observed 1.5e-7
            assertClose("mean " + w, mean, meanRef, c, 0, 1e-6);
            // x carries ~ulp(100) = 7.6e-6 of rounding against a spread of 0.29: the inverse std is good to ~1e-5
            // relative on the vector path (differences from the float mean); 2e-5 leaves margin
            assertClose("invStd " + w, inv, invRef, c, 0, 2e-5);
            assertClose("runningMean " + w, rm, rmRef, c, 1e-6, 1e-6);
            assertClose("runningVar " + w, rv, rvRef, c, 1e-6, 2e-5);
            // y ~ N(0, 1) * gamma + beta: x - mean in float loses ulp(100) / std ~ 3e-5 absolute
            assertClose("y " + w, y, yRef, total, 1e-4, 1e-5);
        }
    }

    @Test
    void runningStatisticsFollowPyTorch() {
        // one channel, x = 1, 2, 3, 4: mean 2.5, biased var 1.25 (normalisation), unbiased var 5/3 (running)
        float[] x = {1, 2, 3, 4}, y = new float[4], mean = new float[1], inv = new float[1];
        float[] rm = {0f}, rv = {1f};
        BatchNorm.forwardTraining(y, mean, inv, x, new float[] {2f}, new float[] {0.5f}, rm, rv, 0.1f, 0f, 2, 1, 2);
        assertClose("saveMean", mean, new double[] {2.5}, 1, 0, 0);
        assertClose("saveInvStd", inv, new double[] {1 / Math.sqrt(1.25)}, 1, 0, 1e-7);
        assertClose("runningMean", rm, new double[] {0.9 * 0 + 0.1 * 2.5}, 1, 0, 1e-7);
        assertClose("runningVar", rv, new double[] {0.9 * 1 + 0.1 * (5.0 / 3)}, 1, 0, 1e-7);
        double[] expected = new double[4];
        for (int i = 0; i < 4; i++) expected[i] = (x[i] - 2.5) / Math.sqrt(1.25) * 2 + 0.5;
        assertClose("y", y, expected, 4, 1e-6, 1e-6);
        // nullable running statistics
        BatchNorm.forwardTraining(y, mean, inv, x, new float[] {2f}, new float[] {0.5f}, null, null, 0.1f, 0f, 2, 1, 2);
        assertClose("y without running stats", y, expected, 4, 1e-6, 1e-6);
        assertThrows(IllegalArgumentException.class, () -> BatchNorm.forwardTraining(new float[1], new float[1],
                new float[1], new float[1], new float[1], new float[1], null, null, 0.1f, 1e-5f, 1, 1, 1));
    }

    @Test
    void inferenceForwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], hw = s[2], total = n * c * hw;
            float[] x = random(rnd, total, -3, 3), gamma = random(rnd, c, 0.5, 1.5), beta = random(rnd, c, -1, 1);
            float[] rm = random(rnd, c, -1, 1), rv = random(rnd, c, 0.1, 2);
            float[] y = new float[total], ref = new float[total];
            BatchNorm.forwardInference(y, x, gamma, beta, rm, rv, 1e-3f, n, c, hw);
            BatchNormReference.forwardInference(ref, x, gamma, beta, rm, rv, 1e-3f, n, c, hw);
            // float x * scale + shift: a few ulp of values up to ~15
            assertClose("inference " + java.util.Arrays.toString(s), y, ref, total, 1e-6, 1e-6);
        }
    }

    @Test
    void backwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(43);
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], hw = s[2], total = n * c * hw;
            float[] x = random(rnd, total, -2, 3), dy = random(rnd, total, -1, 1), gamma = random(rnd, c, 0.5, 1.5);
            float[] beta = new float[c], y = new float[total], mean = new float[c], inv = new float[c];
            BatchNorm.forwardTraining(y, mean, inv, x, gamma, beta, null, null, 0.1f, 1e-5f, n, c, hw);
            float[] dx = new float[total], dg = new float[c], db = new float[c];
            float[] dxRef = new float[total], dgRef = new float[c], dbRef = new float[c];
            BatchNorm.backward(dx, dg, db, dy, x, gamma, mean, inv, n, c, hw);
            BatchNormReference.backward(dxRef, dgRef, dbRef, dy, x, gamma, mean, inv, n, c, hw);
            String w = java.util.Arrays.toString(s);
            // sums of n * hw <= 4099 terms of size <= ~3: float blocks flushed to double, ~1e-6 of sum|terms|
            assertClose("dbeta " + w, db, dbRef, c, 1e-5, 1e-6);
            assertClose("dgamma " + w, dg, dgRef, c, 1e-5, 1e-6);
            // dx is a difference of O(1) terms, each with ~1e-7 relative rounding
            assertClose("dx " + w, dx, dxRef, total, 1e-5, 1e-5);
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(44);
        int[][] shapes = {{2, 3, 5}, {3, 2, 1}, {1, 2, 13}};
        for (int[] s : shapes) {
            int n = s[0], c = s[1], hw = s[2], total = n * c * hw;
            float[] x = random(rnd, total, -2, 2), g = random(rnd, total, -1, 1), gamma = random(rnd, c, 0.5, 1.5);
            float[] beta = random(rnd, c, -1, 1), y = new float[total], mean = new float[c], inv = new float[c];
            float eps = 1e-3f;
            BatchNorm.forwardTraining(y, mean, inv, x, gamma, beta, null, null, 0.1f, eps, n, c, hw);
            float[] dx = new float[total], dg = new float[c], db = new float[c];
            BatchNorm.backward(dx, dg, db, g, x, gamma, mean, inv, n, c, hw);
            double[] gd = toDouble(g), xd = toDouble(x), gam = toDouble(gamma), bet = toDouble(beta);
            String w = java.util.Arrays.toString(s);
            // double central differences (h = 1e-5) are exact to ~1e-9; the float backward to ~1e-6
            assertClose("dx " + w, dx, KernelTestSupport.numericGradient(
                    v -> KernelTestSupport.dot(forwardDouble(v, gam, bet, eps, n, c, hw), gd), xd, 1e-5), total, 2e-5, 1e-4);
            assertClose("dgamma " + w, dg, KernelTestSupport.numericGradient(
                    v -> KernelTestSupport.dot(forwardDouble(xd, v, bet, eps, n, c, hw), gd), gam.clone(), 1e-5), c, 2e-5, 1e-4);
            assertClose("dbeta " + w, db, KernelTestSupport.numericGradient(
                    v -> KernelTestSupport.dot(forwardDouble(xd, gam, v, eps, n, c, hw), gd), bet.clone(), 1e-5), c, 2e-5, 1e-4);
        }
    }

    @Test
    void channelsSplitOverThreeWorkersMatchReference() {
        int previous = Parallel.threads();
        Parallel.setThreads(3);
        try {
            SplittableRandom rnd = new SplittableRandom(45);
            int n = 4, c = 16, hw = 1000, total = n * c * hw;
            float[] x = random(rnd, total, -2, 3), gamma = random(rnd, c, 0.5, 1.5), beta = random(rnd, c, -1, 1);
            float[] dy = random(rnd, total, -1, 1);
            float[] y = new float[total], mean = new float[c], inv = new float[c];
            float[] yRef = new float[total], meanRef = new float[c], invRef = new float[c];
            BatchNorm.forwardTraining(y, mean, inv, x, gamma, beta, null, null, 0.1f, 1e-5f, n, c, hw);
            BatchNormReference.forwardTraining(yRef, meanRef, invRef, x, gamma, beta, null, null, 0.1f, 1e-5f, n, c, hw);
            assertClose("y", y, yRef, total, 1e-5, 1e-5);
            float[] dx = new float[total], dg = new float[c], db = new float[c];
            float[] dxRef = new float[total], dgRef = new float[c], dbRef = new float[c];
            BatchNorm.backward(dx, dg, db, dy, x, gamma, mean, inv, n, c, hw);
            BatchNormReference.backward(dxRef, dgRef, dbRef, dy, x, gamma, mean, inv, n, c, hw);
            assertClose("dx", dx, dxRef, total, 1e-5, 1e-5);
            assertClose("dgamma", dg, dgRef, c, 1e-4, 1e-6);
        } finally {
            Parallel.setThreads(previous);
        }
    }

    /** Training-mode batch norm in double (batch statistics, biased variance). */
    static double[] forwardDouble(double[] x, double[] gamma, double[] beta, double eps, int n, int c, int hw) {
        double[] y = new double[x.length];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0, sq = 0;
            for (int b = 0; b < n; b++) for (int i = 0; i < hw; i++) sum += x[(b * c + ch) * hw + i];
            double mean = sum / (n * hw);
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++) sq += Math.pow(x[(b * c + ch) * hw + i] - mean, 2);
            double inv = 1 / Math.sqrt(sq / (n * hw) + eps);
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++) {
                    int k = (b * c + ch) * hw + i;
                    y[k] = (x[k] - mean) * inv * gamma[ch] + beta[ch];
                }
        }
        return y;
    }
}
