package dev.strix.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.Tensor;
import dev.strix.nn.losses.BinaryLosses;
import dev.strix.nn.losses.BoxLosses;
import dev.strix.nn.losses.Reduction;
import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ReduceOps;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * The loss, decoding and cast kernels of {@link CudaLossKernels} against the CPU: BinaryLosses and BoxLosses
 * (values with Reduction.NONE, gradients from the CPU autograd with the same upstream gradient), a scalar loop for
 * the decoding, {@link Float#floatToFloat16} and a round-to-nearest-even bfloat16 for the casts. Skips without a
 * usable GPU.
 *
 * <p>Tolerances: values atol 1e-6 + rtol 1e-5 (expf, logf, powf, atanf of CUDA are within 2 ulp and the CPU's
 * Math within 1, and the CPU composes the same formula from separate ops: a few roundings of 6e-8 each);
 * gradients atol 1e-6 + rtol 1e-4 of the largest gradient (the kernel's hand-derived chain and the autograd's
 * op-by-op chain round in different places, and a gradient is a difference of terms up to ~1/eps-scaled ratios
 * for the box losses: 1e-4 is about 1,000 float ulps of the result, far below any formula error, which shows as
 * O(1) relative). Decoding and casts are exact.
 */
class CudaLossKernelsTest {
    private static final int N = 10_007; // not a multiple of the block size

    private static long addr(Tensor t) {
        return ((CudaStorage) t.storage()).address();
    }

    private static float[] uniform(SplittableRandom r, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return v;
    }

    private static float[] boxes(SplittableRandom r, int n) {
        float[] b = new float[4 * n];
        for (int i = 0; i < n; i++) {
            float x = (float) (80 * r.nextDouble()), y = (float) (80 * r.nextDouble());
            b[4 * i] = x;
            b[4 * i + 1] = y;
            b[4 * i + 2] = x + (float) (1 + 40 * r.nextDouble());
            b[4 * i + 3] = y + (float) (1 + 40 * r.nextDouble());
        }
        return b;
    }

    /** CPU value and gradient of sum(loss(a, b) * dy) with respect to a. */
    private record Reference(float[] value, float[] grad) {
        static Reference of(float[] a, int[] shape, float[] b, float[] dy, BiFunction<Tensor, Tensor, Tensor> loss) {
            Tensor ta = Tensor.from(CpuDevice.INSTANCE, a, shape).requiresGrad(true);
            Tensor tb = Tensor.from(CpuDevice.INSTANCE, b, shape);
            Tensor l = loss.apply(ta, tb);
            ReduceOps.sum(MathOps.mul(l, Tensor.from(CpuDevice.INSTANCE, dy, l.shape()))).backward();
            return new Reference(l.toArray(), ta.grad().toArray());
        }
    }

    private static float[] abs(float[] v, double floor) {
        double m = floor;
        for (float f : v) m = Math.max(m, Math.abs(f));
        float[] out = new float[v.length];
        java.util.Arrays.fill(out, (float) m);
        return out;
    }

    @Test
    void bceAndFocalLossAgreeWithTheCpu() {
        CudaDevice d = Backend.cuda();
        SplittableRandom r = new SplittableRandom(7);
        float[] x = uniform(r, N, -8, 8), t = new float[N], dy = uniform(r, N, 0.5, 2);
        for (int i = 0; i < N; i++) t[i] = i % 5 == 0 ? (float) r.nextDouble() : i % 2;
        try (CudaLossKernels k = new CudaLossKernels(d.context())) {
            Tensor gx = Tensor.from(d, x, N), gt = Tensor.from(d, t, N), gdy = Tensor.from(d, dy, N);
            Tensor loss = Tensor.zeros(d, N), dx = Tensor.zeros(d, N);
            var stream = d.context().stream();
            Reference bce = Reference.of(x, new int[] {N}, t, dy, (a, b) -> BinaryLosses.bceWithLogits(a, b, null, Reduction.NONE));
            k.bceWithLogitsForward(stream, addr(loss), addr(gx), addr(gt), N);
            k.bceWithLogitsBackward(stream, addr(dx), addr(gdy), addr(gx), addr(gt), N);
            Bounds.assertWithin("bce value", bce.value(), loss.toArray(), Bounds.abs(bce.value()), 1e-5, 1e-6);
            Bounds.assertWithin("bce gradient", bce.grad(), dx.toArray(), abs(bce.grad(), 0), 1e-4, 1e-6);
            for (float[] ag : new float[][] {{0.25f, 2f}, {-1f, 2f}, {0.25f, 0f}, {0.5f, 1f}, {0.25f, 1.5f}}) {
                String what = "focal alpha " + ag[0] + " gamma " + ag[1];
                Reference focal = Reference.of(x, new int[] {N}, t, dy,
                        (a, b) -> BinaryLosses.sigmoidFocalLoss(a, b, ag[0], ag[1], Reduction.NONE));
                k.focalLossForward(stream, ag[0], ag[1], addr(loss), addr(gx), addr(gt), N);
                k.focalLossBackward(stream, ag[0], ag[1], addr(dx), addr(gdy), addr(gx), addr(gt), N);
                Bounds.assertWithin(what + " value", focal.value(), loss.toArray(), Bounds.abs(focal.value()), 1e-5, 1e-6);
                Bounds.assertWithin(what + " gradient", focal.grad(), dx.toArray(), abs(focal.grad(), 0), 1e-4, 1e-6);
            }
        }
    }

    @Test
    void iouFamilyLossesAgreeWithTheCpu() {
        CudaDevice d = Backend.cuda();
        SplittableRandom r = new SplittableRandom(8);
        float[] p = boxes(r, N), g = boxes(r, N), dy = uniform(r, N, 0.5, 2);
        for (int i = 0; i < 8; i++) System.arraycopy(g, 4 * i, p, 4 * i, 4); // identical pairs: ties everywhere
        float eps = BoxLosses.DEFAULT_EPS;
        try (CudaLossKernels k = new CudaLossKernels(d.context())) {
            Tensor gp = Tensor.from(d, p, N, 4), gg = Tensor.from(d, g, N, 4), gdy = Tensor.from(d, dy, N);
            Tensor loss = Tensor.zeros(d, N), dp = Tensor.zeros(d, N, 4);
            var stream = d.context().stream();
            for (CudaLossKernels.BoxLoss kind : CudaLossKernels.BoxLoss.values()) {
                BiFunction<Tensor, Tensor, Tensor> f = switch (kind) {
                    case IOU -> (a, b) -> BoxLosses.iouLoss(a, b, eps, Reduction.NONE);
                    case GIOU -> (a, b) -> BoxLosses.giouLoss(a, b, eps, Reduction.NONE);
                    case DIOU -> (a, b) -> BoxLosses.diouLoss(a, b, eps, Reduction.NONE);
                    case CIOU -> (a, b) -> BoxLosses.ciouLoss(a, b, eps, Reduction.NONE);
                };
                Reference ref = Reference.of(p, new int[] {N, 4}, g, dy, f);
                k.boxLossForward(stream, kind, eps, addr(loss), addr(gp), addr(gg), N);
                k.boxLossBackward(stream, kind, eps, addr(dp), addr(gdy), addr(gp), addr(gg), N);
                Bounds.assertWithin(kind + " value", ref.value(), loss.toArray(), Bounds.abs(ref.value()), 1e-5, 1e-6);
                Bounds.assertWithin(kind + " gradient", ref.grad(), dp.toArray(), abs(ref.grad(), 0), 1e-4, 1e-6);
            }
        }
    }

    @Test
    void ltrbDecodingAndItsGradientAreExact() {
        CudaDevice d = Backend.cuda();
        SplittableRandom r = new SplittableRandom(9);
        float[] ltrb = uniform(r, 4 * N, 0, 100), xs = uniform(r, N, 0, 512), ys = uniform(r, N, 0, 512);
        float[] g = uniform(r, 4 * N, -1, 1), boxes = new float[4 * N], dltrb = new float[4 * N];
        for (int i = 0; i < N; i++) {
            boxes[4 * i] = xs[i] - ltrb[4 * i];
            boxes[4 * i + 1] = ys[i] - ltrb[4 * i + 1];
            boxes[4 * i + 2] = xs[i] + ltrb[4 * i + 2];
            boxes[4 * i + 3] = ys[i] + ltrb[4 * i + 3];
            dltrb[4 * i] = -g[4 * i];
            dltrb[4 * i + 1] = -g[4 * i + 1];
            dltrb[4 * i + 2] = g[4 * i + 2];
            dltrb[4 * i + 3] = g[4 * i + 3];
        }
        try (CudaLossKernels k = new CudaLossKernels(d.context())) {
            Tensor out = Tensor.zeros(d, N, 4), dOut = Tensor.zeros(d, N, 4);
            var stream = d.context().stream();
            k.decodeLtrbForward(stream, addr(out), addr(Tensor.from(d, ltrb, N, 4)), addr(Tensor.from(d, xs, N)),
                    addr(Tensor.from(d, ys, N)), N);
            k.decodeLtrbBackward(stream, addr(dOut), addr(Tensor.from(d, g, N, 4)), N);
            org.junit.jupiter.api.Assertions.assertArrayEquals(boxes, out.toArray());
            org.junit.jupiter.api.Assertions.assertArrayEquals(dltrb, dOut.toArray());
        }
    }

    /** bfloat16 of x rounded to nearest even (NaN stays NaN). */
    static short bf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    @Test
    void castsToHalfAndBfloat16RoundToNearestEvenAndBack() {
        CudaDevice d = Backend.cuda();
        SplittableRandom r = new SplittableRandom(10);
        int n = 2 * N;
        float[] x = uniform(r, n, -70000, 70000);
        for (int i = 0; i < n; i += 3) x[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(2, -30 + 50 * r.nextDouble()));
        x[0] = 0f;
        x[1] = -0f;
        x[2] = Float.POSITIVE_INFINITY;
        x[3] = 65520f; // rounds to infinity in half
        x[4] = 5.96e-8f; // half subnormal
        try (CudaLossKernels k = new CudaLossKernels(d.context())) {
            var stream = d.context().stream();
            Tensor gx = Tensor.from(d, x, n), packed = Tensor.zeros(d, n / 2), back = Tensor.zeros(d, n);
            for (boolean half : new boolean[] {true, false}) {
                if (half) k.castF32ToF16(stream, addr(packed), addr(gx), n);
                else k.castF32ToBf16(stream, addr(packed), addr(gx), n);
                if (half) k.castF16ToF32(stream, addr(back), addr(packed), n);
                else k.castBf16ToF32(stream, addr(back), addr(packed), n);
                float[] words = packed.toArray(), restored = back.toArray();
                for (int i = 0; i < n; i++) {
                    int word = Float.floatToRawIntBits(words[i / 2]);
                    short bits = (short) (i % 2 == 0 ? word & 0xFFFF : word >>> 16);
                    short expected = half ? Float.floatToFloat16(x[i]) : bf16(x[i]);
                    assertEquals(expected, bits, (half ? "half" : "bfloat16") + " bits of " + x[i] + " at " + i);
                    float value = half ? Float.float16ToFloat(expected) : Float.intBitsToFloat(expected << 16);
                    assertEquals(Float.floatToRawIntBits(value), Float.floatToRawIntBits(restored[i]),
                            (half ? "half" : "bfloat16") + " back to float of " + x[i] + " at " + i);
                }
            }
        }
    }
}
