package dev.strix.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The 4 x 4 blocks of the dot-product GEMM against a scalar emulation of their lanes (per-lane fused
 * multiply-adds, the pairwise tree of {@link Simd#sum}, the scalar depth tail, beta on the first depth chunk):
 * the transposing reduction must give the same bits at every vector width the build runs with.
 */
@Tag("simd")
class GemmDotBlockTest {
    @Test
    void blocksMatchLaneEmulationBitForBit() {
        int lanes = Simd.F.length();
        Random r = new Random(11);
        int m = 8, n = 12;
        for (int k : new int[] {lanes, 3 * lanes + 5, GemmDot.KB + lanes + 3}) {
            for (float beta : new float[] {0f, 0.5f}) {
                int lda = k + 3, ldb = k + 1, ldc = n + 2, aOff = 2, bOff = 5, cOff = 1;
                float alpha = 0.75f;
                float[] a = new float[aOff + m * lda], b = new float[bOff + n * ldb], c = new float[cOff + m * ldc];
                for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
                for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian() * (i % 5 == 0 ? 100f : 1f);
                for (int i = 0; i < c.length; i++) c[i] = (float) r.nextGaussian();
                float[] want = c.clone();
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        int at = cOff + i * ldc + j;
                        for (int p0 = 0; p0 < k; p0 += GemmDot.KB) {
                            int kb = Math.min(GemmDot.KB, k - p0), ao = aOff + i * lda + p0, bo = bOff + j * ldb + p0;
                            float[] acc = new float[lanes];
                            int p = 0;
                            for (; p + lanes <= kb; p += lanes)
                                for (int l = 0; l < lanes; l++) acc[l] = Math.fma(a[ao + p + l], b[bo + p + l], acc[l]);
                            for (int st = lanes / 2; st >= 1; st /= 2) {
                                float[] next = new float[lanes];
                                for (int l = 0; l < lanes; l++) next[l] = acc[l] + acc[(l + st) & (lanes - 1)];
                                acc = next;
                            }
                            float s = acc[0];
                            for (; p < kb; p++) s += a[ao + p] * b[bo + p];
                            float v = alpha * s;
                            if (p0 > 0) want[at] += v;
                            else want[at] = beta == 0f ? v : v + beta * want[at];
                        }
                    }
                GemmDot.run(0, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
                for (int i = 0; i < c.length; i++)
                    assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(c[i]),
                            "k " + k + " beta " + beta + " lanes " + lanes + " element " + i + ": " + want[i] + " vs " + c[i]);
            }
        }
    }
}
