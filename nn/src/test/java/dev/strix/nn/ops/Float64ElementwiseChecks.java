package dev.strix.nn.ops;

import dev.strix.kernels.Activation;
import dev.strix.nn.testing.DoubleRef;
import dev.strix.nn.testing.DoubleRef.Dense;
import dev.strix.nn.testing.GradCheck64;
import dev.strix.nn.testing.GradCheck64.Case;
import dev.strix.nn.testing.RandomTensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import static dev.strix.nn.testing.GradCheck64.constant;
import static dev.strix.nn.testing.GradCheck64.param;

/**
 * Float64 gradient checks of {@link MathOps} and {@link ActivationOps}: each op against a one-line double
 * formula, broadcasting in both directions, one side constant. Default {@link GradCheck64.Tolerance} throughout
 * (every output element is one or two float32 operations on its inputs, within a few ulps; reductions only appear
 * in the backward of broadcasts, over at most 14 terms). Ops with kinks (abs, clamp, maximum, minimum, ReLU, LeakyReLU) get inputs
 * on grids at least 0.05 from the kink or from each other: far beyond the 1e-6 finite-difference step, and far
 * enough that float32 rounding of the inputs cannot move them across.
 */
final class Float64ElementwiseChecks {
    private Float64ElementwiseChecks() {}

    /** Shape pairs that broadcast: same shape, trailing vector, column against matrix, both sides expanding, 0-d. */
    static final int[][][] BROADCASTS = {
            {{2, 3, 5}, {2, 3, 5}}, {{2, 3, 5}, {5}}, {{2, 3, 5}, {3, 1}}, {{3, 1}, {1, 5}}, {{1, 3, 1}, {2, 1, 7}},
            {{2, 3}, {}}, {{}, {7}}};

    static Dense normal(long seed, int... shape) {
        return Dense.of(RandomTensors.normal(seed, shape));
    }

    static Dense uniform(long seed, double lo, double hi, int... shape) {
        return Dense.of(RandomTensors.uniform(seed, (float) lo, (float) hi, shape));
    }

    /** Values (k - n/2) * spacing + offset in random order: distinct, and offset-separated from other grids. */
    static Dense grid(long seed, double spacing, double offset, int... shape) {
        return Dense.of(RandomTensors.grid(seed, spacing, offset, shape));
    }

    static GradCheck64.Ref unary(DoubleUnaryOperator f) {
        return in -> DoubleRef.map(in[0], f);
    }

    static GradCheck64.Ref binary(DoubleBinaryOperator f) {
        return in -> DoubleRef.zip(in[0], in[1], f);
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        long[] seed = {100};
        for (int[][] s : BROADCASTS) {
            String shapes = Arrays.toString(s[0]) + " and " + Arrays.toString(s[1]);
            long k = seed[0];
            seed[0] += 10;
            cases.add(new Case("add " + shapes, "MathOps.add(Tensor,Tensor)", () -> GradCheck64.check("add " + shapes,
                    binary(Double::sum), in -> MathOps.add(in[0], in[1]), param(normal(k, s[0])), param(normal(k + 1, s[1])))));
            cases.add(new Case("sub " + shapes, "MathOps.sub(Tensor,Tensor)", () -> GradCheck64.check("sub " + shapes,
                    binary((a, b) -> a - b), in -> MathOps.sub(in[0], in[1]),
                    param(normal(k + 2, s[0])), param(normal(k + 3, s[1])))));
            cases.add(new Case("mul " + shapes, "MathOps.mul(Tensor,Tensor)", () -> GradCheck64.check("mul " + shapes,
                    binary((a, b) -> a * b), in -> MathOps.mul(in[0], in[1]),
                    param(normal(k + 4, s[0])), param(normal(k + 5, s[1])))));
            // divisors of both signs, |b| in [0.5, 2): no pole nearby
            cases.add(new Case("div " + shapes, "MathOps.div(Tensor,Tensor)", () -> GradCheck64.check("div " + shapes,
                    binary((a, b) -> a / b), in -> MathOps.div(in[0], in[1]), param(normal(k + 6, s[0])),
                    param(DoubleRef.map(uniform(k + 7, 0.5, 2, s[1]), v -> v * Math.signum(v - 1.2 + 1e-9))))));
            // grids 0.1 apart with offsets 0.02 and 0.07: a and b never closer than 0.05 (no ties)
            cases.add(new Case("maximum " + shapes, "MathOps.maximum(Tensor,Tensor)", () -> GradCheck64.check(
                    "maximum " + shapes, binary(Math::max), in -> MathOps.maximum(in[0], in[1]),
                    param(grid(k + 8, 0.1, 0.02, s[0])), param(grid(k + 9, 0.1, 0.07, s[1])))));
            cases.add(new Case("minimum " + shapes, "MathOps.minimum(Tensor,Tensor)", () -> GradCheck64.check(
                    "minimum " + shapes, binary(Math::min), in -> MathOps.minimum(in[0], in[1]),
                    param(grid(k + 8, 0.1, 0.07, s[0])), param(grid(k + 9, 0.1, 0.02, s[1])))));
        }
        Dense divisor = uniform(1, 0.5, 2, 3, 1);
        cases.add(new Case("div by a constant", "MathOps.div(Tensor,Tensor)", () -> GradCheck64.check("div by a constant",
                binary((a, b) -> a / b), in -> MathOps.div(in[0], in[1]), param(normal(2, 2, 3, 5)), constant(divisor))));
        cases.add(new Case("constant / x", "MathOps.div(Tensor,Tensor)", () -> GradCheck64.check("constant / x",
                binary((a, b) -> a / b), in -> MathOps.div(in[0], in[1]), constant(divisor),
                param(uniform(3, 0.5, 2, 2, 3, 5)))));
        cases.add(new Case("constant - x", "MathOps.sub(Tensor,Tensor)", () -> GradCheck64.check("constant - x",
                binary((a, b) -> a - b), in -> MathOps.sub(in[0], in[1]), constant(normal(4, 5)), param(normal(5, 3, 5)))));
        cases.add(new Case("x * x (one tensor twice)", "MathOps.mul(Tensor,Tensor)", () -> GradCheck64.check(
                "x * x (one tensor twice)", unary(v -> v * v), in -> MathOps.mul(in[0], in[0]), param(normal(6, 3, 7)))));

        float alpha = -1.7f, shift = 0.3f;
        unaryCase(cases, "scale", "MathOps.scale(Tensor,float)", v -> (double) alpha * v, x -> MathOps.scale(x, alpha),
                normal(10, 3, 5));
        unaryCase(cases, "addScalar", "MathOps.addScalar(Tensor,float)", v -> v + (double) shift,
                x -> MathOps.addScalar(x, shift), normal(11, 3, 5));
        unaryCase(cases, "neg", "MathOps.neg(Tensor)", v -> -v, MathOps::neg, normal(12, 7));
        unaryCase(cases, "exp", "MathOps.exp(Tensor)", Math::exp, MathOps::exp, uniform(13, -3, 3, 3, 5));
        unaryCase(cases, "log", "MathOps.log(Tensor)", Math::log, MathOps::log, uniform(14, 0.2, 5, 3, 5));
        unaryCase(cases, "sqrt", "MathOps.sqrt(Tensor)", Math::sqrt, MathOps::sqrt, uniform(15, 0.2, 5, 3, 5));
        unaryCase(cases, "abs", "MathOps.abs(Tensor)", Math::abs, MathOps::abs, grid(16, 0.1, 0.05, 3, 5));
        unaryCase(cases, "square", "MathOps.square(Tensor)", v -> v * v, MathOps::square, normal(17, 3, 5));
        unaryCase(cases, "reciprocal", "MathOps.reciprocal(Tensor)", v -> 1 / v, MathOps::reciprocal,
                DoubleRef.map(uniform(18, 0.4, 3, 13), v -> v > 1.5 ? -v : v));
        unaryCase(cases, "atan", "MathOps.atan(Tensor)", Math::atan, MathOps::atan, uniform(19, -4, 4, 3, 5));
        // grid 0.1 apart with offset 0.05 keeps every input 0.05 from the limits -0.4 and 0.6
        float lo = -0.4f, hi = 0.6f, min = 0.2f;
        unaryCase(cases, "clamp", "MathOps.clamp(Tensor,float,float)", v -> Math.min(Math.max(v, (double) lo), (double) hi),
                x -> MathOps.clamp(x, lo, hi), grid(20, 0.1, 0.05, 31));
        unaryCase(cases, "clampMin", "MathOps.clampMin(Tensor,float)", v -> Math.max(v, (double) min),
                x -> MathOps.clampMin(x, min), grid(21, 0.1, 0.05, 31));

        float slope = 0.1f;
        DoubleUnaryOperator relu = v -> Math.max(v, 0), leaky = v -> v > 0 ? v : slope * v;
        DoubleUnaryOperator sigmoid = v -> 1 / (1 + Math.exp(-v)), silu = v -> v / (1 + Math.exp(-v));
        unaryCase(cases, "relu", "ActivationOps.relu(Tensor)", relu, ActivationOps::relu, grid(30, 0.1, 0.05, 2, 3, 5));
        unaryCase(cases, "leakyRelu", "ActivationOps.leakyRelu(Tensor,float)", leaky, x -> ActivationOps.leakyRelu(x, slope),
                grid(31, 0.1, 0.05, 2, 3, 5));
        unaryCase(cases, "silu", "ActivationOps.silu(Tensor)", silu, ActivationOps::silu, uniform(32, -6, 6, 2, 3, 5));
        unaryCase(cases, "sigmoid", "ActivationOps.sigmoid(Tensor)", sigmoid, ActivationOps::sigmoid,
                uniform(33, -6, 6, 2, 3, 5));
        unaryCase(cases, "tanh", "ActivationOps.tanh(Tensor)", Math::tanh, ActivationOps::tanh, uniform(34, -3, 3, 2, 3, 5));
        for (Activation kind : Activation.values()) {
            DoubleUnaryOperator f = switch (kind) {
                case RELU -> relu;
                case LEAKY_RELU -> leaky;
                case SILU -> silu;
                case SIGMOID -> sigmoid;
                case TANH -> Math::tanh;
            };
            unaryCase(cases, "apply(" + kind + ")", "ActivationOps.apply(Activation,float,Tensor)", f,
                    x -> ActivationOps.apply(kind, slope, x), grid(40 + kind.ordinal(), 0.1, 0.05, 3, 7));
        }
        return cases;
    }

    private static void unaryCase(List<Case> cases, String name, String covers, DoubleUnaryOperator ref,
                                  java.util.function.UnaryOperator<dev.strix.nn.Tensor> op, Dense x) {
        cases.add(new Case(name, covers, () -> GradCheck64.check(name, unary(ref), in -> op.apply(in[0]), param(x))));
    }
}
