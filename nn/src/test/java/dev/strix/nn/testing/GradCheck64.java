package dev.strix.nn.testing;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ReduceOps;
import dev.strix.nn.testing.DoubleRef.Dense;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Float64 gradient checks: Strix's float32 autograd against finite differences of an independent double-precision
 * reference of the op's forward pass.
 *
 * <p>For an op {@code f} with a double reference {@code ref} (plain loops, see {@link DoubleRef}) and inputs
 * {@code x} (float32-representable doubles, so that both sides see exactly the same point), the scalar objective is
 * {@code L = sum(ref(x) * g)} with a fixed random upstream gradient {@code g} (float32-representable). Then:
 * <ol>
 *   <li>the forward {@code f(x)} in float32 is compared with {@code ref(x)};</li>
 *   <li>the reference gradient is the central difference {@code (L(x + h e_j) - L(x - h e_j)) / 2h} evaluated
 *       entirely in double with {@code h = 1e-6 max(1, |x_j|)}, for every element of every input marked
 *       {@link #param};</li>
 *   <li>the same difference with {@code h/2} must agree with it to 1e-6 (relative), and the one-sided differences
 *       with step {@code h} to 1e-3: otherwise the reference has a kink or tie within the step (or exactly at the
 *       point, where central differences silently average the two slopes), the check is meaningless there, and
 *       the test fails saying so;</li>
 *   <li>Strix's gradient, {@code Autograd.grad(sum(f(x) * g), x)} in float32, is compared with the reference
 *       gradient.</li>
 * </ol>
 *
 * <p>Accuracy of the reference gradient: the truncation error of central differences is
 * {@code h^2/6 |L'''|} ~ 1e-13 for the O(1..100) third derivatives here, and cancellation costs
 * {@code 1e-16 |L| / h} ~ 1e-10 |L|; both are at least 1000x under the tolerances below, so any mismatch is
 * Strix's.
 *
 * <p>Tolerances ({@link Tolerance}): an element passes when
 * {@code |strix - ref| <= atol * max(1, max_i |ref_i|) + rtol * |ref|}. The absolute part is relative to the
 * largest reference value of that tensor, which is the scale float32 rounding errors of sums and dot products
 * follow (an output or gradient element that is a small difference of large terms carries the large terms'
 * rounding error). Defaults: forward {@code atol 1e-6, rtol 1e-6}, gradient {@code atol 1e-5, rtol 1e-4}. Why:
 * float32 has a unit roundoff of 6e-8; an elementwise op is within a few ulps (~3e-7 relative), and a value
 * accumulated over K terms is off by ~sqrt(K) * 6e-8 of the terms' magnitude, ~1e-6 for the K <= ~100 terms per
 * element of these small tests; backward passes chain two or three such steps, hence 10x more room for gradients.
 * Measured on the CPU backend, the worst element of every check uses at most 10% of its tolerance for forward
 * values and 3% for gradients (run with {@code -Dstrix.gradcheck64.report=true} to print each check's share). A
 * wrong backward (missing term, wrong index, wrong factor) shows up at the size of the gradient itself, and a
 * factor off by even 0.1% fails the rtol of 1e-4. Checks that need more pass a larger tolerance with a comment
 * saying why.
 *
 * <pre>{@code
 * Dense a = Dense.of(RandomTensors.normal(1, 2, 3, 5)), b = Dense.of(RandomTensors.normal(2, 3, 1));
 * GradCheck64.check("mul broadcast", in -> DoubleRef.zip(in[0], in[1], (u, v) -> u * v),
 *         in -> MathOps.mul(in[0], in[1]), GradCheck64.Tolerance.DEFAULT, param(a), param(b));
 * }</pre>
 */
public final class GradCheck64 {
    /** Relative step of the central differences. */
    public static final double STEP = 1e-6;
    /** How far the central differences with step h and h/2 may disagree (relative) before the point counts as a kink. */
    public static final double SMOOTHNESS = 1e-6;
    /**
     * How far the one-sided differences with step h may disagree (relative): h * |L''| for a smooth objective,
     * under 1e-3 for the |L''| < 1e3 of these tests, while a kink exactly at the point makes them differ by the
     * jump in slope, O(|g|).
     */
    public static final double ONE_SIDED = 1e-3;
    /** System property that makes every comparison print its worst difference as a fraction of the tolerance. */
    public static final String REPORT_PROPERTY = "strix.gradcheck64.report";
    /** Seed of the random upstream gradient g. */
    public static final long UPSTREAM_SEED = 0xF64;

    /** The double reference of the op's forward pass; {@code in} holds the inputs in the order given. */
    @FunctionalInterface
    public interface Ref {
        Dense apply(Dense[] in);
    }

    /** One input: its value and whether the check differentiates with respect to it. */
    public record Input(Dense value, boolean grad) {}

    /**
     * Tolerances of the forward and gradient comparisons; atol is relative to the largest reference magnitude
     * (at least 1), rtol to each element (see the class comment).
     */
    public record Tolerance(double forwardAtol, double forwardRtol, double gradAtol, double gradRtol) {
        /** Forward atol 1e-6, rtol 1e-6; gradient atol 1e-5, rtol 1e-4 (see the class comment). */
        public static final Tolerance DEFAULT = new Tolerance(1e-6, 1e-6, 1e-5, 1e-4);

        public Tolerance forward(double atol, double rtol) {
            return new Tolerance(atol, rtol, gradAtol, gradRtol);
        }

        public Tolerance grad(double atol, double rtol) {
            return new Tolerance(forwardAtol, forwardRtol, atol, rtol);
        }
    }

    private GradCheck64() {}

    /** An input the check differentiates with respect to. */
    public static Input param(Dense value) {
        return new Input(value, true);
    }

    /** An input held constant (passed to Strix without requiring grad). */
    public static Input constant(Dense value) {
        return new Input(value, false);
    }

    /** {@link #check(String, Ref, GradCheck.Fn, Tolerance, Input...)} with {@link Tolerance#DEFAULT}. */
    public static void check(String what, Ref ref, GradCheck.Fn op, Input... inputs) {
        check(what, ref, op, Tolerance.DEFAULT, inputs);
    }

    /**
     * Runs the check described in the class comment, failing with the first few mismatches and the largest
     * difference.
     *
     * @param ref    double reference of the forward pass
     * @param op     the Strix op, applied to float32 tensors of the same values
     * @param inputs values (rounded to float32 first) and whether to differentiate with respect to each
     */
    public static void check(String what, Ref ref, GradCheck.Fn op, Tolerance tol, Input... inputs) {
        Dense[] x = new Dense[inputs.length];
        for (int i = 0; i < inputs.length; i++) x[i] = roundToFloat(inputs[i].value());
        Dense expected = ref.apply(x.clone());

        Tensor[] t = new Tensor[inputs.length];
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            t[i] = x[i].toTensor().requiresGrad(inputs[i].grad());
            if (inputs[i].grad()) params.add(t[i]);
        }
        if (params.isEmpty()) throw new IllegalArgumentException(what + ": no input is a param");
        Tensor out = op.apply(t.clone());
        if (!Arrays.equals(expected.shape(), out.shape()))
            fail(what + ": forward shape " + Arrays.toString(out.shape()) + ", reference " + Arrays.toString(expected.shape()));
        compare(what + ": forward vs float64 reference", expected.data(), toDouble(out.toArray()), tol.forwardAtol(),
                tol.forwardRtol());

        double[] g = upstream(expected.numel());
        float[] gf = new float[g.length];
        for (int i = 0; i < g.length; i++) gf[i] = (float) g[i];
        Tensor loss = ReduceOps.sum(MathOps.mul(out, Tensor.of(gf, out.shape())));
        List<Tensor> grads = Autograd.grad(loss, params, false);

        int k = 0;
        for (int i = 0; i < inputs.length; i++) {
            if (!inputs[i].grad()) continue;
            double[] reference = referenceGradient(what, ref, x, i, g);
            Tensor got = grads.get(k++);
            if (!Arrays.equals(got.shape(), x[i].shape()))
                fail(what + ": gradient of input " + i + " has shape " + Arrays.toString(got.shape()) + ", expected "
                        + Arrays.toString(x[i].shape()));
            compare(what + ": d/d(input " + i + ") float32 autograd vs float64 finite differences", reference,
                    toDouble(got.toArray()), tol.gradAtol(), tol.gradRtol());
        }
    }

    /**
     * Central differences in double of {@code sum(ref(x) * g)} with respect to input {@code which}, with the
     * smoothness check of the class comment.
     */
    public static double[] referenceGradient(String what, Ref ref, Dense[] x, int which, double[] g) {
        double[] base = x[which].data();
        double[] grad = new double[base.length];
        double l0 = weighted(ref.apply(x.clone()), g);
        for (int j = 0; j < base.length; j++) {
            double h = STEP * Math.max(1, Math.abs(base[j]));
            double lp = shifted(ref, x, which, j, h, g), lm = shifted(ref, x, which, j, -h, g);
            double d1 = (lp - lm) / (2 * h);
            double d2 = (shifted(ref, x, which, j, h / 2, g) - shifted(ref, x, which, j, -h / 2, g)) / h;
            double forward = (lp - l0) / h, backward = (l0 - lm) / h;
            double scale = Math.max(1, Math.abs(d1));
            if (!(Math.abs(d1 - d2) <= SMOOTHNESS * scale) || !(Math.abs(forward - backward) <= ONE_SIDED * scale))
                fail(what + ": the float64 reference is not smooth at input " + which + " element " + j + " (value "
                        + base[j] + "; central differences " + d1 + " with step " + h + ", " + d2 + " with half of it; "
                        + "one-sided " + forward + " and " + backward + "): a kink or tie lies within the step, "
                        + "choose inputs away from it");
            grad[j] = d1;
        }
        return grad;
    }

    /** sum(ref(x) * g) with element j of input which moved by h. */
    private static double shifted(Ref ref, Dense[] x, int which, int j, double h, double[] g) {
        Dense[] args = x.clone();
        double[] v = x[which].data().clone();
        v[j] += h;
        args[which] = new Dense(x[which].shape(), v);
        return weighted(ref.apply(args), g);
    }

    private static double weighted(Dense y, double[] g) {
        double s = 0;
        for (int i = 0; i < g.length; i++) s += y.data()[i] * g[i];
        return s;
    }

    /** The fixed upstream gradient for an output of {@code n} elements: standard normal, float32-representable. */
    public static double[] upstream(int n) {
        SplittableRandom r = new SplittableRandom(UPSTREAM_SEED);
        double[] g = new double[n];
        for (int i = 0; i < n; i++) g[i] = (float) RandomTensors.gaussian(r);
        return g;
    }

    /**
     * Element-wise comparison with the scaled absolute tolerance of the class comment:
     * {@code |actual - expected| <= atol * max(1, max|expected|) + rtol * |expected|}.
     */
    public static void compare(String what, double[] expected, double[] actual, double atol, double rtol) {
        double scale = 1;
        for (double e : expected) if (Double.isFinite(e)) scale = Math.max(scale, Math.abs(e));
        if (Boolean.getBoolean(REPORT_PROPERTY)) {
            double worst = 0;
            for (int i = 0; i < expected.length; i++)
                worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (atol * scale + rtol * Math.abs(expected[i])));
            System.out.printf("%-100s worst difference %.3f of the tolerance%n", what, worst);
        }
        Assertions.assertClose(what + " (atol scaled by " + scale + ")", expected, actual, atol * scale, rtol);
    }

    private static Dense roundToFloat(Dense d) {
        double[] r = new double[d.numel()];
        for (int i = 0; i < r.length; i++) r[i] = (float) d.data()[i];
        return new Dense(d.shape(), r);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    // ---- coverage -------------------------------------------------------------------------------------

    /** A named check and the public methods it exercises, as {@link #signature(Method)} spells them. */
    public record Case(String name, Set<String> covers, Runnable check) {
        public Case(String name, String covers, Runnable check) {
            this(name, Set.of(covers.split(";\\s*")), check);
        }
    }

    /** {@code Class.method(ParamType,...)} with simple type names, e.g. {@code MathOps.add(Tensor,Tensor)}. */
    public static String signature(Method m) {
        StringJoiner j = new StringJoiner(",", m.getDeclaringClass().getSimpleName() + "." + m.getName() + "(", ")");
        for (Class<?> p : m.getParameterTypes()) j.add(p.getSimpleName());
        return j.toString();
    }

    /** Signatures of the public static methods of {@code classes} that return a {@link Tensor}. */
    public static Set<String> publicTensorOps(Class<?>... classes) {
        Set<String> ops = new TreeSet<>();
        for (Class<?> c : classes)
            for (Method m : c.getDeclaredMethods())
                if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())
                        && m.getReturnType() == Tensor.class) ops.add(signature(m));
        return ops;
    }

    /**
     * Fails unless every public tensor op of {@code classes} is covered by a case or allowlisted with a reason, and
     * every covered or allowlisted signature names a real op (so that a renamed op cannot leave a stale entry).
     */
    public static void assertCoverage(Class<?>[] classes, List<Case> cases, Map<String, String> allowlist) {
        Set<String> ops = publicTensorOps(classes);
        Set<String> covered = new TreeSet<>();
        for (Case c : cases) covered.addAll(c.covers());
        Set<String> missing = new TreeSet<>(ops);
        missing.removeAll(covered);
        missing.removeAll(allowlist.keySet());
        Set<String> stale = new TreeSet<>(covered);
        stale.addAll(allowlist.keySet());
        stale.removeAll(ops);
        Set<String> both = new TreeSet<>(covered);
        both.retainAll(allowlist.keySet());
        StringBuilder msg = new StringBuilder();
        if (!missing.isEmpty())
            msg.append("\n  public ops without a float64 gradient check (add a case, or allowlist them with a reason): ")
                    .append(missing);
        if (!stale.isEmpty()) msg.append("\n  covered or allowlisted signatures that are not public ops: ").append(stale);
        if (!both.isEmpty()) msg.append("\n  ops both checked and allowlisted: ").append(both);
        for (Map.Entry<String, String> e : allowlist.entrySet())
            if (e.getValue() == null || e.getValue().isBlank()) msg.append("\n  allowlist entry without a reason: ").append(e.getKey());
        if (!msg.isEmpty()) fail("float64 gradient-check coverage:" + msg);
    }
}
