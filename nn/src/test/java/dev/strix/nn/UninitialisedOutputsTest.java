package dev.strix.nn;

import dev.strix.kernels.Activation;
import dev.strix.kernels.ConvShape;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ops whose outputs come from {@link Tensor#empty} (convolutions, batch norm, the ReLU mask of conv + ReLU,
 * permutes, the sums of a tensor's gradients in the backward pass)
 * must write every element: each device call here runs once into a NaN-filled output and once into a zero-filled
 * one, and the two must hold the same bits.
 */
class UninitialisedOutputsTest {
    private static final CpuDevice DEV = CpuDevice.INSTANCE;

    /** Winograd (32 and 64 channels), implicit GEMM (stride 2, heads), pointwise and grouped shapes. */
    private static final ConvShape[] SHAPES = {
            ConvShape.of(2, 32, 12, 12, 32, 3, 1, 1),
            ConvShape.of(2, 64, 9, 10, 64, 3, 1, 1),
            ConvShape.of(3, 16, 13, 11, 24, 3, 2, 1),
            ConvShape.of(2, 64, 8, 8, 4, 3, 1, 1),
            ConvShape.of(2, 24, 7, 7, 16, 1, 1, 0),
            new ConvShape(2, 8, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 2),
    };

    @Test
    void theBuildsTestJvmSkipsTheZeroFill() {
        // the surefire flags export jdk.internal.misc (as strix.jar's manifest does): the fast path is what is tested
        assertTrue(CpuDevice.uninitialisedArrays(), "allocateUninitialized reachable");
        assertEquals(100_000L, DEV.allocateUninitialised(100_000).size());
        assertEquals(7L, DEV.allocateUninitialised(7).size());
        Tensor t = Tensor.empty(DEV, 3, 50, 50);
        assertArrayEquals(new int[] {3, 50, 50}, t.shape());
    }

    @Test
    void convolutionsWriteEveryOutput() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (ConvShape s : SHAPES) {
            Tensor x = random(rnd, s.batch(), s.inChannels(), s.inH(), s.inW());
            Tensor w = random(rnd, s.outChannels(), s.inChannels() / s.groups(), s.kernelH(), s.kernelW());
            Tensor b = random(rnd, s.outChannels());
            Tensor dy = random(rnd, s.batch(), s.outChannels(), s.outH(), s.outW());
            int[] ys = {s.batch(), s.outChannels(), s.outH(), s.outW()};
            same("forward " + s, ys, y -> DEV.conv2dForward(y, x, w, b, s));
            same("forward + relu " + s, ys, y -> DEV.conv2dForwardRelu(y, x, w, b, s));
            same("backward data " + s, x.shape(), dx -> DEV.conv2dBackwardData(dx, dy, w, s));
            same("backward filter " + s, w.shape(), dw -> DEV.conv2dBackwardFilter(dw, dy, x, s));
            same("backward bias " + s, b.shape(), db -> DEV.conv2dBackwardBias(db, dy, s));
            same("relu mask " + s, ys, m -> DEV.activationBackward(Activation.RELU, 0f, m, dy, null, dy));
        }
    }

    @Test
    void batchNormWritesEveryOutput() {
        SplittableRandom rnd = new SplittableRandom(4);
        int n = 3, c = 5, h = 7, w = 9;
        Tensor x = random(rnd, n, c, h, w), dy = random(rnd, n, c, h, w);
        Tensor gamma = random(rnd, c), beta = random(rnd, c);
        Tensor mean = Tensor.zeros(DEV, c), invStd = Tensor.zeros(DEV, c);
        Tensor runMean = Tensor.zeros(DEV, c), runVar = Tensor.full(DEV, 1f, c);
        int[] xs = x.shape();
        same("forward", xs, y -> DEV.batchNormForwardTraining(y, mean, invStd, x, gamma, beta, null, null, 0.1f, 1e-5f));
        same("forward + relu", xs,
                y -> DEV.batchNormReluForwardTraining(y, mean, invStd, x, gamma, beta, null, null, 0.1f, 1e-5f));
        same("inference", xs, y -> DEV.batchNormForwardInference(y, x, gamma, beta, runMean, runVar, 1e-5f));
        same("backward", xs, dx -> DEV.batchNormBackward(dx, Tensor.zeros(DEV, c), Tensor.zeros(DEV, c), dy, x,
                gamma, mean, invStd));
        Tensor y = Tensor.zeros(DEV, xs);
        DEV.batchNormReluForwardTraining(y, mean, invStd, x, gamma, beta, null, null, 0.1f, 1e-5f);
        same("backward + relu", xs, dx -> DEV.batchNormReluBackward(dx, Tensor.zeros(DEV, c), Tensor.zeros(DEV, c),
                dy, y, x, gamma, mean, invStd));
    }

    @Test
    void permutesAndGradientSumsWriteEveryOutput() {
        SplittableRandom rnd = new SplittableRandom(5);
        Tensor x = random(rnd, 2, 20, 5, 6), y = random(rnd, 2, 20, 5, 6);
        // permute (NCHW -> NHWC, and back) and the sum of two gradients of one tensor (Autograd's accumulation)
        same("permute", new int[] {2, 5, 6, 20}, o -> DEV.stridedCopy(o, 0, o.strides(), x, 0,
                new int[] {600, 6, 1, 30}, o.shape()));
        same("permute back", x.shape(), o -> DEV.stridedCopy(o, 0, o.strides(), x.reshape(2, 5, 6, 20), 0,
                new int[] {600, 1, 120, 20}, o.shape()));
        same("gradient sum", x.shape(), o -> DEV.binary(dev.strix.kernels.Elementwise.Binary.ADD, o, x, y));
    }

    /** Runs {@code op} into a NaN-filled and a zero-filled output of the given shape: same bits, no NaN. */
    private static void same(String what, int[] shape, Consumer<Tensor> op) {
        Tensor nan = Tensor.full(DEV, Float.NaN, shape), zero = Tensor.zeros(DEV, shape);
        op.accept(nan);
        op.accept(zero);
        float[] a = nan.toArray(), b = zero.toArray();
        assertTrue(Arrays.stream(box(a)).noneMatch(v -> Float.isNaN(v)), what + ": an output element was not written");
        assertArrayEquals(b, a, what);
    }

    private static Float[] box(float[] a) {
        Float[] r = new Float[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }

    private static Tensor random(SplittableRandom rnd, int... shape) {
        float[] v = new float[Math.toIntExact(Shapes.numel(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        return Tensor.from(DEV, v, shape);
    }
}
