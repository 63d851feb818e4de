package dev.strix.nn.ops;

import dev.strix.nn.Tensor;
import dev.strix.nn.testing.GradCheck;
import dev.strix.nn.testing.RandomTensors;
import org.junit.jupiter.api.Test;


import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Finite-difference gradient checks of every op in {@link MathOps}, including broadcasting in both directions.
 * Default {@link GradCheck} settings (eps 1e-2 on float32 inputs, atol 1e-3, rtol 1e-2; the reasoning is in
 * GradCheck's comment). Inputs of ops with kinks are kept at least 0.05 from the kink, well over eps.
 */
class MathOpsGradTest {
    static Tensor param(Tensor t) {
        return t.requiresGrad(true);
    }

    static Tensor normal(long seed, int... shape) {
        return param(RandomTensors.normal(seed, shape));
    }

    /** Grid values 0.2 apart; grids with offsets 0.05 and 0.15 never come within 0.1 of each other or of zero. */
    static Tensor grid(long seed, double offset, int... shape) {
        return param(RandomTensors.grid(seed, 0.2, offset, shape));
    }

    /** Shape pairs that broadcast: same shape, trailing vector, column against matrix, both sides expanding, 0-d. */
    static final int[][][] BROADCASTS = {
            {{2, 3, 4}, {2, 3, 4}}, {{2, 3, 4}, {4}}, {{2, 3, 4}, {3, 1}}, {{3, 1}, {1, 5}}, {{1, 3, 1}, {2, 1, 4}},
            {{2, 3}, {}}, {{}, {7}}};

    @Test
    void addSubMulDivWithBroadcasting() {
        long seed = 1;
        for (int[][] s : BROADCASTS) {
            String shapes = java.util.Arrays.toString(s[0]) + " and " + java.util.Arrays.toString(s[1]);
            GradCheck.check("add " + shapes, in -> MathOps.add(in[0], in[1]), normal(seed++, s[0]), normal(seed++, s[1]));
            GradCheck.check("sub " + shapes, in -> MathOps.sub(in[0], in[1]), normal(seed++, s[0]), normal(seed++, s[1]));
            GradCheck.check("mul " + shapes, in -> MathOps.mul(in[0], in[1]), normal(seed++, s[0]), normal(seed++, s[1]));
            // divisor in [0.5, 2): 1/b'' stays below 16, so the truncation error eps^2/6*|f'''| stays under 1e-3
            GradCheck.check("div " + shapes, in -> MathOps.div(in[0], in[1]), normal(seed++, s[0]),
                    param(RandomTensors.uniform(seed++, 0.5f, 2f, s[1])));
        }
    }

    @Test
    void oneSideWithoutGradient() {
        Tensor constant = RandomTensors.uniform(9, 0.5f, 2f, 3, 1);
        GradCheck.check("div by constant", in -> MathOps.div(in[0], in[1]), normal(8, 2, 3, 4), constant);
        GradCheck.check("constant / x", in -> MathOps.div(in[0], in[1]), constant,
                param(RandomTensors.uniform(10, 0.5f, 2f, 2, 3, 4)));
        GradCheck.check("constant - x", in -> MathOps.sub(in[0], in[1]), RandomTensors.normal(11, 4), normal(12, 3, 4));
    }

    @Test
    void maximumAndMinimum() {
        for (int[][] s : new int[][][] {{{2, 3, 4}, {2, 3, 4}}, {{2, 3, 4}, {3, 1}}, {{5}, {}}}) {
            GradCheck.check("maximum", in -> MathOps.maximum(in[0], in[1]), grid(1, 0.05, s[0]), grid(2, 0.15, s[1]));
            GradCheck.check("minimum", in -> MathOps.minimum(in[0], in[1]), grid(3, 0.05, s[0]), grid(4, 0.15, s[1]));
        }
    }

    @Test
    void maximumSplitsTiesEvenly() {
        Tensor a = param(Tensor.of(new float[] {1, 2, 3}, 3)), b = param(Tensor.of(new float[] {1, 5, 0}, 3));
        MathOps.maximum(a, b).sum().backward();
        assertClose("d max / d a", new float[] {0.5f, 0, 1}, a.grad().toArray(), 0, 0);
        assertClose("d max / d b", new float[] {0.5f, 1, 0}, b.grad().toArray(), 0, 0);
    }

    @Test
    void scalarAndUnaryOps() {
        GradCheck.check("scale", in -> MathOps.scale(in[0], -1.7f), normal(1, 3, 5));
        GradCheck.check("addScalar", in -> MathOps.addScalar(in[0], 0.3f), normal(2, 3, 5));
        GradCheck.check("neg", in -> MathOps.neg(in[0]), normal(3, 7));
        GradCheck.check("exp", in -> MathOps.exp(in[0]), param(RandomTensors.uniform(4, -2f, 2f, 3, 5)));
        // log, sqrt, reciprocal on [0.5, 3): derivatives up to third order stay O(10)
        GradCheck.check("log", in -> MathOps.log(in[0]), param(RandomTensors.uniform(5, 0.5f, 3f, 3, 5)));
        GradCheck.check("sqrt", in -> MathOps.sqrt(in[0]), param(RandomTensors.uniform(6, 0.5f, 3f, 3, 5)));
        GradCheck.check("reciprocal", in -> MathOps.reciprocal(in[0]), param(RandomTensors.uniform(7, 0.5f, 3f, 13)));
        GradCheck.check("abs", in -> MathOps.abs(in[0]), grid(8, 0.05, 3, 5));
        GradCheck.check("square", in -> MathOps.square(in[0]), normal(9, 3, 5));
        GradCheck.check("atan", in -> MathOps.atan(in[0]), param(RandomTensors.uniform(10, -3f, 3f, 3, 5)));
        // the grid keeps every input at least 0.05 from the clamp limits -0.4 and 0.6
        GradCheck.check("clamp", in -> MathOps.clamp(in[0], -0.4f, 0.6f), grid(11, 0.05, 31));
        GradCheck.check("clampMin", in -> MathOps.clampMin(in[0], 0.2f), grid(12, 0.05, 31));
    }

    @Test
    void absAndClampGradientsAtTheEdges() {
        Tensor x = param(Tensor.of(new float[] {-1, 0, 2, 0.5f}, 4));
        MathOps.abs(x).sum().backward();
        assertClose("abs' (0 at 0 as PyTorch)", new float[] {-1, 0, 1, 1}, x.grad().toArray(), 0, 0);
        Tensor y = param(Tensor.of(new float[] {-1, 0, 0.5f, 1, 2}, 5));
        MathOps.clamp(y, 0, 1).sum().backward();
        assertClose("clamp' (limits included, as PyTorch)", new float[] {0, 1, 1, 1, 0}, y.grad().toArray(), 0, 0);
    }

    @Test
    void signAndFullLikeCarryNoHistory() {
        Tensor x = normal(1, 4);
        Tensor s = MathOps.sign(x);
        assertFalse(s.requiresGrad());
        assertNull(s.gradFn());
        float[] xs = x.toArray(), ss = s.toArray();
        for (int i = 0; i < xs.length; i++) assertClose("sign", Math.signum(xs[i]), ss[i], 0, 0);
        Tensor f = MathOps.fullLike(x, 2.5f);
        assertFalse(f.requiresGrad());
        assertArrayEquals(x.shape(), f.shape());
        assertClose("fullLike", new float[] {2.5f, 2.5f, 2.5f, 2.5f}, f.toArray(), 0, 0);
    }
}
