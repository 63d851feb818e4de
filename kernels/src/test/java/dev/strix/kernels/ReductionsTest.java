package dev.strix.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.strix.kernels.KernelTestSupport.SIZES;
import static dev.strix.kernels.KernelTestSupport.assertClose;
import static dev.strix.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Reductions} against the double-accumulating {@link ReductionsReference}. */
@Tag("simd")
class ReductionsTest {
    // float partial sums cover at most 1024 terms (sequential on the scalar path): the error is below
    // 1024 * 2^-24 ~ 6e-5 of sum|x|; inputs in [-1, 1] give sum|x| <= n, so 1e-4 * n bounds it
    private static double sumTolerance(int n) {
        return 1e-4 * n;
    }

    @Test
    void sumDotAndSumSquaresMatchReference() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int n : SIZES) {
            float[] x = random(rnd, n + 5, -1, 1), y = random(rnd, n, -1, 1);
            for (int off : new int[] {0, 3}) {
                assertClose("sum n=" + n + " off=" + off, Reductions.sum(x, off, n), ReductionsReference.sum(x, off, n),
                        sumTolerance(n), 0);
            }
            assertClose("dot n=" + n, Reductions.dot(x, y, n), ReductionsReference.dot(x, y, n), sumTolerance(n), 0);
            assertClose("sumSquares n=" + n, Reductions.sumSquares(x, n), ReductionsReference.sumSquares(x, n),
                    sumTolerance(n), 1e-6);
        }
        assertEquals(0.0, Reductions.sum(new float[0], 0, 0));
    }

    @Test
    void sumOfConstantsIsAccurateForLongInputs() {
        // 0.1f repeated: pure float accumulation would drift by ~1e-3 relative over 4M terms
        int n = 1 << 22;
        float[] x = new float[n];
        java.util.Arrays.fill(x, 0.1f);
        double expected = (double) 0.1f * n;
        assertClose("sum of 0.1f", Reductions.sum(x, 0, n), expected, 0, 1e-6);
    }

    @Test
    void sumAxesMatchesReferenceOnEveryPattern() {
        SplittableRandom rnd = new SplittableRandom(12);
        int[][] shapes = {{2, 3, 5, 7}, {1, 7, 13, 1}, {4, 65}, {31}, {3, 1, 1000}, {2, 16, 9, 9}, {65, 13}, {1}, {}};
        for (int[] shape : shapes) {
            int rank = shape.length, n = ElementwiseTest.numel(shape);
            float[] x = random(rnd, n, -1, 1);
            for (int mask = 0; mask < (1 << rank); mask++) {
                boolean[] reduce = new boolean[rank];
                int outN = 1;
                for (int i = 0; i < rank; i++) {
                    reduce[i] = (mask & (1 << i)) != 0;
                    if (!reduce[i]) outN *= shape[i];
                }
                float[] out = new float[outN], ref = new float[outN];
                java.util.Arrays.fill(out, Float.NaN); // overwritten, never accumulated into
                Reductions.sumAxes(out, x, shape, reduce);
                ReductionsReference.sumAxes(ref, x, shape, reduce);
                // each output sums at most n terms of [-1, 1]; same bound as the flat sum
                assertClose("sumAxes " + java.util.Arrays.toString(shape) + " " + java.util.Arrays.toString(reduce), out,
                        ref, outN, sumTolerance(n / Math.max(1, outN)) + 1e-6, 1e-6);
            }
        }
    }

    @Test
    void largeReductionsSplitOverThreeWorkersMatchReference() {
        int previous = Parallel.threads();
        Parallel.setThreads(3);
        try {
            SplittableRandom rnd = new SplittableRandom(13);
            int n = 500_003;
            float[] x = random(rnd, n, -1, 1);
            assertClose("sum", Reductions.sum(x, 0, n), ReductionsReference.sum(x, 0, n), sumTolerance(1024) * 500, 0);
            int[][] shapes = {{4, 16, 7813}, {7813, 64}, {61, 8197}};
            for (int[] shape : shapes) {
                float[] y = random(rnd, ElementwiseTest.numel(shape), -1, 1);
                for (int mask = 1; mask < (1 << shape.length); mask++) {
                    boolean[] reduce = new boolean[shape.length];
                    int outN = 1;
                    for (int i = 0; i < shape.length; i++) {
                        reduce[i] = (mask & (1 << i)) != 0;
                        if (!reduce[i]) outN *= shape[i];
                    }
                    float[] out = new float[outN], ref = new float[outN];
                    Reductions.sumAxes(out, y, shape, reduce);
                    ReductionsReference.sumAxes(ref, y, shape, reduce);
                    assertClose("sumAxes " + java.util.Arrays.toString(shape) + " mask " + mask, out, ref, outN,
                            sumTolerance(1024) * (1 + y.length / outN / 1024), 1e-6);
                }
            }
        } finally {
            Parallel.setThreads(previous);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Reductions.sum(new float[4], 2, 3));
        assertThrows(IllegalArgumentException.class,
                () -> Reductions.sumAxes(new float[1], new float[6], new int[] {2, 3}, new boolean[] {true}));
    }
}
