package dev.strix.nn.ops;

import dev.strix.nn.Tensor;
import dev.strix.nn.testing.GradCheck;
import dev.strix.nn.testing.RandomTensors;
import org.junit.jupiter.api.Test;

import static dev.strix.nn.ops.MathOpsGradTest.grid;
import static dev.strix.nn.ops.MathOpsGradTest.normal;
import static dev.strix.nn.ops.MathOpsGradTest.param;
import static dev.strix.nn.testing.Assertions.assertClose;

/**
 * Finite-difference gradient checks of the network ops: activations, softmax, pooling, upsampling, convolution,
 * linear, matmul and batch norm. Default GradCheck settings (eps 1e-2, atol 1e-3, rtol 1e-2); inputs of ReLU,
 * LeakyReLU and max pooling come from a grid with 0.2 spacing so that no value sits within eps of a kink or a tie.
 * Sizes are small and odd (5, 7, 9) so that padding and ceil-mode edges occur.
 */
class NnOpsGradTest {
    @Test
    void activations() {
        GradCheck.check("relu", in -> ActivationOps.relu(in[0]), grid(1, 0.05, 2, 3, 5));
        GradCheck.check("leakyRelu", in -> ActivationOps.leakyRelu(in[0], 0.1f), grid(2, 0.05, 2, 3, 5));
        GradCheck.check("silu", in -> ActivationOps.silu(in[0]), param(RandomTensors.uniform(3, -4f, 4f, 2, 3, 5)));
        GradCheck.check("sigmoid", in -> ActivationOps.sigmoid(in[0]), param(RandomTensors.uniform(4, -4f, 4f, 2, 3, 5)));
        GradCheck.check("tanh", in -> ActivationOps.tanh(in[0]), param(RandomTensors.uniform(5, -3f, 3f, 2, 3, 5)));
        GradCheck.check("apply(SILU)", in -> ActivationOps.apply(dev.strix.kernels.Activation.SILU, 0f, in[0]),
                normal(6, 13));
    }

    @Test
    void softmaxAndLogSoftmax() {
        for (int axis : new int[] {0, 1, 3, -1}) {
            GradCheck.check("softmax axis " + axis, in -> SoftmaxOps.softmax(in[0], axis), normal(1, 2, 5, 3, 4));
            GradCheck.check("logSoftmax axis " + axis, in -> SoftmaxOps.logSoftmax(in[0], axis), normal(2, 2, 5, 3, 4));
        }
        GradCheck.check("softmax 2-d", in -> SoftmaxOps.softmax(in[0], 1), normal(3, 3, 7));
        Tensor y = SoftmaxOps.softmax(Tensor.of(new float[] {1000, 1000, 0}, 1, 3), 1);
        assertClose("softmax is shifted (no overflow)", new float[] {0.5f, 0.5f, 0}, y.toArray(), 1e-7, 0);
    }

    @Test
    void pooling() {
        GradCheck.check("maxPool2d k3 s2 p1", in -> PoolOps.maxPool2d(in[0], 3, 2, 1, false), grid(1, 0.05, 2, 2, 7, 9));
        GradCheck.check("maxPool2d k2 s2 ceil", in -> PoolOps.maxPool2d(in[0], 2, 2, 0, true), grid(2, 0.05, 1, 3, 5, 7));
        GradCheck.check("maxPool2d k3 s1", in -> PoolOps.maxPool2d(in[0], 3, 1, 0, false), grid(3, 0.05, 1, 2, 5, 6));
        for (boolean include : new boolean[] {true, false}) {
            GradCheck.check("avgPool2d k3 s2 p1 include " + include,
                    in -> PoolOps.avgPool2d(in[0], 3, 2, 1, false, include), normal(4, 2, 2, 7, 9));
            GradCheck.check("avgPool2d k2 s2 ceil include " + include,
                    in -> PoolOps.avgPool2d(in[0], 2, 2, 0, true, include), normal(5, 1, 3, 5, 7));
            GradCheck.check("avgPool2d k3 s2 p1 ceil include " + include,
                    in -> PoolOps.avgPool2d(in[0], 3, 2, 1, true, include), normal(6, 1, 2, 6, 8));
        }
        GradCheck.check("upsampleNearest 2x2", in -> PoolOps.upsampleNearest(in[0], 2, 2), normal(7, 2, 3, 5, 7));
        GradCheck.check("upsampleNearest 1x3", in -> PoolOps.upsampleNearest(in[0], 1, 3), normal(8, 1, 2, 3, 4));
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertClose("upsample values", new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
                PoolOps.upsampleNearest(x, 2, 2).toArray(), 0, 0);
    }

    @Test
    void conv2dStrideDilationGroups() {
        // {C, K, R, stride, padding, dilation, groups, bias}
        int[][] cases = {{3, 4, 3, 1, 1, 1, 1, 1}, {3, 5, 3, 2, 1, 1, 1, 0}, {4, 6, 3, 2, 2, 2, 2, 1},
                {6, 6, 3, 1, 1, 1, 6, 1}, {5, 3, 1, 1, 0, 1, 1, 1}, {2, 3, 5, 3, 2, 1, 1, 1}};
        long seed = 1;
        for (int[] c : cases) {
            String what = "conv2d C" + c[0] + " K" + c[1] + " R" + c[2] + " s" + c[3] + " p" + c[4] + " d" + c[5] + " g" + c[6];
            Tensor x = normal(seed++, 2, c[0], 7, 6);
            Tensor w = normal(seed++, c[1], c[0] / c[6], c[2], c[2]);
            Tensor b = c[7] == 1 ? normal(seed++, c[1]) : null;
            if (b == null) GradCheck.check(what, in -> ConvOps.conv2d(in[0], in[1], null, c[3], c[4], c[5], c[6]), x, w);
            else GradCheck.check(what, in -> ConvOps.conv2d(in[0], in[1], in[2], c[3], c[4], c[5], c[6]), x, w, b);
        }
        GradCheck.check("conv2d anisotropic stride/padding/dilation",
                in -> ConvOps.conv2d(in[0], in[1], in[2], new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 2}, 1),
                normal(20, 1, 2, 7, 8), normal(21, 3, 2, 3, 3), normal(22, 3));
        GradCheck.check("conv2d input only", in -> ConvOps.conv2d(in[0], in[1], null, 1, 1, 1, 1),
                normal(23, 1, 2, 5, 5), normal(24, 2, 2, 3, 3).requiresGrad(false));
    }

    @Test
    void groupedConv2dMatchesDirectSum() {
        // x (1, 2, 5, 4), w (4, 1, 3, 3), groups 2, stride 2, padding 1: output channel k reads input channel k / 2
        Tensor x = normal(1, 1, 2, 5, 4), w = normal(4, 4, 1, 3, 3), b = normal(5, 4);
        float[] xs = x.toArray(), ws = w.toArray(), bs = b.toArray();
        Tensor y = ConvOps.conv2d(x, w, b, 2, 1, 1, 2);
        int oh = 3, ow = 2;
        float[] expected = new float[4 * oh * ow];
        for (int k = 0; k < 4; k++)
            for (int p = 0; p < oh; p++)
                for (int q = 0; q < ow; q++) {
                    double s = bs[k];
                    int c = k / 2;
                    for (int r = 0; r < 3; r++)
                        for (int t = 0; t < 3; t++) {
                            int h = p * 2 - 1 + r, v = q * 2 - 1 + t;
                            if (h >= 0 && h < 5 && v >= 0 && v < 4) s += (double) xs[(c * 5 + h) * 4 + v] * ws[k * 9 + r * 3 + t];
                        }
                    expected[(k * oh + p) * ow + q] = (float) s;
                }
        // sums of 9 products of O(1) values: float32 rounding well under 1e-5
        assertClose("grouped conv2d vs direct sum", expected, y.toArray(), 1e-5, 1e-5);
    }

    @Test
    void linearAndMatmul() {
        GradCheck.check("linear 3-d input with bias", in -> ConvOps.linear(in[0], in[1], in[2]),
                normal(1, 2, 3, 5), normal(2, 4, 5), normal(3, 4));
        GradCheck.check("linear without bias", in -> ConvOps.linear(in[0], in[1], null), normal(4, 7, 5), normal(5, 1, 5));
        GradCheck.check("matmul", in -> ConvOps.matmul(in[0], in[1]), normal(6, 3, 7), normal(7, 7, 2));
        GradCheck.check("matmul 1xk", in -> ConvOps.matmul(in[0], in[1]), normal(8, 1, 13), normal(9, 13, 1));
    }

    @Test
    void batchNormTrainAndEval() {
        Tensor rm = RandomTensors.normal(1, 3), rv = RandomTensors.uniform(2, 0.5f, 2f, 3);
        // training: the running buffers change on every evaluation, which does not affect the output
        GradCheck.check("batchNorm train", in -> NormOps.batchNorm(in[0], in[1], in[2], rm, rv, true, 0.1f, 1e-5f),
                normal(3, 3, 3, 3, 4), param(RandomTensors.uniform(4, 0.5f, 2f, 3)), normal(5, 3));
        GradCheck.check("batchNorm train 2-d input", in -> NormOps.batchNorm(in[0], in[1], in[2], rm, rv, true, 0.1f, 1e-5f),
                normal(6, 7, 3), normal(7, 3), normal(8, 3));
        Tensor erm = RandomTensors.normal(9, 3), erv = RandomTensors.uniform(10, 0.5f, 2f, 3);
        GradCheck.check("batchNorm eval", in -> NormOps.batchNorm(in[0], in[1], in[2], erm, erv, false, 0.1f, 1e-5f),
                normal(11, 2, 3, 3, 5), normal(12, 3), normal(13, 3));
    }
}
