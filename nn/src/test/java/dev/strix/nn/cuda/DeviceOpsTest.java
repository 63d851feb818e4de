package dev.strix.nn.cuda;

import static dev.strix.nn.cuda.Bounds.uniform;
import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strix.kernels.Activation;
import dev.strix.kernels.ActivationsReference;
import dev.strix.kernels.Elementwise.Binary;
import dev.strix.kernels.Elementwise.Unary;
import dev.strix.kernels.ElementwiseReference;
import dev.strix.kernels.OptimizerUpdatesReference;
import dev.strix.kernels.ReductionsReference;
import dev.strix.kernels.SoftmaxReference;
import dev.strix.nn.Device;
import dev.strix.nn.Shapes;
import dev.strix.nn.Tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Memory, elementwise, reduction, softmax and optimizer ops of every {@link Device}, against the scalar
 * references of {@code dev.strix.kernels} on the same random inputs. The dense ops (GEMM, convolution, batch
 * norm, pooling, upsampling) are in {@link DeviceDenseOpsTest}.
 *
 * <p>Tolerances: copies, fills, permutations, ABS/NEG/SIGN, max/min, clamp and their gradients must match
 * exactly. Arithmetic and transcendental functions: atol 1e-6 + rtol 1e-5 (CUDA's expf, logf, atanf, tanhf are
 * within 2 ulps, about 2.4e-7 relative, and kernels composing them, e.g. sigmoid or SiLU, add a few more ulps;
 * 1e-5 relative leaves margin while catching any wrong formula). Sums: see {@link #sumsOfAllElements}.
 */
class DeviceOpsTest {
    private static final double ATOL = 1e-6, RTOL = 1e-5;
    private static final int N = 4099; // not a multiple of any block or vector size

    private static float[] run(Tensor t) {
        return t.toArray();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void uploadDownloadCopyAndFill(Backend backend) {
        Device d = backend.open();
        for (int n : new int[] {1, 7, 13, 31, 65, 1 << 20 | 3}) {
            float[] v = uniform(n, n, -5, 5);
            Tensor t = Tensor.from(d, v, n);
            assertArrayEquals(v, t.toArray(), "round trip of " + n);
            Tensor c = Tensor.zeros(d, n);
            assertArrayEquals(new float[n], c.toArray(), "allocate zero-fills");
            d.copy(c, t);
            assertArrayEquals(v, c.toArray(), "copy of " + n);
            d.fill(c, -2.5f);
            float[] expected = new float[n];
            java.util.Arrays.fill(expected, -2.5f);
            assertArrayEquals(expected, c.toArray(), "fill of " + n);
            d.fill(c, 0f);
            assertArrayEquals(new float[n], c.toArray(), "zero fill of " + n);
        }
        assertEquals(0, Tensor.zeros(d, 0, 3).toArray().length);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void stridedCopyPermutesAndSlices(Backend backend) {
        Device d = backend.open();
        int[] shape = {3, 7, 13};
        float[] v = uniform(1, 3 * 7 * 13, -1, 1);
        Tensor x = Tensor.from(d, v, shape);
        // permute (3,7,13) -> (13,3,7): out[k][i][j] = x[i][j][k]
        Tensor y = Tensor.zeros(d, 13, 3, 7);
        d.stridedCopy(y, 0, new int[] {7, 1, 21}, x, 0, new int[] {7 * 13, 13, 1}, shape);
        float[] expected = new float[v.length];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 7; j++)
                for (int k = 0; k < 13; k++) expected[k * 21 + i * 7 + j] = v[i * 91 + j * 13 + k];
        assertArrayEquals(expected, run(y), "permute");
        // slice x[1:3, 2:5, 4:11] into the middle of a zero (2,3,7) buffer at offset 0
        Tensor s = Tensor.zeros(d, 2, 3, 7);
        d.stridedCopy(s, 0, Shapes.strides(new int[] {2, 3, 7}), x, 91 + 2 * 13 + 4, new int[] {91, 13, 1},
                new int[] {2, 3, 7});
        float[] sl = new float[42];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 7; k++) sl[i * 21 + j * 7 + k] = v[(i + 1) * 91 + (j + 2) * 13 + k + 4];
        assertArrayEquals(sl, run(s), "slice");
        // rank 0: one element
        Tensor one = Tensor.zeros(d, 1);
        d.stridedCopy(one, 0, new int[0], x, 5, new int[0], new int[0]);
        assertEquals(v[5], run(one)[0]);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void unaryOps(Backend backend) {
        Device d = backend.open();
        for (Unary op : Unary.values()) {
            boolean positive = op == Unary.LOG || op == Unary.SQRT || op == Unary.RECIPROCAL;
            float[] v = uniform(op.ordinal(), N, positive ? 0.1 : -3, 3);
            if (op == Unary.SIGN) v[7] = 0f;
            float[] expected = new float[N];
            ElementwiseReference.unary(op, expected, v, N);
            Tensor out = Tensor.zeros(d, N);
            d.unary(op, out, Tensor.from(d, v, N));
            assertClose("unary " + op, expected, run(out), ATOL, RTOL);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void binaryOpsSameShapeAndBroadcast(Backend backend) {
        Device d = backend.open();
        for (Binary op : Binary.values()) {
            float[] a = uniform(10 + op.ordinal(), N, -3, 3);
            float[] b = uniform(20 + op.ordinal(), N, 0.5, 3); // positive: DIV stays well conditioned
            float[] expected = new float[N];
            ElementwiseReference.binary(op, expected, a, b, N);
            Tensor out = Tensor.zeros(d, N);
            d.binary(op, out, Tensor.from(d, a, N), Tensor.from(d, b, N));
            assertClose("binary " + op, expected, run(out), ATOL, RTOL);

            int[] as = {7, 1, 13}, bs = {5, 1}, os = {7, 5, 13};
            float[] ba = uniform(30 + op.ordinal(), 91, -3, 3), bb = uniform(40 + op.ordinal(), 5, 0.5, 3);
            float[] be = new float[7 * 5 * 13];
            ElementwiseReference.broadcast(op, be, os, ba, Shapes.broadcastStrides(as, os), bb,
                    Shapes.broadcastStrides(bs, os));
            Tensor bo = Tensor.zeros(d, os);
            d.binary(op, bo, Tensor.from(d, ba, as), Tensor.from(d, bb, bs));
            assertClose("broadcast " + op, be, run(bo), ATOL, RTOL);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void scaleAddScalarAxpyClamp(Backend backend) {
        Device d = backend.open();
        float[] x = uniform(3, N, -3, 3), y = uniform(4, N, -3, 3);
        Tensor tx = Tensor.from(d, x, N), out = Tensor.zeros(d, N);
        float[] e = new float[N];
        ElementwiseReference.scale(e, x, -1.75f, N);
        d.scale(out, tx, -1.75f);
        assertClose("scale", e, run(out), ATOL, RTOL);
        ElementwiseReference.addScalar(e, x, 0.3f, N);
        d.addScalar(out, tx, 0.3f);
        assertClose("addScalar", e, run(out), ATOL, RTOL);
        float[] ey = y.clone();
        ElementwiseReference.axpy(ey, 0.6f, x, N);
        Tensor ty = Tensor.from(d, y, N);
        d.axpy(ty, 0.6f, tx);
        assertClose("axpy", ey, run(ty), ATOL, RTOL);
        ElementwiseReference.clamp(e, x, -1f, 0.5f, N);
        d.clamp(out, tx, -1f, 0.5f);
        assertArrayEquals(e, run(out), "clamp");
        x[0] = -1f;
        x[1] = 0.5f; // the bounds themselves pass the gradient
        tx = Tensor.from(d, x, N);
        float[] ed = new float[N];
        for (int i = 0; i < N; i++) ed[i] = x[i] >= -1f && x[i] <= 0.5f ? y[i] : 0f;
        d.clampBackward(out, Tensor.from(d, y, N), tx, -1f, 0.5f);
        assertArrayEquals(ed, run(out), "clampBackward");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void activationsForwardAndBackward(Backend backend) {
        Device d = backend.open();
        for (Activation kind : Activation.values()) {
            float alpha = 0.1f;
            float[] x = uniform(50 + kind.ordinal(), N, -6, 6), dy = uniform(60 + kind.ordinal(), N, -1, 1);
            float[] y = new float[N], dx = new float[N];
            ActivationsReference.forward(kind, alpha, y, x, N);
            ActivationsReference.backward(kind, alpha, dx, dy, x, N);
            Tensor tx = Tensor.from(d, x, N), ty = Tensor.zeros(d, N), tdx = Tensor.zeros(d, N);
            d.activationForward(kind, alpha, ty, tx);
            assertClose(kind + " forward", y, run(ty), ATOL, RTOL);
            d.activationBackward(kind, alpha, tdx, Tensor.from(d, dy, N), tx, ty);
            assertClose(kind + " backward from x and y", dx, run(tdx), ATOL, RTOL);
            if (kind != Activation.SILU) { // SiLU needs x; the others also work from y alone
                d.fill(tdx, 7f);
                d.activationBackward(kind, alpha, tdx, Tensor.from(d, dy, N), kind == Activation.SIGMOID
                        || kind == Activation.TANH ? null : tx, kind == Activation.SIGMOID || kind == Activation.TANH
                        ? ty : null);
                assertClose(kind + " backward from one side", dx, run(tdx), ATOL, RTOL);
            }
        }
    }

    /** The fused BCE and focal losses on logits and their gradients, against the definitions in double. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void fusedBinaryLossesForwardAndBackward(Backend backend) {
        Device d = backend.open();
        float[] x = uniform(70, N, -12, 12), t = uniform(71, N, 0, 1), dy = uniform(72, N, -1, 1);
        for (int i = 0; i < N; i += 2) t[i] = t[i] < 0.5f ? 0f : 1f; // hard labels and soft targets
        Tensor tx = Tensor.from(d, x, N), tt = Tensor.from(d, t, N), tdy = Tensor.from(d, dy, N);
        Tensor loss = Tensor.zeros(d, N), dx = Tensor.zeros(d, N);
        float[] el = new float[N], ed = new float[N];
        for (int i = 0; i < N; i++) {
            double p = 1 / (1 + Math.exp(-x[i]));
            el[i] = (float) bce(x[i], t[i]);
            ed[i] = (float) (dy[i] * (p - t[i]));
        }
        d.bceWithLogitsForward(loss, tx, tt);
        assertClose("bce forward", el, run(loss), ATOL, RTOL);
        d.bceWithLogitsBackward(dx, tdy, tx, tt);
        assertClose("bce backward", ed, run(dx), ATOL, RTOL);
        for (float[] ag : new float[][] {{0.25f, 2f}, {-1f, 2f}, {0.5f, 0f}, {0.25f, 1.5f}}) {
            float alpha = ag[0], gamma = ag[1];
            for (int i = 0; i < N; i++) {
                double xi = x[i], ti = t[i], p = 1 / (1 + Math.exp(-xi));
                double m = 1 - (p * ti + (1 - p) * (1 - ti)), at = alpha >= 0 ? alpha * ti + (1 - alpha) * (1 - ti) : 1;
                double g = (p - ti) * Math.pow(m, gamma);
                if (gamma != 0 && m > 0) g += bce(xi, ti) * gamma * Math.pow(m, gamma - 1) * -p * (1 - p) * (2 * ti - 1);
                el[i] = (float) (at * bce(xi, ti) * Math.pow(m, gamma));
                ed[i] = (float) (dy[i] * at * g);
            }
            d.focalLossForward(loss, tx, tt, alpha, gamma);
            assertClose("focal forward alpha " + alpha + " gamma " + gamma, el, run(loss), ATOL, RTOL);
            d.focalLossBackward(dx, tdy, tx, tt, alpha, gamma);
            assertClose("focal backward alpha " + alpha + " gamma " + gamma, ed, run(dx), 1e-5, 1e-4);
        }
    }

    /** IoU-family box losses of random overlapping and disjoint pairs against the definitions in double. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void fusedBoxLossesForwardAndBackward(Backend backend) {
        Device d = backend.open();
        int n = 1031;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(73);
        float[] p = new float[4 * n], g = new float[4 * n], dy = uniform(74, n, -1, 1);
        for (int i = 0; i < n; i++) {
            double x = 30 * rnd.nextDouble(), y = 30 * rnd.nextDouble(), w = 2 + 20 * rnd.nextDouble(), h = 2 + 20 * rnd.nextDouble();
            double px = x + 8 * rnd.nextGaussian(), py = y + 8 * rnd.nextGaussian();
            float[] gt = {(float) x, (float) y, (float) (x + w), (float) (y + h)};
            float[] pr = {(float) px, (float) py, (float) (px + w * (0.5 + rnd.nextDouble())), (float) (py + h * (0.5 + rnd.nextDouble()))};
            System.arraycopy(gt, 0, g, 4 * i, 4);
            System.arraycopy(pr, 0, p, 4 * i, 4);
        }
        Tensor tp = Tensor.from(d, p, n, 4), tg = Tensor.from(d, g, n, 4), tdy = Tensor.from(d, dy, n);
        Tensor loss = Tensor.zeros(d, n), dp = Tensor.zeros(d, n, 4);
        float eps = 1e-7f;
        for (dev.strix.kernels.LossKernels.BoxLoss kind : dev.strix.kernels.LossKernels.BoxLoss.values()) {
            float[] el = new float[n], ed = new float[4 * n];
            for (int i = 0; i < n; i++) {
                double[] pi = {p[4 * i], p[4 * i + 1], p[4 * i + 2], p[4 * i + 3]}, gi = {g[4 * i], g[4 * i + 1], g[4 * i + 2], g[4 * i + 3]};
                double alpha = boxRef(kind, pi, gi, eps, Double.NaN)[1];
                el[i] = (float) boxRef(kind, pi, gi, eps, alpha)[0];
                for (int c = 0; c < 4; c++) { // central differences, CIoU's alpha held constant
                    double h = 1e-4, keep = pi[c];
                    pi[c] = keep + h;
                    double up = boxRef(kind, pi, gi, eps, alpha)[0];
                    pi[c] = keep - h;
                    double down = boxRef(kind, pi, gi, eps, alpha)[0];
                    pi[c] = keep;
                    ed[4 * i + c] = (float) (dy[i] * (up - down) / (2 * h));
                }
            }
            d.boxLossForward(kind, eps, loss, tp, tg);
            assertClose(kind + " forward", el, run(loss), 1e-5, 1e-5);
            d.boxLossBackward(kind, eps, dp, tdy, tp, tg);
            assertClose(kind + " backward", ed, run(dp), 1e-4, 1e-3);
        }
    }

    /** {loss, CIoU's alpha} of one pair; alpha = NaN computes it, a number holds it fixed. */
    private static double[] boxRef(dev.strix.kernels.LossKernels.BoxLoss kind, double[] p, double[] g, double eps,
                                    double frozenAlpha) {
        double iw = Math.min(p[2], g[2]) - Math.max(p[0], g[0]), ih = Math.min(p[3], g[3]) - Math.max(p[1], g[1]);
        double inter = Math.max(iw, 0) * Math.max(ih, 0);
        double union = (p[2] - p[0]) * (p[3] - p[1]) + (g[2] - g[0]) * (g[3] - g[1]) - inter;
        double iou = inter / (union + eps);
        double cw = Math.max(p[2], g[2]) - Math.min(p[0], g[0]), ch = Math.max(p[3], g[3]) - Math.min(p[1], g[1]);
        switch (kind) {
            case IOU: return new double[] {1 - iou, 0};
            case GIOU: return new double[] {1 - (iou - (cw * ch - union) / (cw * ch + eps)), 0};
            default: break;
        }
        double dx = (p[0] + p[2]) / 2 - (g[0] + g[2]) / 2, dyc = (p[1] + p[3]) / 2 - (g[1] + g[3]) / 2;
        double diou = 1 - iou + (dx * dx + dyc * dyc) / (cw * cw + ch * ch + eps);
        if (kind == dev.strix.kernels.LossKernels.BoxLoss.DIOU) return new double[] {diou, 0};
        double a = Math.atan((g[2] - g[0]) / (g[3] - g[1] + eps)) - Math.atan((p[2] - p[0]) / (p[3] - p[1] + eps));
        double v = 4 / (Math.PI * Math.PI) * a * a;
        double alpha = Double.isNaN(frozenAlpha) ? v / (1 - iou + v + eps) : frozenAlpha;
        return new double[] {diou + alpha * v, alpha};
    }

    private static double bce(double x, double t) {
        return Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /**
     * Sums are compared against a double reference with atol = 1e-5 times the sum of magnitudes: a float sum of
     * n terms has a worst-case error of n 2^-24 times that, blocked and tree sums far less; 1e-5 is about 170
     * ulps of the magnitude sum, while a lost or doubled block of 256 terms would be off by more than 1e-3 of it.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void sumsOfAllElements(Backend backend) {
        Device d = backend.open();
        for (int n : new int[] {1, 7, 65, N, 1 << 20 | 5}) {
            float[] x = uniform(70 + n, n, -1, 1);
            double magnitude = ReductionsReference.sum(Bounds.abs(x), 0, n);
            Tensor t = Tensor.from(d, x, n);
            assertClose("sum of " + n, ReductionsReference.sum(x, 0, n), d.sum(t), 1e-5 * magnitude, 0);
            double squares = ReductionsReference.sumSquares(x, n);
            assertClose("sumSquares of " + n, squares, d.sumSquares(t), 1e-5 * squares, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sumToBroadcastShapes(Backend backend) {
        Device d = backend.open();
        int[] xs = {7, 5, 13};
        float[] x = uniform(80, 7 * 5 * 13, -1, 1);
        Tensor tx = Tensor.from(d, x, xs);
        int[][] targets = {{5, 1}, {13}, {7, 1, 1}, {1}, {7, 5, 13}, {1, 5, 13}};
        for (int[] target : targets) {
            boolean[] reduce = new boolean[3];
            int off = 3 - target.length;
            for (int i = 0; i < 3; i++) reduce[i] = (i < off ? 1 : target[i - off]) == 1 && xs[i] != 1;
            float[] e = new float[(int) Shapes.numel(target)];
            ReductionsReference.sumAxes(e, x, xs, reduce);
            Tensor out = Tensor.zeros(d, target);
            d.sumTo(out, tx);
            // at most 455 terms of magnitude <= 1 per output: 1e-5 absolute is ~ 2.7 ulps of 455
            assertClose("sumTo " + java.util.Arrays.toString(target), e, run(out), 1e-5, 1e-6);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void softmaxAndLogSoftmaxWithBackward(Backend backend) {
        Device d = backend.open();
        int[] shape = {3, 31, 7};
        int n = 3 * 31 * 7;
        for (int axis : new int[] {0, 1, -1}) {
            int[] v = Shapes.aroundAxis(shape, Shapes.axis(axis, 3));
            float[] x = uniform(90 + axis, n, -8, 8), dy = uniform(95 + axis, n, -1, 1);
            Tensor tx = Tensor.from(d, x, shape), tdy = Tensor.from(d, dy, shape);
            float[] y = new float[n], dx = new float[n];
            Tensor ty = Tensor.zeros(d, shape), tdx = Tensor.zeros(d, shape);
            SoftmaxReference.softmax(y, x, v[0], v[1], v[2]);
            d.softmax(ty, tx, axis);
            assertClose("softmax axis " + axis, y, run(ty), ATOL, RTOL);
            SoftmaxReference.softmaxBackward(dx, dy, y, v[0], v[1], v[2]);
            d.softmaxBackward(tdx, tdy, ty, axis);
            assertClose("softmax backward axis " + axis, dx, run(tdx), ATOL, RTOL);
            SoftmaxReference.logSoftmax(y, x, v[0], v[1], v[2]);
            d.logSoftmax(ty, tx, axis);
            assertClose("log_softmax axis " + axis, y, run(ty), ATOL, RTOL);
            SoftmaxReference.logSoftmaxBackward(dx, dy, y, v[0], v[1], v[2]);
            d.logSoftmaxBackward(tdx, tdy, ty, axis);
            assertClose("log_softmax backward axis " + axis, dx, run(tdx), ATOL, RTOL);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void optimizerUpdates(Backend backend) {
        Device d = backend.open();
        float[] p = uniform(100, N, -1, 1), g = uniform(101, N, -1, 1), buf = uniform(102, N, -1, 1);
        for (boolean nesterov : new boolean[] {false, true})
            for (boolean first : new boolean[] {true, false}) {
                float[] ep = p.clone(), eb = buf.clone();
                OptimizerUpdatesReference.sgd(ep, g, eb, 0.1f, 0.9f, 0f, 1e-4f, nesterov, first, N);
                Tensor tp = Tensor.from(d, p, N), tb = Tensor.from(d, buf, N);
                d.sgdUpdate(tp, Tensor.from(d, g, N), tb, 0.1f, 0.9f, 0f, 1e-4f, nesterov, first);
                assertClose("sgd param nesterov=" + nesterov + " first=" + first, ep, run(tp), ATOL, RTOL);
                assertClose("sgd buffer nesterov=" + nesterov + " first=" + first, eb, run(tb), ATOL, RTOL);
            }
        float[] ep = p.clone();
        OptimizerUpdatesReference.sgd(ep, g, null, 0.05f, 0f, 0f, 0f, false, true, N);
        Tensor plain = Tensor.from(d, p, N);
        d.sgdUpdate(plain, Tensor.from(d, g, N), null, 0.05f, 0f, 0f, 0f, false, true);
        assertClose("sgd without momentum", ep, run(plain), ATOL, RTOL);

        float[] m = uniform(103, N, -0.1, 0.1), v = uniform(104, N, 0, 0.01);
        for (boolean decoupled : new boolean[] {false, true}) {
            float[] ap = p.clone(), am = m.clone(), av = v.clone();
            OptimizerUpdatesReference.adam(ap, g, am, av, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, 3, N);
            Tensor tp = Tensor.from(d, p, N), tm = Tensor.from(d, m, N), tv = Tensor.from(d, v, N);
            d.adamUpdate(tp, Tensor.from(d, g, N), tm, tv, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, 3);
            assertClose("adam param decoupled=" + decoupled, ap, run(tp), ATOL, RTOL);
            assertClose("adam exp_avg decoupled=" + decoupled, am, run(tm), ATOL, RTOL);
            assertClose("adam exp_avg_sq decoupled=" + decoupled, av, run(tv), ATOL, RTOL);
        }
        float[] ema = uniform(105, N, -1, 1), ee = ema.clone();
        OptimizerUpdatesReference.ema(ee, p, 0.9998f, N);
        Tensor te = Tensor.from(d, ema, N);
        d.emaUpdate(te, Tensor.from(d, p, N), 0.9998f);
        assertClose("ema", ee, run(te), ATOL, RTOL);
    }
}
