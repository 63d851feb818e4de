package dev.strix.nn.ops;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.Tensor;
import dev.strix.nn.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.strix.nn.ops.MathOpsGradTest.normal;
import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Finite-difference gradient checks of {@link ReduceOps} and {@link ShapeOps} (default GradCheck settings; these
 * ops are linear, so the finite differences are exact up to float32 rounding), plus forward spot checks of the
 * shapes they produce.
 */
class ReduceShapeGradTest {
    @Test
    void sumsAndMeans() {
        GradCheck.check("sum", in -> ReduceOps.sum(in[0]), normal(1, 2, 3, 4));
        GradCheck.check("mean", in -> ReduceOps.mean(in[0]), normal(2, 2, 3, 4));
        for (int axis : new int[] {0, 1, 2, -1}) {
            for (boolean keep : new boolean[] {true, false}) {
                int a = axis, k = keep ? 1 : 0;
                GradCheck.check("sum axis " + a + " keep " + keep, in -> ReduceOps.sum(in[0], a, keep), normal(3 + k, 2, 3, 5));
                GradCheck.check("mean axis " + a + " keep " + keep, in -> ReduceOps.mean(in[0], a, keep), normal(5 + k, 2, 3, 5));
            }
        }
        assertArrayEquals(new int[] {2, 5}, ReduceOps.sum(normal(1, 2, 3, 5), 1, false).shape());
        assertArrayEquals(new int[] {2, 1, 5}, ReduceOps.mean(normal(1, 2, 3, 5), 1, true).shape());
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertClose("sum axis 0", new float[] {5, 7, 9}, ReduceOps.sum(x, 0, false).toArray(), 0, 0);
        assertClose("mean axis 1", new float[] {2, 5}, ReduceOps.mean(x, 1, false).toArray(), 1e-7, 0);
    }

    @Test
    void sumToReversesBroadcasting() {
        for (int[] target : new int[][] {{3, 1}, {4}, {1, 3, 4}, {}, {2, 1, 1}})
            GradCheck.check("sumTo " + java.util.Arrays.toString(target), in -> ReduceOps.sumTo(in[0], target),
                    normal(7, 2, 3, 4));
    }

    @Test
    void reshapeFlattenPermute() {
        GradCheck.check("reshape", in -> ShapeOps.reshape(in[0], 4, -1), normal(1, 2, 3, 4));
        GradCheck.check("flatten(1)", in -> ShapeOps.flatten(in[0], 1), normal(2, 2, 3, 4));
        // a product after the view makes the gradient position-dependent, so a wrong element order would show
        Tensor w = normal(3, 6, 4).requiresGrad(false);
        GradCheck.check("reshape then mul", in -> MathOps.mul(ShapeOps.reshape(in[0], 6, 4), w), normal(4, 2, 3, 4));
        for (int[] perm : new int[][] {{0, 2, 1}, {2, 0, 1}, {1, 2, 0}, {-1, 0, 1}})
            GradCheck.check("permute " + java.util.Arrays.toString(perm), in -> ShapeOps.permute(in[0], perm),
                    normal(5, 2, 3, 4));
        Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
        assertClose("permute values", new float[] {0, 3, 1, 4, 2, 5}, ShapeOps.permute(x, 1, 0).toArray(), 0, 0);
    }

    @Test
    void narrowCatExpand() {
        GradCheck.check("narrow axis 1", in -> ShapeOps.narrow(in[0], 1, 1, 2), normal(1, 2, 4, 3));
        GradCheck.check("narrow last axis", in -> ShapeOps.narrow(in[0], -1, 2, 3), normal(2, 2, 3, 7));
        GradCheck.check("cat axis 1", in -> ShapeOps.cat(List.of(in[0], in[1], in[2]), 1),
                normal(3, 2, 1, 3), normal(4, 2, 4, 3), normal(5, 2, 2, 3));
        GradCheck.check("cat axis 0, one constant", in -> ShapeOps.cat(List.of(in[0], in[1]), 0),
                normal(6, 2, 3).requiresGrad(false), normal(7, 1, 3));
        GradCheck.check("cat last axis", in -> ShapeOps.cat(List.of(in[0], in[1]), -1), normal(8, 2, 3, 2), normal(9, 2, 3, 5));
        GradCheck.check("expand", in -> ShapeOps.expand(in[0], 2, 3, 4), normal(10, 3, 1));
        GradCheck.check("expand 0-d", in -> ShapeOps.expand(in[0], 5), normal(11));
        Tensor a = Tensor.of(new float[] {1, 2}, 2, 1), b = Tensor.of(new float[] {3, 4, 5, 6}, 2, 2);
        assertClose("cat values", new float[] {1, 3, 4, 2, 5, 6}, ShapeOps.cat(List.of(a, b), 1).toArray(), 0, 0);
    }

    @Test
    void toDeviceOnTheSameDevice() {
        GradCheck.check("toDevice", in -> ShapeOps.toDevice(in[0], CpuDevice.INSTANCE), normal(1, 3, 4));
    }
}
