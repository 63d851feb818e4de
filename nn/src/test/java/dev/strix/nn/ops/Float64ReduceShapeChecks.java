package dev.strix.nn.ops;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.testing.DoubleRef;
import dev.strix.nn.testing.DoubleRef.Dense;
import dev.strix.nn.testing.GradCheck64;
import dev.strix.nn.testing.GradCheck64.Case;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.strix.nn.ops.Float64ElementwiseChecks.normal;
import static dev.strix.nn.testing.GradCheck64.constant;
import static dev.strix.nn.testing.GradCheck64.param;

/**
 * Float64 gradient checks of {@link ReduceOps} and {@link ShapeOps}. The upstream gradient differs at every output
 * position, so a gradient routed to the wrong element (a wrong stride or offset in a backward copy) fails even
 * where the op only moves values. Default {@link GradCheck64.Tolerance}: a full sum over 105 standard-normal
 * elements is off by ~sqrt(105) * 6e-8 * sum|x| ~ 5e-5 at worst, typically far less, against the forward atol
 * 1e-6 scaled by max(1, |sum|) plus rtol; measured: under 10% of the tolerance.
 */
final class Float64ReduceShapeChecks {
    private Float64ReduceShapeChecks() {}

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("sum of all", "ReduceOps.sum(Tensor)", () -> GradCheck64.check("sum",
                in -> Dense.scalar(DoubleRef.sum(in[0])), in -> ReduceOps.sum(in[0]), param(normal(400, 3, 5, 7)))));
        cases.add(new Case("mean of all", "ReduceOps.mean(Tensor)", () -> GradCheck64.check("mean",
                in -> Dense.scalar(DoubleRef.sum(in[0]) / in[0].numel()), in -> ReduceOps.mean(in[0]),
                param(normal(401, 3, 5, 7)))));
        cases.add(new Case("sum of a 0-d tensor", "ReduceOps.sum(Tensor)", () -> GradCheck64.check("sum 0-d",
                in -> Dense.scalar(DoubleRef.sum(in[0])), in -> ReduceOps.sum(in[0]), param(normal(402)))));
        long seed = 410;
        for (int axis : new int[] {0, 1, 2, -1, -2}) {
            for (boolean keep : new boolean[] {true, false}) {
                String s = " axis " + axis + (keep ? " keepdim" : "");
                Dense x = normal(seed++, 3, 5, 7), y = normal(seed++, 3, 5, 7);
                cases.add(new Case("sum" + s, "ReduceOps.sum(Tensor,int,boolean)", () -> GradCheck64.check("sum" + s,
                        in -> DoubleRef.sumAxis(in[0], axis, keep), in -> ReduceOps.sum(in[0], axis, keep), param(x))));
                cases.add(new Case("mean" + s, "ReduceOps.mean(Tensor,int,boolean)", () -> GradCheck64.check("mean" + s,
                        in -> DoubleRef.map(DoubleRef.sumAxis(in[0], axis, keep), v -> v / in[0].size(axis)),
                        in -> ReduceOps.mean(in[0], axis, keep), param(y))));
            }
        }
        for (int[] target : new int[][] {{5, 1}, {7}, {1, 5, 7}, {}, {3, 1, 1}, {3, 5, 7}, {1, 1}}) {
            String name = "sumTo " + Arrays.toString(target);
            cases.add(new Case(name, "ReduceOps.sumTo(Tensor,int[])", () -> GradCheck64.check(name,
                    in -> DoubleRef.sumTo(in[0], target), in -> ReduceOps.sumTo(in[0], target), param(normal(430, 3, 5, 7)))));
        }

        cases.add(new Case("reshape with -1", "ShapeOps.reshape(Tensor,int[])", () -> GradCheck64.check("reshape",
                in -> DoubleRef.reshape(in[0], 5, 21), in -> ShapeOps.reshape(in[0], 5, -1), param(normal(440, 3, 5, 7)))));
        cases.add(new Case("reshape to the same shape", "ShapeOps.reshape(Tensor,int[])", () -> GradCheck64.check(
                "reshape same", in -> in[0], in -> ShapeOps.reshape(in[0], 3, 5), param(normal(441, 3, 5)))));
        // a product after the view makes the gradient depend on where each element went
        Dense w = normal(442, 15, 7);
        cases.add(new Case("reshape then mul", "ShapeOps.reshape(Tensor,int[])", () -> GradCheck64.check("reshape mul",
                in -> DoubleRef.zip(DoubleRef.reshape(in[0], 15, 7), in[1], (a, b) -> a * b),
                in -> MathOps.mul(ShapeOps.reshape(in[0], 15, 7), in[1]), param(normal(443, 3, 5, 7)), constant(w))));
        for (int start : new int[] {0, 1, -2}) {
            String name = "flatten(" + start + ")";
            cases.add(new Case(name, "ShapeOps.flatten(Tensor,int)", () -> GradCheck64.check(name, in -> {
                int a = start < 0 ? start + 3 : start;
                int[] s = Arrays.copyOf(in[0].shape(), a + 1);
                for (int i = a + 1; i < 3; i++) s[a] *= in[0].size(i);
                return DoubleRef.reshape(in[0], s);
            }, in -> ShapeOps.flatten(in[0], start), param(normal(450, 3, 5, 7)))));
        }
        for (int[] perm : new int[][] {{0, 2, 1}, {2, 0, 1}, {1, 2, 0}, {-1, 0, 1}, {0, 1, 2}}) {
            String name = "permute " + Arrays.toString(perm);
            cases.add(new Case(name, "ShapeOps.permute(Tensor,int[])", () -> GradCheck64.check(name,
                    in -> DoubleRef.permute(in[0], perm), in -> ShapeOps.permute(in[0], perm), param(normal(460, 3, 5, 7)))));
        }
        cases.add(new Case("permute 4-d", "ShapeOps.permute(Tensor,int[])", () -> GradCheck64.check("permute 4-d",
                in -> DoubleRef.permute(in[0], 0, 2, 3, 1), in -> ShapeOps.permute(in[0], 0, 2, 3, 1),
                param(normal(461, 2, 3, 5, 3)))));
        // {axis, start, length}
        for (int[] n : new int[][] {{0, 1, 2}, {1, 2, 3}, {-1, 3, 4}, {2, 0, 7}, {1, 4, 1}}) {
            String name = "narrow axis " + n[0] + " [" + n[1] + ", " + (n[1] + n[2]) + ")";
            cases.add(new Case(name, "ShapeOps.narrow(Tensor,int,int,int)", () -> GradCheck64.check(name,
                    in -> DoubleRef.narrow(in[0], n[0], n[1], n[2]), in -> ShapeOps.narrow(in[0], n[0], n[1], n[2]),
                    param(normal(470, 3, 5, 7)))));
        }
        String cat = "ShapeOps.cat(List,int)";
        cases.add(new Case("cat of three along axis 1", cat, () -> GradCheck64.check("cat axis 1",
                in -> DoubleRef.cat(List.of(in[0], in[1], in[2]), 1), in -> ShapeOps.cat(List.of(in[0], in[1], in[2]), 1),
                param(normal(480, 3, 1, 5)), param(normal(481, 3, 4, 5)), param(normal(482, 3, 2, 5)))));
        cases.add(new Case("cat along axis 0, one part constant", cat, () -> GradCheck64.check("cat axis 0 constant",
                in -> DoubleRef.cat(List.of(in[0], in[1]), 0), in -> ShapeOps.cat(List.of(in[0], in[1]), 0),
                constant(normal(483, 2, 3)), param(normal(484, 1, 3)))));
        cases.add(new Case("cat along the last axis", cat, () -> GradCheck64.check("cat last axis",
                in -> DoubleRef.cat(List.of(in[0], in[1]), -1), in -> ShapeOps.cat(List.of(in[0], in[1]), -1),
                param(normal(485, 2, 3, 2)), param(normal(486, 2, 3, 5)))));
        cases.add(new Case("cat of one tensor with itself", cat, () -> GradCheck64.check("cat self",
                in -> DoubleRef.cat(List.of(in[0], in[0]), 0), in -> ShapeOps.cat(List.of(in[0], in[0]), 0),
                param(normal(487, 3, 5)))));
        for (int[][] e : new int[][][] {{{5, 1}, {3, 5, 7}}, {{}, {5}}, {{1, 5, 1}, {3, 5, 7}}, {{7}, {3, 5, 7}}}) {
            String name = "expand " + Arrays.toString(e[0]) + " to " + Arrays.toString(e[1]);
            cases.add(new Case(name, "ShapeOps.expand(Tensor,int[])", () -> GradCheck64.check(name,
                    in -> DoubleRef.expand(in[0], e[1]), in -> ShapeOps.expand(in[0], e[1]), param(normal(490, e[0])))));
        }
        cases.add(new Case("toDevice on the same device", "ShapeOps.toDevice(Tensor,Device)", () -> GradCheck64.check(
                "toDevice", in -> in[0], in -> ShapeOps.toDevice(in[0], CpuDevice.INSTANCE), param(normal(495, 3, 5)))));
        return cases;
    }
}
