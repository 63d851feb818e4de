package dev.strix.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.strix.kernels.KernelTestSupport.assertClose;
import static dev.strix.kernels.KernelTestSupport.random;
import static dev.strix.kernels.KernelTestSupport.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link PoolShape} sizes, {@link Pooling} against {@link PoolingReference}, and finite differences. */
@Tag("simd")
class PoolingTest {
    @Test
    void outputSizesFollowPyTorch() {
        // (in, kernel, stride, pad, ceil) -> out, worked by hand from torch's pooling_output_shape
        int[][] cases = {
                {5, 2, 2, 0, 0, 2}, {5, 2, 2, 0, 1, 3},   // ceil adds the partial window
                {6, 3, 2, 1, 0, 3}, {6, 3, 2, 1, 1, 4},   // last ceil window starts at 5 < 6: kept
                {5, 3, 3, 1, 1, 2},                       // ceil gives 3 but window 3 would start at 6 >= 5 + 1
                {7, 2, 2, 1, 1, 4},                       // ceil gives 5 but window 5 would start at 8 >= 7 + 1
                {20, 5, 1, 2, 0, 20}, {1, 1, 1, 0, 0, 1}, {13, 3, 2, 1, 0, 7},
        };
        for (int[] c : cases) {
            PoolShape s = new PoolShape(1, 1, c[0], 9, c[1], 1, c[2], 1, c[3], 0, c[4] == 1);
            assertEquals(c[5], s.outH(), "out for " + java.util.Arrays.toString(c));
        }
        PoolShape sq = PoolShape.of(2, 3, 8, 6, 2, 2, 0);
        assertEquals(4, sq.outH());
        assertEquals(3, sq.outW());
        assertEquals(2 * 3 * 4 * 3, sq.outputSize());
        assertThrows(IllegalArgumentException.class, () -> PoolShape.of(1, 1, 5, 5, 3, 1, 2)); // pad > kernel / 2
        assertThrows(IllegalArgumentException.class, () -> PoolShape.of(1, 1, 5, 5, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> PoolShape.of(1, 1, 5, 5, 2, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> PoolShape.of(1, 1, 2, 2, 3, 1, 0)); // output 0
    }

    /** Shapes covering the stride-1 vector path (k5 p2 as in SPPF), strided, ceil, rectangular and tiny cases. */
    private static List<PoolShape> shapes() {
        List<PoolShape> list = new ArrayList<>();
        for (int w : new int[] {1, 7, 13, 31, 65}) {
            int h = Math.max(1, w / 3 + 2);
            list.add(PoolShape.of(2, 3, h, w, 1, 1, 0));
            if (w >= 2 && h >= 2) list.add(PoolShape.of(2, 3, h, w, 2, 2, 0));
            if (w >= 2 && h >= 2) list.add(new PoolShape(1, 2, h, w, 2, 2, 2, 2, 0, 0, true));
            list.add(PoolShape.of(1, 3, h, w, 3, 2, 1));
            list.add(PoolShape.of(2, 2, h, w, 3, 1, 1));
            list.add(PoolShape.of(1, 2, h, w, 5, 1, 2));
            list.add(new PoolShape(1, 2, h, w, 3, 3, 2, 2, 1, 1, true));
            if (w >= 2) list.add(new PoolShape(2, 1, h, w, 3, 2, 1, 1, 1, 1, false));
        }
        return list;
    }

    @Test
    void maxForwardMatchesReferenceExactly() {
        SplittableRandom rnd = new SplittableRandom(51);
        for (PoolShape s : shapes()) {
            float[] x = random(rnd, s.inputSize(), -5, 5);
            float[] y = new float[s.outputSize()], yRef = new float[s.outputSize()], yNoIdx = new float[s.outputSize()];
            int[] idx = new int[s.outputSize()], idxRef = new int[s.outputSize()];
            Pooling.maxForward(y, idx, x, s);
            Pooling.maxForward(yNoIdx, null, x, s);
            PoolingReference.maxForward(yRef, idxRef, x, s);
            assertClose("max " + s, y, yRef, y.length, 0, 0);
            assertClose("max without argmax " + s, yNoIdx, yRef, y.length, 0, 0);
            assertArrayEquals(idxRef, idx, "argmax " + s);
            float[] dy = random(rnd, s.outputSize(), -1, 1), dx = new float[s.inputSize()], dxRef = new float[s.inputSize()];
            java.util.Arrays.fill(dx, Float.NaN); // overwritten
            Pooling.maxBackward(dx, dy, idx, s);
            PoolingReference.maxBackward(dxRef, dy, idxRef, s);
            assertClose("max backward " + s, dx, dxRef, dx.length, 0, 0);
        }
    }

    @Test
    void maxPoolingLetsNaNWin() {
        float[] x = {1f, Float.NaN, 3f, 2f}, y = new float[1];
        int[] idx = new int[1];
        Pooling.maxForward(y, idx, x, PoolShape.of(1, 1, 2, 2, 2, 2, 0));
        assertEquals(Float.NaN, y[0]);
        assertEquals(1, idx[0]);
    }

    @Test
    void avgForwardAndBackwardMatchReference() {
        SplittableRandom rnd = new SplittableRandom(52);
        for (PoolShape s : shapes()) {
            for (boolean include : new boolean[] {true, false}) {
                float[] x = random(rnd, s.inputSize(), -5, 5);
                float[] y = new float[s.outputSize()], yRef = new float[s.outputSize()];
                Pooling.avgForward(y, x, s, include);
                PoolingReference.avgForward(yRef, x, s, include);
                // float sums of <= 25 values in [-5, 5] then one division: < 25 * 2^-24 * 5 ~ 1e-5 absolute
                assertClose("avg " + s + " include=" + include, y, yRef, y.length, 1e-5, 1e-6);
                float[] dy = random(rnd, s.outputSize(), -1, 1), dx = new float[s.inputSize()];
                float[] dxRef = new float[s.inputSize()];
                java.util.Arrays.fill(dx, Float.NaN);
                Pooling.avgBackward(dx, dy, s, include);
                PoolingReference.avgBackward(dxRef, dy, s, include);
                // each input gathers <= 25 contributions of |dy| / div <= 1: ~25 * 2^-24 absolute
                assertClose("avg backward " + s, dx, dxRef, dx.length, 3e-6, 1e-6);
            }
        }
    }

    @Test
    void backwardsMatchFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(53);
        PoolShape[] cases = {PoolShape.of(1, 2, 5, 7, 3, 2, 1), PoolShape.of(2, 1, 6, 6, 2, 2, 0),
                new PoolShape(1, 1, 7, 5, 3, 2, 2, 1, 1, 1, true), PoolShape.of(1, 1, 5, 9, 5, 1, 2)};
        for (PoolShape s : cases) {
            // distinct values at least 0.01 apart so a 1e-5 step never changes the arg-max
            int n = s.inputSize();
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = 0.01f * i - 0.3f;
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                float t = x[i];
                x[i] = x[j];
                x[j] = t;
            }
            float[] g = random(rnd, s.outputSize(), -1, 1);
            double[] gd = toDouble(g);
            float[] y = new float[s.outputSize()], dx = new float[n];
            int[] idx = new int[s.outputSize()];
            Pooling.maxForward(y, idx, x, s);
            Pooling.maxBackward(dx, g, idx, s);
            assertClose("max gradient " + s, dx, KernelTestSupport.numericGradient(
                    v -> KernelTestSupport.dot(forwardDouble(true, false, v, s), gd), toDouble(x), 1e-5), n, 1e-6, 1e-5);
            for (boolean include : new boolean[] {true, false}) {
                Pooling.avgBackward(dx, g, s, include);
                assertClose("avg gradient " + s + " include=" + include, dx, KernelTestSupport.numericGradient(
                        v -> KernelTestSupport.dot(forwardDouble(false, include, v, s), gd), toDouble(x), 1e-5), n,
                        1e-6, 1e-5);
            }
        }
    }

    /** Max or average pooling in double, straight from the window definition. */
    static double[] forwardDouble(boolean max, boolean include, double[] x, PoolShape s) {
        int H = s.inH(), W = s.inW(), P = s.outH(), Q = s.outW();
        double[] y = new double[s.outputSize()];
        for (int p = 0; p < s.planes(); p++)
            for (int oh = 0; oh < P; oh++)
                for (int ow = 0; ow < Q; ow++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int real = 0, padded = 0;
                    for (int r = oh * s.strideH() - s.padH(); r < oh * s.strideH() - s.padH() + s.kernelH(); r++)
                        for (int c = ow * s.strideW() - s.padW(); c < ow * s.strideW() - s.padW() + s.kernelW(); c++) {
                            if (r >= H + s.padH() || c >= W + s.padW()) continue;
                            padded++;
                            if (r < 0 || c < 0 || r >= H || c >= W) continue;
                            real++;
                            double v = x[(p * H + r) * W + c];
                            acc = max ? Math.max(acc, v) : acc + v;
                        }
                    y[(p * P + oh) * Q + ow] = max ? acc : acc / (include ? padded : real);
                }
        return y;
    }
}
