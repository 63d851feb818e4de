package dev.strix.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@link Gemm} against the double-accumulating {@link GemmReference}. */
@Tag("simd")
class GemmTest {
    /** m, n, k triples: awkward sizes around the micro-tile and block edges. */
    private static final int[][] SIZES = {
            {1, 1, 1}, {1, 7, 13}, {7, 1, 31}, {13, 31, 1}, {7, 13, 31}, {31, 65, 7}, {65, 31, 130},
            {130, 65, 13}, {1, 130, 65}, {65, 1, 130}, {257, 129, 300}, {300, 20, 50}, {16, 27, 600},
    };

    // inputs lie in [-1, 1]; float sums over k <= 600 terms stayed within 4e-5 of the double reference in runs
    // at 512 bits, 256 bits and scalar; 1e-4 leaves room for other summation orders
    private static final double ATOL = 1e-4, RTOL = 1e-4;

    @Test
    void matchesReferenceForAllTransposesScalesOffsetsAndStrides() {
        SplittableRandom rnd = new SplittableRandom(7);
        float[][] alphaBeta = {{1f, 0f}, {1f, 1f}, {-0.5f, 0.75f}, {2f, 0f}};
        for (int[] mnk : SIZES) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                for (float[] ab : alphaBeta) {
                    // padded leading dimensions and non-zero offsets on the larger cases, tight on the others
                    int pad = (mnk[0] + mnk[1]) % 2 == 0 ? 0 : 5;
                    check(rnd, ta, tb, mnk[0], mnk[1], mnk[2], ab[0], ab[1], pad, pad == 0 ? 0 : 3);
                }
            }
        }
    }

    @Test
    void bandsSplitOverThreeWorkersMatchReference() {
        int previous = Parallel.threads();
        Parallel.setThreads(3);
        try {
            SplittableRandom rnd = new SplittableRandom(11);
            check(rnd, false, false, 100, 900, 40, 1f, 0f, 0, 0);   // column bands
            check(rnd, true, true, 700, 40, 60, 1f, 0.5f, 2, 1);    // row bands
            check(rnd, false, true, 257, 129, 300, -1f, 1f, 3, 2);
            check(rnd, false, true, 101, 30, 700, 0.5f, 0f, 1, 4);   // unpacked dot-product path, row bands
        } finally {
            Parallel.setThreads(previous);
        }
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int[] mnk : new int[][] {{7, 13, 31}, {65, 130, 257}}) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            float[] a = random(rnd, m * k), b = random(rnd, k * n), c = new float[m * n];
            java.util.Arrays.fill(c, Float.NaN);
            Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            for (int i = 0; i < c.length; i++) assertTrue(Float.isFinite(c[i]), "C[" + i + "] = " + c[i]);
        }
    }

    @Test
    void zeroDepthScalesC() {
        float[] c = {1f, 2f, 3f, 4f};
        Gemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0.5f, c, 0, 2);
        assertEquals(0.5f, c[0]);
        assertEquals(2f, c[3]);
        java.util.Arrays.fill(c, Float.NaN);
        Gemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0f, c, 0, 2);
        assertEquals(0f, c[1]);
    }

    @Test
    void rejectsBadArguments() {
        float[] x = new float[16];
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 4, 4, 4, 1f, x, 0, 3, x, 0, 4, 0f, x.clone(), 0, 4));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 4, 4, 4, 1f, x, 1, 4, x, 0, 4, 0f, x.clone(), 0, 4));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, -1, 4, 4, 1f, x, 0, 4, x, 0, 4, 0f, x.clone(), 0, 4));
    }

    private static void check(SplittableRandom rnd, boolean ta, boolean tb, int m, int n, int k,
                              float alpha, float beta, int pad, int off) {
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        float[] a = random(rnd, off + aRows * lda), b = random(rnd, off + bRows * ldb);
        float[] c0 = random(rnd, off + m * ldc);
        if (beta == 0f) java.util.Arrays.fill(c0, Float.NaN);
        float[] want = c0.clone(), got = c0.clone();
        GemmReference.sgemm(ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, beta, want, off, ldc);
        Gemm.sgemm(ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, beta, got, off, ldc);
        String what = "m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + " alpha=" + alpha
                + " beta=" + beta + " ld pad=" + pad + " off=" + off;
        assertClose(want, got, what);
    }

    /** Element-wise |got - want| <= ATOL + RTOL |want|, NaN-aware (padding lanes must stay untouched). */
    static void assertClose(float[] want, float[] got, String what) {
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i]) && Float.isNaN(got[i])) continue;
            double d = Math.abs((double) want[i] - got[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            if (d > worst) {
                worst = d;
                worstAt = i;
            }
        }
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i]) && Float.isNaN(got[i])) continue;
            double d = Math.abs((double) want[i] - got[i]);
            if (!(d <= ATOL + RTOL * Math.abs(want[i])))
                fail(what + ": index " + i + " expected " + want[i] + " but got " + got[i]
                        + "; largest difference " + worst + " at index " + worstAt);
        }
    }

    static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }
}
