package dev.strix.kernels;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.strix.kernels.ConvWinogradTest.direct;
import static dev.strix.kernels.ConvWinogradTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link ConvWinograd4} against a double-precision direct convolution, bounded by the terms' magnitudes. */
@Tag("simd")
class ConvWinograd4Test {
    /** Outputs 4L, 2L or L wide at 512 and 256 bits (64, 32, 16, 8 columns), paddings 0-2, K not a multiple of 8. */
    private static final ConvShape[] SHAPES = {
            ConvShape.of(1, 16, 32, 32, 16, 3, 1, 1),
            ConvShape.of(2, 24, 34, 34, 20, 3, 1, 0),
            ConvShape.of(1, 17, 30, 30, 16, 3, 1, 2),
            ConvShape.of(1, 16, 64, 64, 24, 3, 1, 1),
            ConvShape.of(3, 16, 16, 16, 16, 3, 1, 1),
            ConvShape.of(2, 16, 24, 32, 16, 3, 1, 1),
            ConvShape.of(2, 20, 32, 16, 24, 3, 1, 1),
            ConvShape.of(3, 16, 16, 8, 16, 3, 1, 1),
    };

    /** Largest error seen: 5.9e-7 of 9x the magnitude sum over these shapes (F(2x2, 3x3): 1.6e-8). */
    private static final double REL = 2e-6;

    @BeforeEach
    void needsVectors() {
        assumeTrue(Simd.ENABLED, "the Winograd path runs only with SIMD on (" + Simd.PROPERTY + " = 0 here)");
    }

    @Test
    void forwardMatchesDirectSums() {
        SplittableRandom rnd = new SplittableRandom(21);
        int tested = 0;
        for (ConvShape s : SHAPES) {
            if (!ConvWinograd4.applies(s)) continue;
            tested++;
            float[] x = random(rnd, s.inputSize()), w = random(rnd, s.weightSize()), b = random(rnd, s.outChannels());
            double[][] want = direct(x, w, s);
            for (boolean relu : new boolean[] {false, true}) {
                for (float[] bias : new float[][] {b, null}) {
                    float[] y = new float[s.outputSize()];
                    java.util.Arrays.fill(y, Float.NaN);
                    ConvWinograd4.forward(y, x, w, bias, s, relu);
                    ConvWinogradTest.check(want, bias, relu, y, s,
                            "forward " + s + (relu ? " relu" : "") + (bias == null ? "" : " bias"), REL);
                }
            }
        }
        assertTrue(tested >= 3, tested + " shapes at " + Simd.LANES + " lanes");
    }

    @Test
    void filterGradientSplitByTilesOrByElementMatchesReference() {
        ConvWinogradTest.bothSplitsMatchReference(SHAPES, 24, 4, ConvWinograd4::applies, ConvWinograd4::backwardFilter,
                REL);
    }

    @Test
    void filterGradientMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(23);
        for (ConvShape s : SHAPES) {
            if (!ConvWinograd4.applies(s)) continue;
            float[] dy = random(rnd, s.outputSize()), x = random(rnd, s.inputSize());
            float[] want = new float[s.weightSize()], got = new float[s.weightSize()];
            java.util.Arrays.fill(got, Float.NaN);
            Conv2dReference.backwardFilter(want, dy, x, s);
            ConvWinograd4.backwardFilter(got, dy, x, s);
            // each tap sums N * P * Q products of values in [-1, 1]; the largest error seen is 1.5e-8 of the scale
            double scale = 9.0 * s.batch() * s.outH() * s.outW(), bound = REL * scale + 1e-6;
            for (int i = 0; i < want.length; i++)
                if (!(Math.abs(want[i] - got[i]) <= bound))
                    fail("backwardFilter " + s + " at " + i + ": want " + want[i] + " got " + got[i]);
        }
    }

    @Test
    void filterTransformMatchesTheMatrixProduct() {
        float[] g = {0.5f, -1f, 2f, 3f, 0.25f, -0.75f, 1.5f, -2f, 1f};
        double[][] gm = {{0.25, 0, 0}, {-1 / 6.0, -1 / 6.0, -1 / 6.0}, {-1 / 6.0, 1 / 6.0, -1 / 6.0},
                {1 / 24.0, 1 / 12.0, 1 / 6.0}, {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1}};
        float[] t = new float[36];
        ConvWinograd4.filter(g, 0, new float[18], t);
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++) {
                double u = 0;
                for (int a = 0; a < 3; a++)
                    for (int c = 0; c < 3; c++) u += gm[i][a] * g[3 * a + c] * gm[j][c];
                assertEquals(u, t[6 * i + j], 1e-6, "U(" + i + "," + j + ")");
            }
    }

    @Test
    void weightTransformIsTheFilterTransformOfEachFilterInPanelLayout() {
        SplittableRandom rnd = new SplittableRandom(25);
        for (int[] kc : new int[][] {{16, 16}, {20, 24}, {5, 3}, {64, 64}}) {
            int k = kc[0], c = kc[1], kp = (k + 7) / 8 * 8, uStride = kp * c + 16;
            float[] w = random(rnd, k * c * 9), u = new float[36 * uStride];
            java.util.Arrays.fill(u, Float.NaN);
            ConvWinograd4.transformWeights(w, k, c, kp, uStride, u);
            float[] gg = new float[18], t = new float[36];
            for (int row = 0; row < kp; row++) {
                for (int q = 0; q < c; q++) {
                    int at = ((row / 8) * c + q) * 8 + row % 8;
                    if (row >= k) {
                        // rows past k pad the last panel: zero (of either sign)
                        for (int xi = 0; xi < 36; xi++)
                            assertEquals(0f, Math.abs(u[xi * uStride + at]), "padding row " + row + " element " + xi);
                        continue;
                    }
                    ConvWinograd4.filter(w, (row * c + q) * 9, gg, t);
                    for (int xi = 0; xi < 36; xi++)
                        assertEquals(Float.floatToIntBits(t[xi]), Float.floatToIntBits(u[xi * uStride + at]),
                                "k " + k + " c " + c + ": filter (" + row + ", " + q + ") element " + xi);
                }
            }
        }
    }

    @Test
    void takesOnlyPlanesWhoseTileRowsFillAVector() {
        assertFalse(ConvWinograd4.applies(ConvShape.of(1, 16, 30, 30, 16, 3, 1, 1)), "30 x 30: not whole tiles");
        assertFalse(ConvWinograd4.applies(ConvShape.of(1, 16, 8, 8, 16, 3, 1, 1)), "2 tiles a row");
        int quad = Simd.LANES;
        assertFalse(ConvWinograd4.applies(ConvShape.of(1, 16, 8, quad, 16, 3, 1, 1)), "2 rows of L/4 tiles");
        assertTrue(ConvWinograd4.applies(ConvShape.of(1, 16, 16, quad, 16, 3, 1, 1)), "4 rows of L/4 tiles");
        assertFalse(ConvWinograd4.applies(ConvShape.of(1, 16, 32, 32, 16, 3, 2, 1)), "stride 2");
        int side = 4 * Simd.LANES;
        assertTrue(ConvWinograd4.applies(ConvShape.of(1, 16, side, side, 16, 3, 1, 1)), side + " columns");
        assertTrue(ConvWinograd4.suits(ConvShape.of(8, 64, side / 2, side / 2, 64, 3, 1, 1)), "DetNet's 64 channels");
        assertFalse(ConvWinograd4.suits(ConvShape.of(8, 64, side / 2, side / 2, 20, 3, 1, 1)), "20 outputs");
    }

    @Test
    void conv2dTakesThisPathAndTheSameResultOnOneThread() {
        int side = 2 * Simd.LANES;
        ConvShape s = ConvShape.of(3, 64, side, side, 64, 3, 1, 1);
        SplittableRandom rnd = new SplittableRandom(22);
        float[] x = random(rnd, s.inputSize()), w = random(rnd, s.weightSize());
        float[] via = new float[s.outputSize()], direct = new float[s.outputSize()], single = new float[s.outputSize()];
        Conv2d.forward(via, x, w, null, s);
        ConvWinograd4.forward(direct, x, w, null, s, false);
        assertArrayEquals(direct, via, "Conv2d.forward took this path");
        float[] dy = random(rnd, s.outputSize()), dwVia = new float[s.weightSize()], dwDirect = new float[s.weightSize()];
        Conv2d.backwardFilter(dwVia, dy, x, s);
        ConvWinograd4.backwardFilter(dwDirect, dy, x, s);
        assertArrayEquals(dwDirect, dwVia, "Conv2d.backwardFilter took this path");
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(1);
            ConvWinograd4.forward(single, x, w, null, s, false);
        } finally {
            Parallel.setThreads(threads);
        }
        assertArrayEquals(single, direct, "1 thread vs the pool");
    }
}
