package dev.strix.kernels;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link ConvWinograd} against a double-precision direct convolution: every output within a bound scaled by the
 * sum of the magnitudes of its terms (the transforms add and halve, so the rounding grows with that sum).
 */
@Tag("simd")
class ConvWinogradTest {
    /** Odd and even outputs, pads 0..2, K not a multiple of 8, tile rows split between blocks, 2 x 2 outputs. */
    private static final ConvShape[] SHAPES = {
            ConvShape.of(1, 16, 4, 4, 16, 3, 1, 1),
            ConvShape.of(2, 16, 9, 7, 20, 3, 1, 1),
            ConvShape.of(3, 17, 13, 11, 16, 3, 1, 0),
            ConvShape.of(1, 32, 6, 5, 24, 3, 1, 2),
            ConvShape.of(2, 24, 32, 32, 17, 3, 1, 1),
            ConvShape.of(3, 16, 45, 37, 32, 3, 1, 1),
            ConvShape.of(5, 64, 8, 8, 64, 3, 1, 1),
            ConvShape.of(2, 64, 3, 3, 40, 3, 1, 1),
            ConvShape.of(1, 16, 70, 3, 16, 3, 1, 1),
            ConvShape.of(1, 20, 2, 40, 16, 3, 1, 1),
            // L output columns: two tile rows per transform vector (16 columns at 512 bits, 8 at 256)
            ConvShape.of(2, 32, 16, 16, 24, 3, 1, 1),
            ConvShape.of(1, 16, 18, 18, 16, 3, 1, 0),
            ConvShape.of(3, 16, 8, 8, 16, 3, 1, 1),
            ConvShape.of(2, 16, 10, 8, 16, 3, 1, 1),
            ConvShape.of(2, 16, 10, 16, 16, 3, 1, 1),
    };

    /** Largest error seen over these shapes: 1.6e-8 of 9x the magnitude sum; the bound leaves a factor of ~30. */
    private static final double REL = 5e-7;

    @BeforeEach
    void needsVectors() {
        assumeTrue(Simd.ENABLED, "the Winograd path runs only with SIMD on (" + Simd.PROPERTY + " = 0 here)");
    }

    @Test
    void forwardMatchesDirectSums() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (ConvShape s : SHAPES) {
            assertTrue(ConvWinograd.applies(s), s.toString());
            float[] x = random(rnd, s.inputSize()), w = random(rnd, s.weightSize()), b = random(rnd, s.outChannels());
            double[][] want = direct(x, w, s);
            for (boolean relu : new boolean[] {false, true}) {
                for (float[] bias : new float[][] {b, null}) {
                    float[] y = new float[s.outputSize()];
                    java.util.Arrays.fill(y, Float.NaN);
                    ConvWinograd.forward(y, x, w, bias, s, relu);
                    check(want, bias, relu, y, s, "forward " + s + (relu ? " relu" : "") + (bias == null ? "" : " bias"));
                }
            }
        }
    }

    @Test
    void bothTileLayoutsAreCovered() {
        long pairs = java.util.Arrays.stream(SHAPES).filter(ConvWinograd::pairs).count();
        assertTrue(pairs >= 2 && pairs < SHAPES.length, pairs + " of " + SHAPES.length + " shapes in pairs of tile rows");
    }

    @Test
    void backwardDataAsTheTransposedForwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(8);
        for (ConvShape s : SHAPES) {
            float[] dy = random(rnd, s.outputSize()), w = random(rnd, s.weightSize());
            float[] want = new float[s.inputSize()], got = new float[s.inputSize()];
            Conv2dReference.backwardData(want, dy, w, s);
            // dx = conv(dy, w') with w' (C, K, 3, 3) the channel-swapped, flipped filters and padding 2 - pad
            int k = s.outChannels(), c = s.inChannels();
            float[] flipped = new float[w.length];
            for (int o = 0; o < k; o++)
                for (int i = 0; i < c; i++)
                    for (int t = 0; t < 9; t++) flipped[(i * k + o) * 9 + t] = w[(o * c + i) * 9 + 8 - t];
            ConvShape ts = new ConvShape(s.batch(), k, s.outH(), s.outW(), c, 3, 3, 1, 1, 2 - s.padH(), 2 - s.padW(),
                    1, 1, 1);
            ConvWinograd.forward(got, dy, flipped, null, ts, false);
            // each dx sums K * 9 products of values in [-1, 1]
            double bound = REL * s.outChannels() * 9 + 1e-6;
            for (int i = 0; i < want.length; i++)
                if (!(Math.abs(want[i] - got[i]) <= bound))
                    fail("backwardData " + s + " at " + i + ": want " + want[i] + " got " + got[i]);
        }
    }

    @Test
    void filterGradientSplitByTilesOrByElementMatchesReference() {
        bothSplitsMatchReference(SHAPES, 13, 2, s -> true, ConvWinogradFilter::backwardFilter, REL);
    }

    /** A filter-gradient pass: dw from dy and x. */
    interface FilterPass {
        void run(float[] dw, float[] dy, float[] x, ConvShape s);
    }

    /**
     * The filter gradient of each shape {@code takes} with the work split by tiles and by transformed element
     * ({@link ConvWinogradFilter#split}), on three threads (uneven shares of both), against the scalar reference
     * within rel of its scale; at least two shapes must have tiles enough for more than one thread.
     */
    static void bothSplitsMatchReference(ConvShape[] shapes, long seed, int tileSide,
                                         java.util.function.Predicate<ConvShape> takes, FilterPass pass, double rel) {
        int threads = Parallel.threads();
        SplittableRandom rnd = new SplittableRandom(seed);
        int split = 0;
        try {
            Parallel.setThreads(3);
            for (ConvShape s : shapes) {
                if (!takes.test(s)) continue;
                float[] dy = random(rnd, s.outputSize()), x = random(rnd, s.inputSize());
                float[] want = new float[s.weightSize()];
                Conv2dReference.backwardFilter(want, dy, x, s);
                double bound = rel * 9 * s.batch() * s.outH() * s.outW() + 1e-6;
                for (int mode = 0; mode <= 1; mode++) {
                    ConvWinogradFilter.split = mode;
                    float[] got = new float[s.weightSize()];
                    java.util.Arrays.fill(got, Float.NaN);
                    pass.run(got, dy, x, s);
                    for (int i = 0; i < want.length; i++)
                        if (!(Math.abs(want[i] - got[i]) <= bound))
                            fail("backwardFilter split " + mode + " " + s + " at " + i + ": want " + want[i] + " got "
                                    + got[i]);
                }
                int tiles = s.batch() * ((s.outH() + tileSide - 1) / tileSide) * ((s.outW() + tileSide - 1) / tileSide);
                if (tiles >= 2 * GemmBlocked.NR) split++;
            }
        } finally {
            ConvWinogradFilter.split = -1;
            Parallel.setThreads(threads);
        }
        assertTrue(split >= 2, split + " shapes with tiles for more than one thread");
    }

    @Test
    void filterGradientMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (ConvShape s : SHAPES) {
            float[] dy = random(rnd, s.outputSize()), x = random(rnd, s.inputSize());
            float[] want = new float[s.weightSize()], got = new float[s.weightSize()];
            java.util.Arrays.fill(got, Float.NaN);
            Conv2dReference.backwardFilter(want, dy, x, s);
            ConvWinogradFilter.backwardFilter(got, dy, x, s);
            // each tap sums N * P * Q products of values in [-1, 1]
            double bound = REL * 9 * s.batch() * s.outH() * s.outW() + 1e-6;
            for (int i = 0; i < want.length; i++)
                if (!(Math.abs(want[i] - got[i]) <= bound))
                    fail("backwardFilter " + s + " at " + i + ": want " + want[i] + " got " + got[i] + " bound " + bound);
        }
    }

    @Test
    void convolutionsRouteAllThreePassesHere() {
        // 20 columns: whole F(2x2, 3x3) tiles, but no whole vectors of F(4x4, 3x3) tiles at any width
        ConvShape s = ConvShape.of(3, 64, 20, 20, 64, 3, 1, 1);
        assertTrue(ConvWinograd.suits(s) && !ConvWinograd4.applies(s), "64 channels at 20 x 20");
        SplittableRandom rnd = new SplittableRandom(11);
        float[] x = random(rnd, s.inputSize()), w = random(rnd, s.weightSize()), dy = random(rnd, s.outputSize());
        float[] viaConv = new float[s.outputSize()], direct = new float[s.outputSize()];
        Conv2d.forward(viaConv, x, w, null, s);
        ConvWinograd.forward(direct, x, w, null, s, false);
        assertArrayEquals(direct, viaConv, "Conv2d.forward took this path");
        float[] want = new float[s.inputSize()], got = new float[s.inputSize()];
        Conv2dReference.backwardData(want, dy, w, s);
        Conv2d.backwardData(got, dy, w, s);
        for (int i = 0; i < want.length; i++)
            assertTrue(Math.abs(want[i] - got[i]) <= REL * 64 * 9 + 1e-6, "dx " + i + ": " + want[i] + " vs " + got[i]);
        float[] dwVia = new float[s.weightSize()], dwDirect = new float[s.weightSize()];
        Conv2d.backwardFilter(dwVia, dy, x, s);
        ConvWinogradFilter.backwardFilter(dwDirect, dy, x, s);
        assertArrayEquals(dwDirect, dwVia, "Conv2d.backwardFilter took this path");
    }

    @Test
    void sameResultOnOneThreadAndOnThePool() {
        ConvShape s = ConvShape.of(3, 32, 19, 21, 24, 3, 1, 1);
        SplittableRandom rnd = new SplittableRandom(9);
        float[] x = random(rnd, s.inputSize()), w = random(rnd, s.weightSize());
        float[] pooled = new float[s.outputSize()], single = new float[s.outputSize()];
        ConvWinograd.forward(pooled, x, w, null, s, false);
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(1);
            ConvWinograd.forward(single, x, w, null, s, false);
        } finally {
            Parallel.setThreads(threads);
        }
        assertArrayEquals(single, pooled);
        // the filter gradient splits the tiles by thread count: the same on every run with the same count
        float[] dy = random(rnd, s.outputSize()), dw1 = new float[s.weightSize()], dw2 = new float[s.weightSize()];
        ConvWinogradFilter.backwardFilter(dw1, dy, x, s);
        ConvWinogradFilter.backwardFilter(dw2, dy, x, s);
        assertArrayEquals(dw1, dw2, "two runs on the pool");
    }

    @Test
    void filterTransformMatchesTheMatrixProduct() {
        float[] g = {0.5f, -1f, 2f, 3f, 0.25f, -0.75f, 1.5f, -2f, 1f};
        double[][] gm = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
        float[] t = new float[16];
        ConvWinograd.filter(g, t);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                double u = 0;
                for (int a = 0; a < 3; a++)
                    for (int c = 0; c < 3; c++) u += gm[i][a] * g[3 * a + c] * gm[j][c];
                assertEquals(u, t[4 * i + j], 1e-6, "U(" + i + "," + j + ")");
            }
    }

    @Test
    void takesOnlyUnitStrideThreeByThreeWithEnoughChannels() {
        assertFalse(ConvWinograd.suits(ConvShape.of(1, 16, 8, 8, 16, 3, 2, 1)), "stride 2");
        assertFalse(ConvWinograd.suits(ConvShape.of(1, 16, 8, 8, 16, 1, 1, 0)), "1x1");
        assertFalse(ConvWinograd.suits(ConvShape.of(1, 16, 8, 8, 4, 3, 1, 1)), "4 outputs");
        assertFalse(ConvWinograd.suits(ConvShape.of(1, 8, 8, 8, 16, 3, 1, 1)), "8 inputs");
        assertFalse(ConvWinograd.suits(new ConvShape(1, 16, 8, 8, 16, 3, 3, 1, 1, 2, 2, 2, 2, 1)), "dilation 2");
        assertFalse(ConvWinograd.suits(new ConvShape(1, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 2)), "2 groups");
        assertFalse(ConvWinograd.applies(ConvShape.of(1, 16, 3, 3, 16, 3, 1, 0)), "1 x 1 output");
        assertFalse(ConvWinograd.suits(ConvShape.of(8, 64, 4, 4, 64, 3, 1, 1)), "4 x 4 output: mostly padding lanes");
        assertFalse(ConvWinograd.suits(ConvShape.of(8, 64, 32, 32, 20, 3, 1, 1)), "20 outputs");
        assertTrue(ConvWinograd.suits(ConvShape.of(8, 256, 8, 8, 256, 3, 1, 1)), "256 channels at 8 x 8");
        ConvShape s = ConvShape.of(1, 16, 8, 8, 16, 3, 2, 1);
        assertFalse(ConvWinograd.applies(s));
        assertThrows(IllegalArgumentException.class,
                () -> ConvWinograd.forward(new float[s.outputSize()], new float[s.inputSize()],
                        new float[s.weightSize()], null, s, false));
    }

    @Test
    void switchedOffTheImplicitPathGivesTheSameOutputsWithinRounding() {
        ConvShape s = ConvShape.of(2, 64, 32, 32, 64, 3, 1, 1);
        SplittableRandom rnd = new SplittableRandom(10);
        float[] x = random(rnd, s.inputSize()), w = random(rnd, s.weightSize());
        float[] on = new float[s.outputSize()], off = new float[s.outputSize()];
        Conv2d.forward(on, x, w, null, s);
        ConvWinograd.setEnabled(false);
        try {
            assertFalse(ConvWinograd.suits(s));
            Conv2d.forward(off, x, w, null, s);
        } finally {
            ConvWinograd.setEnabled(true);
        }
        double bound = REL * 64 * 9;
        boolean differs = false;
        for (int i = 0; i < on.length; i++) {
            assertTrue(Math.abs(on[i] - off[i]) <= bound, "output " + i + ": " + on[i] + " vs " + off[i]);
            differs |= on[i] != off[i];
        }
        assertTrue(differs, "the two paths round differently somewhere, so both ran");
    }

    /** Exact-ish outputs in double: [0] the sums, [1] the sums of the terms' magnitudes. */
    static double[][] direct(float[] x, float[] w, ConvShape s) {
        int n = s.batch(), c = s.inChannels(), h = s.inH(), wd = s.inW(), k = s.outChannels();
        int p = s.outH(), q = s.outW();
        double[] sum = new double[s.outputSize()], mag = new double[s.outputSize()];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < k; o++)
                for (int i = 0; i < p; i++)
                    for (int j = 0; j < q; j++) {
                        double acc = 0, abs = 0;
                        for (int ch = 0; ch < c; ch++)
                            for (int r = 0; r < 3; r++)
                                for (int t = 0; t < 3; t++) {
                                    int y = i - s.padH() + r, xx = j - s.padW() + t;
                                    if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
                                    double term = (double) x[((b * c + ch) * h + y) * wd + xx]
                                            * w[((o * c + ch) * 3 + r) * 3 + t];
                                    acc += term;
                                    abs += Math.abs(term);
                                }
                        int at = ((b * k + o) * p + i) * q + j;
                        sum[at] = acc;
                        mag[at] = abs;
                    }
        return new double[][] {sum, mag};
    }

    private static void check(double[][] want, float[] bias, boolean relu, float[] y, ConvShape s, String what) {
        check(want, bias, relu, y, s, what, REL);
    }

    /** Every output within rel x (9 x its terms' magnitude sum + 1) + 1e-6 of the direct sum (+ bias, ReLU). */
    static void check(double[][] want, float[] bias, boolean relu, float[] y, ConvShape s, String what, double rel) {
        int plane = s.outH() * s.outW();
        double worst = 0;
        for (int i = 0; i < y.length; i++) {
            int k = (i / plane) % s.outChannels();
            double v = want[0][i] + (bias == null ? 0 : bias[k]);
            if (relu) v = Math.max(0, v);
            // the patch transform's sums reach 4 input values, the output's 9 products: allow 9x the term sum
            double bound = rel * (9 * want[1][i] + 1) + 1e-6;
            double d = Math.abs(v - y[i]);
            if (!(d <= bound)) fail(what + ": output " + i + " want " + v + " got " + y[i] + " bound " + bound);
            worst = Math.max(worst, d / (9 * want[1][i] + 1));
        }
        assertTrue(worst < rel, what + " worst relative error " + worst);
    }

    static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }
}
