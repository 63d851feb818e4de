package dev.strix.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The 4 x 4 dot-product block of the filter gradient against a scalar emulation of its lanes: per-lane fused
 * multiply-adds, then the pairwise tree of {@link Simd#sum} (lane i + lane i + L/2, then + L/4, ...). The
 * transposing reduction must give the same bits, at every vector width the build runs with.
 */
@Tag("simd")
class ConvImplicitDotTest {
    @Test
    void dot4x4MatchesLaneEmulationBitForBit() {
        int lanes = Simd.F.length();
        Random r = new Random(7);
        for (int len : new int[] {lanes, 3 * lanes, 37 * lanes}) {
            int lda = len + 5, rowsB = 4;
            float[] a = new float[4 * lda + 3], b = new float[rowsB * (len + 11) + 20];
            for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian() * (i % 7 == 0 ? 1e3f : 1f);
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
            int ao = 3, b0 = 1, b1 = len + 12, b2 = 2 * len + 20, b3 = 3 * len + 31;
            int[] bo = {b0, b1, b2, b3};
            int ldc = 9, co = 2;
            float[] c = new float[co + 4 * ldc], want = new float[c.length];
            for (int i = 0; i < c.length; i++) c[i] = want[i] = (float) r.nextGaussian();
            for (int row = 0; row < 4; row++)
                for (int col = 0; col < 4; col++) {
                    float[] acc = new float[lanes];
                    for (int i = 0; i < len; i += lanes)
                        for (int l = 0; l < lanes; l++)
                            acc[l] = Math.fma(a[ao + row * lda + i + l], b[bo[col] + i + l], acc[l]);
                    for (int st = lanes / 2; st >= 1; st /= 2) {
                        float[] next = new float[lanes];
                        for (int l = 0; l < lanes; l++) next[l] = acc[l] + acc[(l + st) & (lanes - 1)];
                        acc = next;
                    }
                    want[co + row * ldc + col] += acc[0];
                }
            ConvImplicit.dot4x4(a, ao, lda, b, b0, b1, b2, b3, len, c, co, ldc, new float[16]);
            for (int i = 0; i < c.length; i++)
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(c[i]),
                        "len " + len + " lanes " + lanes + " element " + i + ": " + want[i] + " vs " + c[i]);
        }
    }
}
