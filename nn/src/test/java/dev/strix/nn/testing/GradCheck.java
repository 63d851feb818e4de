package dev.strix.nn.testing;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ReduceOps;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Gradient checks by central finite differences.
 *
 * <p>For a function {@code f} of several tensors, the scalar objective is {@code L = sum(f(x...) * g)} with a
 * fixed random upstream gradient {@code g} (standard normal, seeded). The autograd gradient
 * {@code Autograd.grad(L, x_i)} is compared with {@code (L(x + eps e_j) - L(x - eps e_j)) / (x_j+eps - (x_j-eps))}
 * for every element {@code j} of every input that {@link Tensor#requiresGrad() requires grad}: the perturbation is
 * applied to the float32 input, the divisor is the step actually representable in float32, and the sum
 * {@code L} is accumulated in double from the float32 outputs. Inputs that do not require grad are passed
 * unchanged as constants.
 *
 * <p>Defaults: {@code eps = 1e-2}, {@code atol = 1e-3}, {@code rtol = 1e-2}. Why: float32 outputs carry a
 * relative rounding error of about 6e-8, which after dividing by {@code 2 eps} and summing over up to a few
 * hundred outputs is ~1e-5 absolute; the truncation error of central differences is {@code eps^2/6 * f'''}, ~2e-5
 * times the third derivative, which is O(1..10) for the smooth ops here. Both sit well under 1e-3 + 1e-2|ref|,
 * while a wrong backward (missing factor, wrong index) gives errors of order |grad|; on the CPU backend the core
 * ops' worst error is below 10% of this tolerance. A backward off by a few percent can slip through: layer
 * tests against PyTorch fixtures catch those. Functions with kinks
 * (ReLU, max, abs, clamp) must be evaluated away from them: use {@link RandomTensors#distinct} with a gap larger
 * than {@code 2 eps}.
 *
 * <p>These are float32 finite differences. {@link GradCheck64} compares the same autograd gradients with finite
 * differences of an independent double-precision reference, with tolerances 10-100x tighter.
 *
 * <pre>{@code
 * Tensor a = RandomTensors.normal(1, 2, 3).requiresGrad(true);
 * Tensor b = RandomTensors.normal(2, 3).requiresGrad(true);
 * GradCheck.check("mul broadcast", in -> MathOps.mul(in[0], in[1]), a, b);
 * GradCheck.check("conv2d", in -> ConvOps.conv2d(in[0], in[1], null, 2, 1, 1, 1), 1e-2, 1e-3, 1e-2, x, w);
 * }</pre>
 */
public final class GradCheck {
    /** Default perturbation of each float32 input element. */
    public static final double DEFAULT_EPS = 1e-2;
    /** Default absolute tolerance (see the class comment). */
    public static final double DEFAULT_ATOL = 1e-3;
    /** Default relative tolerance (see the class comment). */
    public static final double DEFAULT_RTOL = 1e-2;
    /** Seed of the random upstream gradient {@code g}. */
    public static final long UPSTREAM_SEED = 0x5EED;

    /** The function under test; {@code in} holds the inputs in the order they were given. */
    @FunctionalInterface
    public interface Fn {
        Tensor apply(Tensor[] in);
    }

    private GradCheck() {}

    /** Checks with the default eps and tolerances; returns the autograd gradients of the checked inputs. */
    public static List<Tensor> check(String what, Fn f, Tensor... inputs) {
        return check(what, f, DEFAULT_EPS, DEFAULT_ATOL, DEFAULT_RTOL, inputs);
    }

    /**
     * Compares autograd and finite-difference gradients of {@code sum(f(inputs) * g)} for every input that
     * requires grad, failing with {@link Assertions#assertClose} on a mismatch.
     *
     * @return the autograd gradients of the inputs that require grad, in order
     */
    public static List<Tensor> check(String what, Fn f, double eps, double atol, double rtol, Tensor... inputs) {
        List<Tensor> checked = new ArrayList<>();
        for (Tensor t : inputs) if (t.requiresGrad()) checked.add(t);
        if (checked.isEmpty()) throw new IllegalArgumentException(what + ": no input requires grad");

        Tensor out = f.apply(inputs.clone());
        float[] g = upstream(out.numel());
        Tensor loss = ReduceOps.sum(MathOps.mul(out, Tensor.of(g.clone(), out.shape())));
        List<Tensor> analytic = Autograd.grad(loss, checked, false);

        int k = 0;
        for (int i = 0; i < inputs.length; i++) {
            if (!inputs[i].requiresGrad()) continue;
            float[] numeric = numericGradient(f, inputs, i, g, eps);
            Assertions.assertClose(what + ": d/d(input " + i + ") autograd vs finite differences (eps " + eps + ")",
                    numeric, analytic.get(k++).toArray(), atol, rtol);
        }
        return analytic;
    }

    /**
     * Central finite differences of {@code sum(f(inputs) * g)} with respect to input {@code which}, evaluated
     * without recording history.
     *
     * @param g upstream weights, one per output element
     */
    public static float[] numericGradient(Fn f, Tensor[] inputs, int which, float[] g, double eps) {
        float[] x = inputs[which].toArray();
        int[] shape = inputs[which].shape();
        float[] grad = new float[x.length];
        try (var ignored = Autograd.noGrad()) {
            Tensor[] args = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) args[i] = inputs[i].detach();
            for (int j = 0; j < x.length; j++) {
                float[] plus = x.clone(), minus = x.clone();
                plus[j] = (float) (x[j] + eps);
                minus[j] = (float) (x[j] - eps);
                args[which] = Tensor.of(plus, shape);
                double lp = weightedSum(f.apply(args.clone()), g);
                args[which] = Tensor.of(minus, shape);
                double lm = weightedSum(f.apply(args.clone()), g);
                grad[j] = (float) ((lp - lm) / ((double) plus[j] - minus[j]));
            }
        }
        return grad;
    }

    /** The fixed upstream gradient used for an output of {@code n} elements. */
    public static float[] upstream(int n) {
        SplittableRandom r = new SplittableRandom(UPSTREAM_SEED);
        float[] g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (float) RandomTensors.gaussian(r);
        return g;
    }

    /** {@code sum(out * g)} accumulated in double. */
    public static double weightedSum(Tensor out, float[] g) {
        float[] v = out.toArray();
        if (v.length != g.length) throw new IllegalArgumentException("output has " + v.length + " elements, g " + g.length);
        double s = 0;
        for (int i = 0; i < v.length; i++) s += (double) v[i] * g[i];
        return s;
    }
}
