package dev.strix.nn.ops;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.testing.DoubleRef;
import dev.strix.nn.testing.DoubleRef.Dense;
import dev.strix.nn.testing.GradCheck;
import dev.strix.nn.testing.GradCheck64;
import dev.strix.nn.testing.GradCheck64.Case;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.strix.nn.testing.GradCheck64.param;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Float64 gradient checks of every differentiable public op in {@code dev.strix.nn.ops} (see {@link GradCheck64}
 * for the method and the tolerances), and a coverage test that fails when a public op has no such check.
 *
 * <p>The checks live in {@link Float64ElementwiseChecks}, {@link Float64NetworkChecks} and
 * {@link Float64ReduceShapeChecks}; each {@link Case} names the op signatures it exercises, and the coverage test
 * reads those names, so an op counts as covered only by a check that runs here.
 */
class Float64GradCheckTest {
    /** The classes whose public static tensor-returning methods must all be checked or allowlisted. */
    static final Class<?>[] OP_CLASSES = {ActivationOps.class, ConvOps.class, MathOps.class, NormOps.class,
            PoolOps.class, ReduceOps.class, ShapeOps.class, SoftmaxOps.class};

    /** Public ops without a gradient, each with the reason. */
    static final Map<String, String> NOT_DIFFERENTIABLE = Map.of(
            "MathOps.sign(Tensor)", "piecewise constant: its gradient is zero almost everywhere and it records no history",
            "MathOps.fullLike(Tensor,float)", "a constant: the value does not depend on the input's values, no history",
            "ConvOps.conv2dInference(Tensor,Tensor,Tensor,int,int,int,int,Tensor[],float,boolean)",
            "inference only: records no history; its forward is checked against conv, batch norm and ReLU run one by one "
                    + "(nn.layers.SequentialFusionTest)");

    static List<Case> allCases() {
        List<Case> all = new ArrayList<>();
        all.addAll(Float64ElementwiseChecks.cases());
        all.addAll(Float64NetworkChecks.cases());
        all.addAll(Float64ReduceShapeChecks.cases());
        return all;
    }

    @TestFactory
    Stream<DynamicTest> float64GradientChecks() {
        return allCases().stream().map(c -> DynamicTest.dynamicTest(c.name(), c.check()::run));
    }

    @Test
    void everyPublicOpHasAFloat64Check() {
        GradCheck64.assertCoverage(OP_CLASSES, allCases(), NOT_DIFFERENTIABLE);
        // the enumeration itself must see the ops (a broken filter would make the check vacuous)
        assertTrue(GradCheck64.publicTensorOps(OP_CLASSES).size() >= 40,
                "found only " + GradCheck64.publicTensorOps(OP_CLASSES));
    }

    @Test
    void theReferencesAgreeWithHandComputedValues() {
        Float64NetworkChecks.referenceSanity();
    }

    /** An op whose backward is off by 0.1%: the check must reject it. */
    @Test
    void aBackwardOffByATenthOfAPercentFails() {
        GradCheck64.Ref ref = in -> DoubleRef.map(in[0], Math::exp);
        GradCheck.Fn wrong = in -> {
            Tensor x = in[0];
            Tensor y;
            try (var ignored = Autograd.noGrad()) {
                y = MathOps.exp(x);
            }
            return Autograd.record(y, "exp_off_by_a_tenth_of_a_percent", g -> new Tensor[] {MathOps.scale(MathOps.mul(g, y), 1.001f)}, x);
        };
        Dense x = Float64ElementwiseChecks.uniform(1, -1, 1, 3, 5);
        GradCheck64.check("exp, right backward", ref, in -> MathOps.exp(in[0]), param(x));
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> GradCheck64.check("exp, wrong backward",
                ref, wrong, param(x)));
        assertTrue(e.getMessage().contains("float32 autograd vs float64 finite differences"), e.getMessage());
    }

    /** A point within the finite-difference step of a kink must be reported, not silently averaged over. */
    @Test
    void aKinkWithinTheStepIsReported() {
        for (double at : new double[] {0, 3e-7, -8e-7}) {
            Dense x = new Dense(new int[] {3}, new double[] {0.5, at, -0.25});
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> GradCheck64.check("relu near 0",
                    in -> DoubleRef.map(in[0], v -> Math.max(v, 0)), in -> ActivationOps.relu(in[0]), param(x)));
            assertTrue(e.getMessage().contains("not smooth"), e.getMessage());
        }
    }
}
