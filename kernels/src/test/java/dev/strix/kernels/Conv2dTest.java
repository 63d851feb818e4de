package dev.strix.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/** {@link Conv2d} against {@link Conv2dReference}, plus double-precision finite-difference gradient checks. */
@Tag("simd")
class Conv2dTest {
    /** Geometries: stride 1/2, pad 0..3, dilation 2, groups 2 and depthwise, 1x1..7x7, odd sizes, batch 1..3. */
    private static final ConvShape[] SHAPES = {
            ConvShape.of(1, 3, 9, 9, 4, 3, 1, 1),
            ConvShape.of(3, 4, 11, 13, 6, 3, 2, 1),
            ConvShape.of(1, 5, 10, 10, 3, 3, 2, 0),
            ConvShape.of(3, 3, 7, 9, 5, 5, 1, 2),
            ConvShape.of(1, 2, 15, 15, 4, 7, 2, 3),
            ConvShape.of(3, 6, 8, 8, 7, 1, 1, 0),
            ConvShape.of(1, 6, 9, 9, 4, 1, 2, 0),
            ConvShape.of(1, 3, 5, 5, 2, 1, 1, 1),
            ConvShape.of(1, 2, 3, 3, 2, 3, 1, 0),
            new ConvShape(1, 4, 12, 12, 4, 3, 3, 1, 1, 2, 2, 2, 2, 1),
            new ConvShape(3, 4, 9, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2),
            new ConvShape(1, 8, 10, 10, 8, 3, 3, 2, 2, 1, 1, 1, 1, 8),
            new ConvShape(1, 3, 10, 11, 4, 3, 2, 2, 1, 1, 0, 1, 1, 1),
            new ConvShape(3, 4, 5, 7, 6, 1, 1, 1, 1, 0, 0, 1, 1, 2),
            new ConvShape(3, 4, 13, 7, 4, 5, 3, 1, 2, 2, 1, 2, 1, 2),
            // several pixel tiles per image, the last one partial
            ConvShape.of(2, 32, 32, 32, 8, 3, 1, 1),
            ConvShape.of(3, 16, 45, 37, 8, 3, 1, 1),
            ConvShape.of(3, 64, 31, 31, 20, 1, 1, 0),
            // detection-head outputs (1 and 4 channels), padding beyond the kernel's reach, small planes
            ConvShape.of(2, 16, 10, 12, 1, 3, 1, 1),
            ConvShape.of(3, 12, 9, 7, 4, 3, 1, 1),
            ConvShape.of(2, 2, 6, 5, 3, 3, 1, 3),
            ConvShape.of(5, 40, 3, 3, 9, 1, 1, 0),
            // small planes with many outputs: several images per filter-gradient GEMM
            ConvShape.of(3, 8, 6, 6, 32, 3, 1, 1),
            ConvShape.of(5, 8, 7, 6, 40, 3, 2, 1),
            // stride 3: three column phases per row
            ConvShape.of(2, 3, 11, 10, 4, 3, 3, 1),
            // stride 2 on rows wide enough for whole vectors of the even/odd split (any width up to 512 bits)
            ConvShape.of(2, 3, 9, 70, 4, 3, 2, 1),
            ConvShape.of(2, 2, 5, 67, 3, 3, 2, 0),
            // ... and the last whole vector of the split placed to overlap the one before it (64 and 128 wide)
            ConvShape.of(2, 2, 4, 128, 3, 3, 2, 1),
            ConvShape.of(2, 2, 3, 64, 3, 3, 2, 1),
            // rows shorter than the row-copy threshold, stride 1
            ConvShape.of(2, 3, 8, 8, 5, 3, 1, 1),
    };

    // float sums of up to 32*9 products of values in [-1, 1] against double sums: observed differences stay
    // below 2e-5; 1e-4 absolute plus 1e-4 relative leaves room for other summation orders
    private static final double ATOL = 1e-4, RTOL = 1e-4;

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (ConvShape s : SHAPES) {
            float[] x = random(rnd, s.inputSize()), w = random(rnd, s.weightSize()), b = random(rnd, s.outChannels());
            for (float[] bias : new float[][] {b, null}) {
                float[] want = new float[s.outputSize()], got = new float[s.outputSize()];
                Arrays.fill(got, Float.NaN);
                Conv2dReference.forward(want, x, w, bias, s);
                Conv2d.forward(got, x, w, bias, s);
                assertClose(want, got, "forward " + s + (bias == null ? " no bias" : " with bias"));
            }
        }
    }

    /** The implicit-GEMM path on every one-group shape, whatever the batch and thread count would choose. */
    @Test
    void implicitForwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(11);
        int checked = 0;
        for (ConvShape s : SHAPES) {
            if (s.groups() != 1) continue;
            float[] x = random(rnd, s.inputSize()), w = random(rnd, s.weightSize()), b = random(rnd, s.outChannels());
            for (float[] bias : new float[][] {b, null}) {
                float[] want = new float[s.outputSize()], got = new float[s.outputSize()];
                Arrays.fill(got, Float.NaN);
                Conv2dReference.forward(want, x, w, bias, s);
                if (!ConvImplicit.forward(got, x, w, bias, s, false)) continue;
                assertClose(want, got, "implicit forward " + s + (bias == null ? " no bias" : " with bias"));
                checked++;
                for (int i = 0; i < want.length; i++) want[i] = Math.max(0f, want[i]);
                Arrays.fill(got, Float.NaN);
                ConvImplicit.forward(got, x, w, bias, s, true);
                assertClose(want, got, "implicit forward + relu " + s);
            }
        }
        if (checked < 20) fail("only " + checked + " shapes took the implicit path");
    }

    /** The implicit-GEMM filter gradient on every one-group shape, summed over all images. */
    @Test
    void implicitFilterMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(12);
        int checked = 0;
        for (ConvShape s : SHAPES) {
            if (s.groups() != 1) continue;
            float[] dy = random(rnd, s.outputSize()), x = random(rnd, s.inputSize());
            float[] want = new float[s.weightSize()], got = new float[s.weightSize()];
            Conv2dReference.backwardFilter(want, dy, x, s);
            if (!ConvImplicit.filterImages(got, dy, x, s, 0, s.batch(), true)) continue;
            assertClose(want, got, "implicit backwardFilter " + s, 1e-3);
            checked++;
        }
        if (checked < 15) fail("only " + checked + " shapes took the implicit path");
    }

    @Test
    void forwardWithReluMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (ConvShape s : SHAPES) {
            float[] x = random(rnd, s.inputSize()), w = random(rnd, s.weightSize()), b = random(rnd, s.outChannels());
            float[] want = new float[s.outputSize()], got = new float[s.outputSize()];
            Conv2dReference.forward(want, x, w, b, s);
            for (int i = 0; i < want.length; i++) want[i] = Math.max(0f, want[i]);
            Arrays.fill(got, Float.NaN);
            Conv2d.forward(got, x, w, b, s, true);
            assertClose(want, got, "forward + relu " + s);
        }
    }

    @Test
    void backwardDataMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (ConvShape s : SHAPES) {
            float[] dy = random(rnd, s.outputSize()), w = random(rnd, s.weightSize());
            float[] want = new float[s.inputSize()], got = new float[s.inputSize()];
            Arrays.fill(got, Float.NaN);
            Conv2dReference.backwardData(want, dy, w, s);
            Conv2d.backwardData(got, dy, w, s);
            assertClose(want, got, "backwardData " + s);
        }
    }

    @Test
    void backwardFilterMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (ConvShape s : SHAPES) {
            float[] dy = random(rnd, s.outputSize()), x = random(rnd, s.inputSize());
            float[] want = new float[s.weightSize()], got = new float[s.weightSize()];
            Arrays.fill(got, Float.NaN);
            Conv2dReference.backwardFilter(want, dy, x, s);
            Conv2d.backwardFilter(got, dy, x, s);
            // sums over batch * pixels (up to 3 * 1665 terms) instead of the depth: the scalar path differed by
            // up to 1e-4 from the double reference, so allow 1e-3 absolute
            assertClose(want, got, "backwardFilter " + s, 1e-3);
        }
    }

    @Test
    void backwardFilterSplitsBatchOverThreeWorkers() {
        int previous = Parallel.threads();
        Parallel.setThreads(3);
        try {
            SplittableRandom rnd = new SplittableRandom(4);
            for (ConvShape s : new ConvShape[] {ConvShape.of(5, 4, 9, 9, 6, 3, 1, 1), SHAPES[10], SHAPES[5],
                    ConvShape.of(5, 8, 7, 6, 40, 3, 2, 1)}) {
                float[] dy = random(rnd, s.outputSize()), x = random(rnd, s.inputSize());
                float[] want = new float[s.weightSize()], got = new float[s.weightSize()];
                Conv2dReference.backwardFilter(want, dy, x, s);
                Conv2d.backwardFilter(got, dy, x, s);
                assertClose(want, got, "backwardFilter 3 workers " + s, 1e-3);
            }
        } finally {
            Parallel.setThreads(previous);
        }
    }

    /**
     * Shapes large enough that the weight flip of the transposed backward-data, the weight packing and the bias
     * sums are split over the threads: the reference's values, and the same bits at 1 and 3 threads.
     */
    @Test
    void workSplitOverThreadsMatchesReferenceAndOneThread() {
        int previous = Parallel.threads();
        SplittableRandom rnd = new SplittableRandom(21);
        // batch >= threads: both thread counts take the implicit path (smaller batches use the GEMM path when split)
        ConvShape wide = ConvShape.of(3, 64, 6, 6, 128, 3, 1, 1), tall = ConvShape.of(3, 4, 64, 64, 32, 3, 1, 1);
        float[] w = random(rnd, wide.weightSize()), dy = random(rnd, wide.outputSize()), x = random(rnd, wide.inputSize());
        float[] dyTall = random(rnd, tall.outputSize());
        float[] wantDx = new float[wide.inputSize()], wantY = new float[wide.outputSize()], wantDb = new float[32];
        Conv2dReference.backwardData(wantDx, dy, w, wide);
        Conv2dReference.forward(wantY, x, w, null, wide);
        Conv2dReference.backwardBias(wantDb, dyTall, tall);
        float[][] got = new float[2][];
        try {
            for (int run = 0; run < 2; run++) {
                Parallel.setThreads(run == 0 ? 1 : 3);
                float[] dx = new float[wide.inputSize()], y = new float[wide.outputSize()], db = new float[32];
                Conv2d.backwardData(dx, dy, w, wide);
                Conv2d.forward(y, x, w, null, wide);
                Conv2d.backwardBias(db, dyTall, tall);
                assertClose(wantDx, dx, "backwardData " + wide + " run " + run);
                assertClose(wantY, y, "forward " + wide + " run " + run);
                assertClose(wantDb, db, "backwardBias " + tall + " run " + run, 1e-3);
                float[] all = new float[dx.length + y.length + db.length];
                System.arraycopy(dx, 0, all, 0, dx.length);
                System.arraycopy(y, 0, all, dx.length, y.length);
                System.arraycopy(db, 0, all, dx.length + y.length, db.length);
                got[run] = all;
            }
        } finally {
            Parallel.setThreads(previous);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(got[0], got[1], "1 vs 3 threads");
    }

    @Test
    void backwardBiasMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (ConvShape s : SHAPES) {
            float[] dy = random(rnd, s.outputSize());
            float[] want = new float[s.outChannels()], got = new float[s.outChannels()];
            Arrays.fill(got, Float.NaN);
            Conv2dReference.backwardBias(want, dy, s);
            Conv2d.backwardBias(got, dy, s);
            assertClose(want, got, "backwardBias " + s);
        }
    }

    /**
     * L(x, w) = sum(conv(x, w) * g) evaluated in double; central differences of L in x and w must equal
     * backwardData(g) and backwardFilter(g). L is linear in each argument, so the differences are exact up
     * to double rounding and any mismatch comes from the kernels.
     */
    @Test
    void gradientsMatchFiniteDifferencesOfDoubleLoss() {
        SplittableRandom rnd = new SplittableRandom(6);
        ConvShape[] shapes = {SHAPES[1], SHAPES[3], SHAPES[6], SHAPES[9], SHAPES[10], SHAPES[11], SHAPES[14]};
        double h = 1e-2;
        for (ConvShape s : shapes) {
            float[] x = random(rnd, s.inputSize()), w = random(rnd, s.weightSize()), g = random(rnd, s.outputSize());
            float[] dx = new float[s.inputSize()], dw = new float[s.weightSize()];
            Conv2d.backwardData(dx, g, w, s);
            Conv2d.backwardFilter(dw, g, x, s);
            double[] xd = toDouble(x), wd = toDouble(w), gd = toDouble(g);
            double[] fdx = new double[dx.length], fdw = new double[dw.length];
            for (int i = 0; i < xd.length; i++) {
                double keep = xd[i];
                xd[i] = keep + h;
                double up = loss(xd, wd, gd, s);
                xd[i] = keep - h;
                double down = loss(xd, wd, gd, s);
                xd[i] = keep;
                fdx[i] = (up - down) / (2 * h);
            }
            for (int i = 0; i < wd.length; i++) {
                double keep = wd[i];
                wd[i] = keep + h;
                double up = loss(xd, wd, gd, s);
                wd[i] = keep - h;
                double down = loss(xd, wd, gd, s);
                wd[i] = keep;
                fdw[i] = (up - down) / (2 * h);
            }
            assertClose(toFloat(fdx), dx, "d loss / dx vs finite differences " + s);
            // filter gradients sum over batch * pixels terms (up to 3 * 81): scale the absolute tolerance
            assertClose(toFloat(fdw), dw, "d loss / dw vs finite differences " + s, 1e-3);
        }
    }

    @Test
    void shapeValidatesAndMeasures() {
        ConvShape s = new ConvShape(2, 4, 10, 9, 6, 3, 2, 2, 1, 1, 0, 1, 2, 2);
        if (s.outH() != 5 || s.outW() != 7 || s.inputSize() != 720 || s.weightSize() != 72
                || s.outputSize() != 2 * 6 * 35)
            fail("unexpected sizes " + s.outH() + "x" + s.outW() + " " + s.inputSize() + " " + s.weightSize() + " "
                    + s.outputSize());
        assertThrows(IllegalArgumentException.class, () -> ConvShape.of(0, 3, 8, 8, 4, 3, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> ConvShape.of(1, 3, 8, 8, 4, 3, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ConvShape.of(1, 3, 8, 8, 4, 3, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> ConvShape.of(1, 3, 2, 2, 4, 5, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new ConvShape(1, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Conv2d.forward(new float[3], new float[s.inputSize()], new float[s.weightSize()], null, s));
    }

    /** sum(conv(x, w) * g) in double, straight from the definition. */
    private static double loss(double[] x, double[] w, double[] g, ConvShape s) {
        int oh = s.outH(), ow = s.outW(), cg = s.inChannelsPerGroup(), kg = s.outChannelsPerGroup();
        double total = 0;
        for (int n = 0; n < s.batch(); n++)
            for (int k = 0; k < s.outChannels(); k++)
                for (int p = 0; p < oh; p++)
                    for (int q = 0; q < ow; q++) {
                        double y = 0;
                        for (int c = 0; c < cg; c++)
                            for (int r = 0; r < s.kernelH(); r++)
                                for (int t = 0; t < s.kernelW(); t++) {
                                    int ih = p * s.strideH() - s.padH() + r * s.dilationH();
                                    int iw = q * s.strideW() - s.padW() + t * s.dilationW();
                                    if (ih < 0 || ih >= s.inH() || iw < 0 || iw >= s.inW()) continue;
                                    int ci = (k / kg) * cg + c;
                                    y += x[((n * s.inChannels() + ci) * s.inH() + ih) * s.inW() + iw]
                                            * w[((k * cg + c) * s.kernelH() + r) * s.kernelW() + t];
                                }
                        total += y * g[((n * s.outChannels() + k) * oh + p) * ow + q];
                    }
        return total;
    }

    private static void assertClose(float[] want, float[] got, String what) {
        assertClose(want, got, what, ATOL);
    }

    private static void assertClose(float[] want, float[] got, String what, double atol) {
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs((double) want[i] - got[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            if (d > worst) {
                worst = d;
                worstAt = i;
            }
        }
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs((double) want[i] - got[i]);
            if (!(d <= atol + RTOL * Math.abs(want[i])))
                fail(what + ": index " + i + " expected " + want[i] + " but got " + got[i]
                        + "; largest difference " + worst + " at index " + worstAt);
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }
}
