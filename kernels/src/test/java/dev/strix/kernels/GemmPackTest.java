package dev.strix.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

/** {@link GemmBlocked#packAParallel} writes exactly what the serial {@link GemmBlocked#packA} writes. */
class GemmPackTest {
    @Test
    void parallelPackingMatchesSerialPacking() {
        int previous = Parallel.threads();
        SplittableRandom rnd = new SplittableRandom(3);
        // {rows, depth}: a convolution's weights large enough to be split (256 x 2304), ragged last panels, and small
        int[][] shapes = {{256, 2304}, {131, 1200}, {37, 9000}, {5, 27}};
        try {
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                for (int[] sh : shapes) {
                    int m = sh[0], k = sh[1];
                    float[] a = new float[m * k + 7];
                    for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextDouble(-1, 1);
                    int size = GemmBlocked.packedASize(m, k) + 5;
                    float[] want = new float[size], got = new float[size];
                    Arrays.fill(want, Float.NaN);
                    Arrays.fill(got, Float.NaN);
                    GemmBlocked.packA(false, a, 7, k, 0, m, 0, k, 1.5f, want, 5);
                    GemmBlocked.packAParallel(false, a, 7, k, 0, m, 0, k, 1.5f, got, 5);
                    assertArrayEquals(want, got, m + " x " + k + " on " + threads + " threads");
                    assertTrue(Float.isNaN(got[0]) && !Float.isNaN(got[5]), "writes start at the offset");
                }
            }
        } finally {
            Parallel.setThreads(previous);
        }
    }
}
