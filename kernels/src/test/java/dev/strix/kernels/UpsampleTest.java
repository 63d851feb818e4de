package dev.strix.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.strix.kernels.KernelTestSupport.assertClose;
import static dev.strix.kernels.KernelTestSupport.random;
import static dev.strix.kernels.KernelTestSupport.toDouble;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Upsample} against {@link UpsampleReference} and finite differences. */
@Tag("simd")
class UpsampleTest {
    private static final int[][] SCALES = {{1, 1}, {2, 2}, {3, 2}, {1, 4}, {2, 1}};

    @Test
    void forwardIsAnExactCopyAndBackwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(61);
        for (int w : new int[] {1, 7, 13, 31, 65, 300}) {
            int planes = 3, h = Math.max(1, w / 4 + 1);
            for (int[] sc : SCALES) {
                int in = planes * h * w, out = in * sc[0] * sc[1];
                float[] x = random(rnd, in, -1, 1), y = new float[out], yRef = new float[out];
                Upsample.nearestForward(y, x, planes, h, w, sc[0], sc[1]);
                UpsampleReference.nearestForward(yRef, x, planes, h, w, sc[0], sc[1]);
                String what = "w=" + w + " scale " + sc[0] + "x" + sc[1];
                assertClose("forward " + what, y, yRef, out, 0, 0);
                float[] dy = random(rnd, out, -1, 1), dx = new float[in], dxRef = new float[in];
                java.util.Arrays.fill(dx, Float.NaN);
                Upsample.nearestBackward(dx, dy, planes, h, w, sc[0], sc[1]);
                UpsampleReference.nearestBackward(dxRef, dy, planes, h, w, sc[0], sc[1]);
                // sums of <= 8 values in [-1, 1] in float: a few ulp of 8
                assertClose("backward " + what, dx, dxRef, in, 2e-6, 1e-6);
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(62);
        int planes = 2, h = 3, w = 5;
        for (int[] sc : SCALES) {
            int in = planes * h * w, out = in * sc[0] * sc[1];
            float[] x = random(rnd, in, -1, 1), g = random(rnd, out, -1, 1), dx = new float[in];
            double[] gd = toDouble(g);
            Upsample.nearestBackward(dx, g, planes, h, w, sc[0], sc[1]);
            double[] num = KernelTestSupport.numericGradient(v -> {
                double s = 0;
                int oh = h * sc[0], ow = w * sc[1];
                for (int p = 0; p < planes; p++)
                    for (int i = 0; i < oh; i++)
                        for (int j = 0; j < ow; j++)
                            s += v[(p * h + i / sc[0]) * w + j / sc[1]] * gd[(p * oh + i) * ow + j];
                return s;
            }, toDouble(x), 1e-5);
            // the loss is linear: differences are exact to ~1e-10, the float sums to a few ulp
            assertClose("gradient scale " + sc[0] + "x" + sc[1], dx, num, in, 2e-6, 1e-6);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Upsample.nearestForward(new float[4], new float[1], 1, 1, 1, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Upsample.nearestForward(new float[3], new float[1], 1, 1, 1, 2, 2));
    }
}
