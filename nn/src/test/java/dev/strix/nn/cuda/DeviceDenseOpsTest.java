package dev.strix.nn.cuda;

import static dev.strix.nn.cuda.Bounds.abs;
import static dev.strix.nn.cuda.Bounds.assertWithin;
import static dev.strix.nn.cuda.Bounds.productRelativeError;
import static dev.strix.nn.cuda.Bounds.uniform;
import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strix.kernels.BatchNormReference;
import dev.strix.kernels.ConvShape;
import dev.strix.kernels.Conv2dReference;
import dev.strix.kernels.GemmReference;
import dev.strix.kernels.PoolShape;
import dev.strix.kernels.PoolingReference;
import dev.strix.kernels.UpsampleReference;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

/**
 * GEMM, convolution, batch norm, pooling and upsampling of every {@link Device} against the scalar references
 * (double accumulation) on the same random inputs.
 *
 * <p>Products are checked per element against a bound proportional to the sum of the magnitudes of the
 * products that make the element (computed by running the reference on |inputs|), with the relative factor of
 * {@link Bounds#productRelativeError}: 1e-5 for strict FP32 (and the CPU), 2e-3 for TF32.
 */
class DeviceDenseOpsTest {
    private static float[] run(Tensor t) {
        return t.toArray();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void gemmAllTranspositionsWithOffsets(Backend backend) {
        Device d = backend.open();
        double rel = productRelativeError(backend.tf32());
        int[][] sizes = {{7, 13, 5}, {1, 31, 65}, {65, 1, 13}, {31, 33, 129}, {1, 1, 1}};
        for (int[] mnk : sizes)
            for (boolean ta : new boolean[] {false, true})
                for (boolean tb : new boolean[] {false, true}) {
                    int m = mnk[0], n = mnk[1], k = mnk[2];
                    int aOff = 3, bOff = 1, cOff = 2;
                    int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
                    float[] a = uniform(m * 7 + k, aOff + (ta ? k : m) * lda, -1, 1);
                    float[] b = uniform(n * 11 + k, bOff + (tb ? n : k) * ldb, -1, 1);
                    float[] c = uniform(m + n, cOff + m * ldc, -1, 1);
                    float[] expected = c.clone(), magnitude = abs(c);
                    GemmReference.sgemm(ta, tb, m, n, k, 0.5f, a, aOff, lda, b, bOff, ldb, 0.25f, expected, cOff, ldc);
                    GemmReference.sgemm(ta, tb, m, n, k, 0.5f, abs(a), aOff, lda, abs(b), bOff, ldb, 0.25f, magnitude,
                            cOff, ldc);
                    Tensor tc = Tensor.from(d, c, c.length);
                    d.gemm(ta, tb, m, n, k, 0.5f, Tensor.from(d, a, a.length), aOff, lda, Tensor.from(d, b, b.length),
                            bOff, ldb, 0.25f, tc, cOff, ldc);
                    assertWithin("gemm " + m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb, expected, run(tc),
                            magnitude, rel, 1e-6);
                }
    }

    /** Odd sizes, strides, padding, dilation, groups and a depthwise case. */
    private static final List<ConvShape> CONV_SHAPES = List.of(
            ConvShape.of(2, 3, 13, 31, 7, 3, 1, 1),
            ConvShape.of(3, 5, 7, 7, 4, 1, 2, 0),
            new ConvShape(2, 6, 13, 13, 9, 3, 3, 2, 2, 2, 2, 2, 2, 3),
            new ConvShape(1, 8, 7, 7, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8),
            ConvShape.of(1, 4, 7, 65, 5, 5, 1, 2));

    @ParameterizedTest
    @EnumSource(Backend.class)
    void convolutionForwardAndBackward(Backend backend) {
        Device d = backend.open();
        double rel = productRelativeError(backend.tf32());
        for (ConvShape s : CONV_SHAPES) {
            float[] x = uniform(s.inputSize(), s.inputSize(), -1, 1), w = uniform(s.weightSize(), s.weightSize(), -1, 1);
            float[] bias = uniform(s.outChannels(), s.outChannels(), -1, 1);
            float[] dy = uniform(s.outputSize(), s.outputSize(), -1, 1);
            int[] xs = {s.batch(), s.inChannels(), s.inH(), s.inW()};
            int[] ws = {s.outChannels(), s.inChannelsPerGroup(), s.kernelH(), s.kernelW()};
            int[] ys = {s.batch(), s.outChannels(), s.outH(), s.outW()};
            Tensor tx = Tensor.from(d, x, xs), tw = Tensor.from(d, w, ws), tdy = Tensor.from(d, dy, ys);

            float[] y = new float[s.outputSize()], ymag = new float[s.outputSize()];
            Conv2dReference.forward(y, x, w, bias, s);
            Conv2dReference.forward(ymag, abs(x), abs(w), abs(bias), s);
            Tensor ty = Tensor.zeros(d, ys);
            d.conv2dForward(ty, tx, tw, Tensor.from(d, bias, s.outChannels()), s);
            assertWithin("conv forward " + s, y, run(ty), ymag, rel, 1e-6);
            Conv2dReference.forward(y, x, w, null, s);
            d.conv2dForward(ty, tx, tw, null, s);
            assertWithin("conv forward without bias " + s, y, run(ty), ymag, rel, 1e-6);

            float[] dx = new float[s.inputSize()], dxmag = new float[s.inputSize()];
            Conv2dReference.backwardData(dx, dy, w, s);
            Conv2dReference.backwardData(dxmag, abs(dy), abs(w), s);
            Tensor tdx = Tensor.zeros(d, xs);
            d.conv2dBackwardData(tdx, tdy, tw, s);
            assertWithin("conv backward data " + s, dx, run(tdx), dxmag, rel, 1e-6);

            float[] dw = new float[s.weightSize()], dwmag = new float[s.weightSize()];
            Conv2dReference.backwardFilter(dw, dy, x, s);
            Conv2dReference.backwardFilter(dwmag, abs(dy), abs(x), s);
            Tensor tdw = Tensor.zeros(d, ws);
            d.conv2dBackwardFilter(tdw, tdy, tx, s);
            assertWithin("conv backward filter " + s, dw, run(tdw), dwmag, rel, 1e-6);

            float[] db = new float[s.outChannels()], dbmag = new float[s.outChannels()];
            Conv2dReference.backwardBias(db, dy, s);
            Conv2dReference.backwardBias(dbmag, abs(dy), s);
            Tensor tdb = Tensor.zeros(d, s.outChannels());
            d.conv2dBackwardBias(tdb, tdy, s);
            // a plain float sum, never TF32: 1e-5 of the magnitude sum as for strict products
            assertWithin("conv backward bias " + s, db, run(tdb), dbmag, 1e-5, 1e-6);
        }
    }

    /**
     * Batch norm on (2, 5, 13, 31): 806 values per channel. cuDNN accumulates the statistics in float; normalised
     * outputs are O(1) and compared with atol 1e-4 + rtol 1e-4 (a float sum of 806 terms is good to about
     * 1e-5 relative; 1e-4 leaves room for the variance's cancellation). eps = 1e-3, far from the default, so that an
     * eps mismatch between forward and backward would show.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void batchNormTrainingInferenceAndBackward(Backend backend) {
        Device d = backend.open();
        int n = 2, c = 5, h = 13, w = 31, hw = h * w, total = n * c * hw;
        int[] shape = {n, c, h, w};
        float eps = 1e-3f, momentum = 0.1f;
        float[] x = uniform(200, total, -2, 3), gamma = uniform(201, c, 0.5, 1.5), beta = uniform(202, c, -1, 1);
        float[] rm = uniform(203, c, -0.5, 0.5), rv = uniform(204, c, 0.5, 2), dy = uniform(205, total, -1, 1);
        float[] y = new float[total], mean = new float[c], invStd = new float[c], erm = rm.clone(), erv = rv.clone();
        BatchNormReference.forwardTraining(y, mean, invStd, x, gamma, beta, erm, erv, momentum, eps, n, c, hw);
        Tensor tx = Tensor.from(d, x, shape), tg = Tensor.from(d, gamma, c), tb = Tensor.from(d, beta, c);
        Tensor ty = Tensor.zeros(d, shape), tm = Tensor.zeros(d, c), ts = Tensor.zeros(d, c);
        Tensor trm = Tensor.from(d, rm, c), trv = Tensor.from(d, rv, c);
        d.batchNormForwardTraining(ty, tm, ts, tx, tg, tb, trm, trv, momentum, eps);
        assertClose("bn training y", y, run(ty), 1e-4, 1e-4);
        assertClose("bn saved mean", mean, run(tm), 1e-5, 1e-4);
        assertClose("bn saved inv std", invStd, run(ts), 1e-5, 1e-4);
        assertClose("bn running mean", erm, run(trm), 1e-5, 1e-4);
        assertClose("bn running var", erv, run(trv), 1e-5, 1e-4);

        // without running statistics (e.g. track_running_stats=False) and with only one of them
        d.batchNormForwardTraining(ty, tm, ts, tx, tg, tb, null, null, momentum, eps);
        assertClose("bn training y without running stats", y, run(ty), 1e-4, 1e-4);
        Tensor onlyMean = Tensor.from(d, rm, c);
        d.batchNormForwardTraining(ty, tm, ts, tx, tg, tb, onlyMean, null, momentum, eps);
        float[] rmOnly = rm.clone();
        BatchNormReference.forwardTraining(new float[total], new float[c], new float[c], x, gamma, beta, rmOnly, null,
                momentum, eps, n, c, hw);
        assertClose("bn running mean alone", rmOnly, run(onlyMean), 1e-5, 1e-4);

        float[] dx = new float[total], dgamma = new float[c], dbeta = new float[c];
        BatchNormReference.backward(dx, dgamma, dbeta, dy, x, gamma, mean, invStd, n, c, hw);
        Tensor tdx = Tensor.zeros(d, shape), tdg = Tensor.zeros(d, c), tdb = Tensor.zeros(d, c);
        d.batchNormBackward(tdx, tdg, tdb, Tensor.from(d, dy, shape), tx, tg, tm, ts);
        assertClose("bn dx", dx, run(tdx), 1e-4, 1e-4);
        // dgamma, dbeta: float sums of 806 terms of magnitude up to ~2.5, whose magnitude sum is ~1000: a float
        // accumulation is good to ~1e-4 absolute; 1e-3 leaves room for cuDNN's blocked partial sums
        assertClose("bn dgamma", dgamma, run(tdg), 1e-3, 1e-4);
        assertClose("bn dbeta", dbeta, run(tdb), 1e-3, 1e-4);

        // relu(batch norm): the reference output clipped, and the reference backward of the clipped gradient
        float[] yr = y.clone(), dyMasked = dy.clone();
        for (int i = 0; i < total; i++) {
            yr[i] = Math.max(yr[i], 0f);
            if (!(y[i] > 0f)) dyMasked[i] = 0f;
        }
        float[] dxr = new float[total], dgr = new float[c], dbr = new float[c];
        BatchNormReference.backward(dxr, dgr, dbr, dyMasked, x, gamma, mean, invStd, n, c, hw);
        d.batchNormReluForwardTraining(ty, tm, ts, tx, tg, tb, null, null, momentum, eps);
        assertClose("bn+relu y", yr, run(ty), 1e-4, 1e-4);
        d.batchNormReluBackward(tdx, tdg, tdb, Tensor.from(d, dy, shape), ty, tx, tg, tm, ts);
        assertClose("bn+relu dx", dxr, run(tdx), 1e-4, 1e-4);
        assertClose("bn+relu dgamma", dgr, run(tdg), 1e-3, 1e-4);
        assertClose("bn+relu dbeta", dbr, run(tdb), 1e-3, 1e-4);

        float[] yi = new float[total];
        BatchNormReference.forwardInference(yi, x, gamma, beta, rm, rv, eps, n, c, hw);
        d.batchNormForwardInference(ty, tx, tg, tb, Tensor.from(d, rm, c), Tensor.from(d, rv, c), eps);
        assertClose("bn inference y", yi, run(ty), 1e-5, 1e-5);
    }

    private static final List<PoolShape> POOL_SHAPES = List.of(
            PoolShape.of(2, 3, 13, 31, 3, 2, 1),
            PoolShape.of(1, 5, 7, 7, 2, 2, 0),
            new PoolShape(2, 2, 65, 13, 3, 5, 1, 2, 1, 2, false),
            new PoolShape(1, 1, 8, 8, 2, 2, 2, 2, 0, 0, true)); // ceil mode with the same output as floor mode

    @ParameterizedTest
    @EnumSource(Backend.class)
    void maxAndAveragePooling(Backend backend) {
        Device d = backend.open();
        for (PoolShape s : POOL_SHAPES) {
            int[] xs = {s.batch(), s.channels(), s.inH(), s.inW()}, ys = {s.batch(), s.channels(), s.outH(), s.outW()};
            // distinct values: no ties, so "the first maximum" is unambiguous on every backend
            float[] x = distinct(s.inputSize(), 300 + s.inH());
            float[] dy = uniform(301, s.outputSize(), -1, 1);
            Tensor tx = Tensor.from(d, x, xs), tdy = Tensor.from(d, dy, ys);
            float[] y = new float[s.outputSize()], dx = new float[s.inputSize()];
            int[] argmax = new int[s.outputSize()];
            PoolingReference.maxForward(y, argmax, x, s);
            Tensor ty = Tensor.zeros(d, ys), tdx = Tensor.zeros(d, xs);
            d.maxPoolForward(ty, tx, s);
            assertArrayEquals(y, run(ty), "max pool forward " + s);
            PoolingReference.maxBackward(dx, dy, argmax, s);
            d.maxPoolBackward(tdx, tdy, tx, ty, s);
            // a window's gradient lands on one element, overlapping windows add: at most 6 terms
            assertClose("max pool backward " + s, dx, run(tdx), 1e-6, 1e-6);
            for (boolean include : new boolean[] {true, false}) {
                PoolingReference.avgForward(y, x, s, include);
                d.avgPoolForward(ty, tx, s, include);
                assertClose("avg pool forward include=" + include + " " + s, y, run(ty), 1e-6, 1e-6);
                PoolingReference.avgBackward(dx, dy, s, include);
                d.avgPoolBackward(tdx, tdy, s, include);
                assertClose("avg pool backward include=" + include + " " + s, dx, run(tdx), 1e-6, 1e-6);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"CUDA_STRICT_FP32"})
    void ceilModeThatChangesTheOutputIsRefusedOnCuda(Backend backend) {
        Device d = backend.open();
        PoolShape s = new PoolShape(1, 4, 7, 7, 2, 2, 2, 2, 0, 0, true);
        Tensor x = Tensor.zeros(d, 1, 4, 7, 7), y = Tensor.zeros(d, 1, 4, 4, 4);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> d.maxPoolForward(y, x, s));
        assertEquals("pooling with ceil_mode=true is not supported on CUDA (cuDNN has no ceil mode): input 7x7, "
                + "kernel 2x2, stride 2x2, pad 0x0 gives 4x4 with ceil mode but 3x3 without; use ceil_mode=false or "
                + "pad the input", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void nearestUpsampling(Backend backend) {
        Device d = backend.open();
        int n = 2, c = 3, h = 7, w = 13;
        for (int[] sc : new int[][] {{2, 2}, {1, 3}, {3, 1}}) {
            float[] x = uniform(400, n * c * h * w, -1, 1);
            int[] ys = {n, c, h * sc[0], w * sc[1]};
            float[] y = new float[n * c * h * w * sc[0] * sc[1]];
            UpsampleReference.nearestForward(y, x, n * c, h, w, sc[0], sc[1]);
            Tensor ty = Tensor.zeros(d, ys);
            d.upsampleNearestForward(ty, Tensor.from(d, x, n, c, h, w), sc[0], sc[1]);
            assertArrayEquals(y, run(ty), "upsample forward " + sc[0] + "x" + sc[1]);
            float[] dy = uniform(401, y.length, -1, 1), dx = new float[x.length];
            UpsampleReference.nearestBackward(dx, dy, n * c, h, w, sc[0], sc[1]);
            Tensor tdx = Tensor.zeros(d, n, c, h, w);
            d.upsampleNearestBackward(tdx, Tensor.from(d, dy, ys), sc[0], sc[1]);
            assertClose("upsample backward " + sc[0] + "x" + sc[1], dx, run(tdx), 1e-6, 1e-6); // sums of <= 3 terms
        }
    }

    /** A random permutation of 0.01 * (0 .. n-1), shifted to straddle zero. */
    private static float[] distinct(int n, long seed) {
        float[] v = new float[n];
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < n; i++) v[i] = 0.01f * i - 0.005f * n;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return v;
    }
}
