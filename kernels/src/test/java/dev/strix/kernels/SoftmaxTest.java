package dev.strix.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.strix.kernels.KernelTestSupport.assertClose;
import static dev.strix.kernels.KernelTestSupport.random;
import static dev.strix.kernels.KernelTestSupport.toDouble;

/** {@link Softmax} against {@link SoftmaxReference}, and its backwards against finite differences. */
@Tag("simd")
class SoftmaxTest {
    /** (outer, dim, inner): contiguous rows, strided columns, inner past the 256 tile, single elements. */
    private static final int[][] VIEWS = {
            {1, 1, 1}, {7, 13, 1}, {3, 31, 7}, {2, 65, 13}, {5, 1000, 1}, {2, 7, 300}, {1, 1, 65}, {13, 2, 1},
            {1, 4099, 1}, {3, 5, 600},
    };
    // exp on the vector path is within a few ulp; sums of <= 4099 positive terms in float add ~dim * 2^-24
    // relative error: 1e-6 absolute plus 1e-5 relative covers both with margin (observed max ~2e-7)
    private static final double ATOL = 1e-6, RTOL = 1e-5;

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(21);
        for (int[] v : VIEWS) {
            int n = v[0] * v[1] * v[2];
            float[] x = random(rnd, n, -8, 8);
            for (boolean log : new boolean[] {false, true}) {
                float[] y = new float[n], ref = new float[n];
                if (log) {
                    Softmax.logSoftmax(y, x, v[0], v[1], v[2]);
                    SoftmaxReference.logSoftmax(ref, x, v[0], v[1], v[2]);
                } else {
                    Softmax.softmax(y, x, v[0], v[1], v[2]);
                    SoftmaxReference.softmax(ref, x, v[0], v[1], v[2]);
                }
                // log-softmax values reach ~ -16 - log(dim): 1e-5 relative is ~ 1e-4 absolute there
                assertClose((log ? "logSoftmax " : "softmax ") + java.util.Arrays.toString(v), y, ref, n, ATOL, RTOL);
                float[] inPlace = x.clone();
                if (log) Softmax.logSoftmax(inPlace, inPlace, v[0], v[1], v[2]);
                else Softmax.softmax(inPlace, inPlace, v[0], v[1], v[2]);
                assertClose("in place " + java.util.Arrays.toString(v), inPlace, ref, n, ATOL, RTOL);
            }
        }
    }

    @Test
    void largeLogitsStayFinite() {
        float[] x = {1000f, 1001f, 1002f, -1000f};
        float[] y = new float[4], ref = new float[4];
        Softmax.softmax(y, x, 1, 4, 1);
        SoftmaxReference.softmax(ref, x, 1, 4, 1);
        assertClose("softmax of large logits", y, ref, 4, 1e-7, 1e-6);
        Softmax.logSoftmax(y, x, 1, 4, 1);
        SoftmaxReference.logSoftmax(ref, x, 1, 4, 1);
        assertClose("log-softmax of large logits", y, ref, 4, 1e-6, 1e-6);
    }

    @Test
    void backwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(22);
        for (int[] v : VIEWS) {
            int n = v[0] * v[1] * v[2];
            float[] x = random(rnd, n, -4, 4), dy = random(rnd, n, -1, 1);
            float[] y = new float[n], dx = new float[n], ref = new float[n];
            Softmax.softmax(y, x, v[0], v[1], v[2]);
            Softmax.softmaxBackward(dx, dy, y, v[0], v[1], v[2]);
            SoftmaxReference.softmaxBackward(ref, dy, y, v[0], v[1], v[2]);
            assertClose("softmaxBackward " + java.util.Arrays.toString(v), dx, ref, n, ATOL, RTOL);
            Softmax.logSoftmax(y, x, v[0], v[1], v[2]);
            Softmax.logSoftmaxBackward(dx, dy, y, v[0], v[1], v[2]);
            SoftmaxReference.logSoftmaxBackward(ref, dy, y, v[0], v[1], v[2]);
            // sum(dy) over up to 4099 terms in [-1, 1] is accumulated in float per tile: ~dim * 1e-7 absolute
            assertClose("logSoftmaxBackward " + java.util.Arrays.toString(v), dx, ref, n, 1e-5, RTOL);
        }
    }

    @Test
    void backwardsMatchFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(23);
        int[][] views = {{1, 1, 1}, {2, 7, 1}, {3, 5, 4}, {1, 13, 17}, {2, 31, 1}};
        for (int[] v : views) {
            int n = v[0] * v[1] * v[2];
            float[] x = random(rnd, n, -3, 3), g = random(rnd, n, -1, 1);
            double[] gd = toDouble(g);
            for (boolean log : new boolean[] {false, true}) {
                float[] y = new float[n], dx = new float[n];
                if (log) {
                    Softmax.logSoftmax(y, x, v[0], v[1], v[2]);
                    Softmax.logSoftmaxBackward(dx, g, y, v[0], v[1], v[2]);
                } else {
                    Softmax.softmax(y, x, v[0], v[1], v[2]);
                    Softmax.softmaxBackward(dx, g, y, v[0], v[1], v[2]);
                }
                double[] num = KernelTestSupport.numericGradient(
                        xs -> KernelTestSupport.dot(forwardDouble(log, xs, v[0], v[1], v[2]), gd), toDouble(x), 1e-5);
                // float forward/backward against an O(h^2) ~ 1e-10 difference: float rounding dominates (~1e-6)
                assertClose((log ? "logSoftmax" : "softmax") + " gradient " + java.util.Arrays.toString(v), dx, num, n,
                        2e-5, 1e-4);
            }
        }
    }

    @Test
    void largeInputsSplitOverThreeWorkersMatchReference() {
        int previous = Parallel.threads();
        Parallel.setThreads(3);
        try {
            SplittableRandom rnd = new SplittableRandom(24);
            for (int[] v : new int[][] {{300, 65, 1}, {4, 13, 1000}}) {
                int n = v[0] * v[1] * v[2];
                float[] x = random(rnd, n, -8, 8), dy = random(rnd, n, -1, 1);
                float[] y = new float[n], ref = new float[n], dx = new float[n], dxRef = new float[n];
                Softmax.softmax(y, x, v[0], v[1], v[2]);
                SoftmaxReference.softmax(ref, x, v[0], v[1], v[2]);
                assertClose("softmax " + java.util.Arrays.toString(v), y, ref, n, ATOL, RTOL);
                Softmax.softmaxBackward(dx, dy, y, v[0], v[1], v[2]);
                SoftmaxReference.softmaxBackward(dxRef, dy, y, v[0], v[1], v[2]);
                assertClose("softmaxBackward " + java.util.Arrays.toString(v), dx, dxRef, n, ATOL, RTOL);
            }
        } finally {
            Parallel.setThreads(previous);
        }
    }

    /** Softmax / log-softmax over the middle axis, in double. */
    static double[] forwardDouble(boolean log, double[] x, int outer, int dim, int inner) {
        double[] y = new double[x.length];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++) {
                int base = o * dim * inner + i;
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int d = 0; d < dim; d++) max = Math.max(max, x[base + d * inner]);
                for (int d = 0; d < dim; d++) sum += Math.exp(x[base + d * inner] - max);
                for (int d = 0; d < dim; d++) {
                    double z = x[base + d * inner] - max;
                    y[base + d * inner] = log ? z - Math.log(sum) : Math.exp(z) / sum;
                }
            }
        return y;
    }
}
