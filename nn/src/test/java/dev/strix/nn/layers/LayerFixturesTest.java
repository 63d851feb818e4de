package dev.strix.nn.layers;

import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.SoftmaxOps;
import dev.strix.nn.testing.Fixtures;
import dev.strix.nn.testing.Fixtures.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every layer against PyTorch's forward and backward on the fixtures in {@code fixtures/layers/}: parameters are
 * loaded through the state dict (PyTorch's names), the output is compared with {@code output}, and the backward
 * of {@code sum(output * grad_output)} with {@code grad.input} and {@code grad.<parameter>}.
 *
 * <p>Tolerances (float32, |values| of order 1): element-wise ops differ from PyTorch only by the last bits of
 * exp/tanh, so 1e-6 + 1e-5|ref|. Convolution and linear outputs sum up to C/g*k*k = 50 products in an order
 * that differs from PyTorch's; the rounding of such sums is a few 1e-7 relative to the sum of |terms| (~5), so
 * 1e-5 + 1e-4|ref|. Weight and bias gradients sum over N*P*Q up to 198 positions of O(1) terms (sum of |terms|
 * ~100), hence 1e-4 + 1e-4|ref|. Batch norm's training backward subtracts two means over 198 values, hence
 * 1e-4 + 1e-4|ref| as well. Measured on the CPU backend: at most 30% of the budget (log-softmax output, 1e-6);
 * convolution outputs differ by up to 1.5e-6, weight gradients by up to 1.1e-5.
 */
class LayerFixturesTest {
    static final double ELEMENTWISE_ATOL = 1e-6, ELEMENTWISE_RTOL = 1e-5;
    static final double SUM_ATOL = 1e-5, SUM_RTOL = 1e-4;
    static final double REDUCED_GRAD_ATOL = 1e-4, REDUCED_GRAD_RTOL = 1e-4;

    static List<String> cases() {
        List<String> c = Fixtures.cases("layers");
        assertFalse(c.isEmpty(), "no layer fixtures found under fixtures/layers");
        return c;
    }

    /** The module (or the bare op for softmax) that the fixture's metadata describes, with its parameters loaded. */
    private record UnderTest(Module module, Layer layer) {}

    private static UnderTest build(Fixture f) {
        String op = f.meta("op");
        Module m = switch (op) {
            case "conv2d" -> new Conv2d(f.metaInt("in_channels"), f.metaInt("out_channels"), f.metaInt("kernel_size"),
                    f.metaInt("stride"), f.metaInt("padding"), f.metaInt("dilation"), f.metaInt("groups"),
                    f.metaBool("bias"));
            case "linear" -> new Linear(f.metaInt("in_features"), f.metaInt("out_features"), f.metaBool("bias"));
            case "batch_norm2d" -> new BatchNorm2d(f.shape("input")[1], f.metaFloat("eps"), f.metaFloat("momentum"));
            case "relu" -> new ReLU();
            case "leaky_relu" -> new LeakyReLU(f.metaFloat("negative_slope"));
            case "silu" -> new SiLU();
            case "sigmoid" -> new Sigmoid();
            case "tanh" -> new Tanh();
            case "max_pool2d" -> new MaxPool2d(f.metaInt("kernel_size"), f.metaInt("stride"), f.metaInt("padding"),
                    f.metaBool("ceil_mode"));
            case "avg_pool2d" -> new AvgPool2d(f.metaInt("kernel_size"), f.metaInt("stride"), f.metaInt("padding"),
                    f.metaBool("ceil_mode"), f.metaBool("count_include_pad"));
            case "upsample_nearest" -> new Upsample(f.metaInt("scale_factor"));
            case "softmax", "log_softmax" -> null;
            default -> throw new AssertionError(f.name() + ": no layer for op '" + op + "'");
        };
        if (m == null) {
            int dim = f.metaInt("dim");
            return new UnderTest(null, op.equals("softmax") ? x -> SoftmaxOps.softmax(x, dim) : x -> SoftmaxOps.logSoftmax(x, dim));
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String name : m.stateDict().keySet())
            state.put(name, name.equals("num_batches_tracked") ? Tensor.ofLongs(new long[] {0}) : f.tensor(name));
        m.loadStateDict(state, true);
        if (f.metadata().containsKey("training")) {
            if (f.metaBool("training")) m.train();
            else m.eval();
        }
        return new UnderTest(m, (Layer) m);
    }

    private static boolean reducesOverProducts(String op) {
        return op.equals("conv2d") || op.equals("linear") || op.equals("batch_norm2d");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardAndBackwardMatchPyTorch(String name) {
        Fixture f = Fixtures.load("layers/" + name);
        UnderTest u = build(f);
        String op = f.meta("op");
        double atol = reducesOverProducts(op) ? SUM_ATOL : ELEMENTWISE_ATOL;
        double rtol = reducesOverProducts(op) ? SUM_RTOL : ELEMENTWISE_RTOL;

        Tensor x = f.tensor("input").requiresGrad(true);
        Tensor y = u.layer().forward(x);
        assertClose(name + " output", f.tensor("output"), y, atol, rtol);

        f.upstreamLoss(y).backward();
        assertClose(name + " grad.input", f.tensor("grad.input"), x.grad(), atol, rtol);
        int checkedParams = 0;
        if (u.module() != null) {
            for (Map.Entry<String, Tensor> p : u.module().namedParameters().entrySet()) {
                Tensor g = p.getValue().grad();
                assertTrue(g != null, name + ": parameter " + p.getKey() + " got no gradient");
                assertClose(name + " grad." + p.getKey(), f.tensor("grad." + p.getKey()), g,
                        REDUCED_GRAD_ATOL, REDUCED_GRAD_RTOL);
                checkedParams++;
            }
        }
        long gradsInFile = f.names().stream().filter(n -> n.startsWith("grad.") && !n.equals("grad.input")).count();
        assertEquals(gradsInFile, checkedParams, name + ": every parameter gradient in the file is compared");

        if (f.has("running_mean.after")) {
            BatchNorm2d bn = (BatchNorm2d) u.module();
            // running statistics: one update of O(1) values with momentum 0.1
            assertClose(name + " running_mean.after", f.tensor("running_mean.after"), bn.runningMean(), 1e-6, 1e-5);
            assertClose(name + " running_var.after", f.tensor("running_var.after"), bn.runningVar(), 1e-6, 1e-5);
            assertEquals(1, bn.numBatchesTracked(), "num_batches_tracked after one training forward");
        }
    }

    @Test
    void batchNormEvalLeavesRunningStatisticsAlone() {
        Fixture f = Fixtures.load("layers/batchnorm2d_eval");
        BatchNorm2d bn = (BatchNorm2d) build(f).module();
        assertFalse(bn.isTraining());
        bn.forward(f.tensor("input"));
        assertClose("running_mean", f.tensor("running_mean"), bn.runningMean(), 0, 0);
        assertClose("running_var", f.tensor("running_var"), bn.runningVar(), 0, 0);
        assertEquals(0, bn.numBatchesTracked());
    }
}
