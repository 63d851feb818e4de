package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Pointwise activation forward and backward (PyTorch's formulas).
 *
 * <p>Legend: {@code n} = element count; y, x, dx, dy: (n), contiguous. {@code alpha} is the LeakyReLU slope
 * (ignored by the other kinds). y may be the same array as x; dx may be the same array as dy. Scalar twin:
 * {@link ActivationsReference}.
 */
public final class Activations {
    private static final int GRAIN = 1 << 14;

    private Activations() {}

    /** y = kind(x). y, x: (n). */
    public static void forward(Activation kind, float alpha, float[] y, float[] x, int n) {
        Elementwise.check(y, n);
        Elementwise.check(x, n);
        if (kind == Activation.RELU) {
            Parallel.forRange(n, GRAIN, (from, to) -> reluForward(y, x, from, to));
            return;
        }
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            if (Simd.ENABLED) {
                int bound = from + Simd.F.loopBound(to - from);
                for (; i < bound; i += Simd.LANES)
                    forward(kind, alpha, FloatVector.fromArray(Simd.F, x, i)).intoArray(y, i);
            }
            for (; i < to; i++) y[i] = forward(kind, alpha, x[i]);
        });
    }

    private static FloatVector forward(Activation kind, float alpha, FloatVector v) {
        return switch (kind) {
            case RELU -> v.max(0f);
            case LEAKY_RELU -> v.blend(v.mul(alpha), v.compare(VectorOperators.LE, 0f));
            case SILU -> v.div(Simd.exp(v.neg()).add(1f));
            case SIGMOID -> FloatVector.broadcast(Simd.F, 1f).div(Simd.exp(v.neg()).add(1f));
            case TANH -> Simd.map(v, u -> (float) StrictMath.tanh(u));
        };
    }

    static float forward(Activation kind, float alpha, float v) {
        return switch (kind) {
            case RELU -> Math.max(v, 0f);
            case LEAKY_RELU -> v > 0f ? v : v * alpha;
            case SILU -> v / (1f + (float) Math.exp(-v));
            case SIGMOID -> 1f / (1f + (float) Math.exp(-v));
            case TANH -> (float) StrictMath.tanh(v);
        };
    }

    /**
     * dx = dy * kind'(x). dx, dy, x, y: (n). x is the forward input and y the forward output; either may be null
     * when the kind can work from the other: RELU and LEAKY_RELU (alpha > 0 for y) use x if given else y, SILU
     * needs x, SIGMOID and TANH use y if given else recompute it from x.
     */
    public static void backward(Activation kind, float alpha, float[] dx, float[] dy, float[] x, float[] y, int n) {
        Elementwise.check(dx, n);
        Elementwise.check(dy, n);
        boolean fromY = switch (kind) {
            case RELU, LEAKY_RELU -> {
                if (x == null && (y == null || (kind == Activation.LEAKY_RELU && !(alpha > 0f))))
                    throw new IllegalArgumentException(kind + " backward needs x (or y with a positive slope)");
                yield x == null;
            }
            case SILU -> {
                if (x == null) throw new IllegalArgumentException("SILU backward needs the forward input x");
                yield false;
            }
            case SIGMOID, TANH -> {
                if (x == null && y == null) throw new IllegalArgumentException(kind + " backward needs x or y");
                yield y != null;
            }
        };
        float[] v = fromY ? y : x;
        Elementwise.check(v, n);
        if (kind == Activation.RELU) {
            Parallel.forRange(n, GRAIN, (from, to) -> reluBackward(dx, dy, v, from, to));
            return;
        }
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            if (Simd.ENABLED) {
                int bound = from + Simd.F.loopBound(to - from);
                for (; i < bound; i += Simd.LANES) {
                    FloatVector g = FloatVector.fromArray(Simd.F, dy, i), s = FloatVector.fromArray(Simd.F, v, i);
                    backward(kind, alpha, g, s, fromY).intoArray(dx, i);
                }
            }
            for (; i < to; i++) dx[i] = backward(kind, alpha, dy[i], v[i], fromY);
        });
    }

    /**
     * ReLU forward over [from, to), its vector loop written out: the shared per-vector helper is too large for
     * C2 to inline, and a vector passed to a call that is not inlined is boxed (an allocation per 16 floats).
     */
    private static void reluForward(float[] y, float[] x, int from, int to) {
        int i = from;
        if (Simd.ENABLED) {
            FloatVector zero = FloatVector.zero(Simd.F);
            for (int bound = from + Simd.F.loopBound(to - from); i < bound; i += Simd.LANES)
                FloatVector.fromArray(Simd.F, x, i).max(zero).intoArray(y, i);
        }
        for (; i < to; i++) y[i] = Math.max(x[i], 0f);
    }

    /** ReLU backward over [from, to): dx = dy where s > 0 (s is x, or y), else 0; see {@link #reluForward}. */
    private static void reluBackward(float[] dx, float[] dy, float[] s, int from, int to) {
        int i = from;
        if (Simd.ENABLED) {
            FloatVector zero = FloatVector.zero(Simd.F);
            for (int bound = from + Simd.F.loopBound(to - from); i < bound; i += Simd.LANES) {
                FloatVector g = FloatVector.fromArray(Simd.F, dy, i);
                VectorMask<Float> on = FloatVector.fromArray(Simd.F, s, i).compare(VectorOperators.GT, zero);
                zero.blend(g, on).intoArray(dx, i);
            }
        }
        for (; i < to; i++) dx[i] = s[i] > 0f ? dy[i] : 0f;
    }

    /** Gradient for one vector; s is y when fromY, x otherwise. */
    private static FloatVector backward(Activation kind, float alpha, FloatVector g, FloatVector s, boolean fromY) {
        switch (kind) {
            case RELU: {
                VectorMask<Float> off = s.compare(VectorOperators.GT, 0f).not();
                return g.blend(0f, off);
            }
            case LEAKY_RELU:
                return g.blend(g.mul(alpha), s.compare(VectorOperators.GT, 0f).not());
            case SILU: {
                FloatVector sig = FloatVector.broadcast(Simd.F, 1f).div(Simd.exp(s.neg()).add(1f));
                // sig * (1 + x * (1 - sig))
                FloatVector oneMinus = sig.neg().add(1f);
                return g.mul(sig.mul(s.fma(oneMinus, FloatVector.broadcast(Simd.F, 1f))));
            }
            case SIGMOID: {
                FloatVector sig = fromY ? s
                        : FloatVector.broadcast(Simd.F, 1f).div(Simd.exp(s.neg()).add(1f));
                return g.mul(sig.neg().add(1f)).mul(sig);
            }
            case TANH: {
                FloatVector t = fromY ? s : Simd.map(s, u -> (float) StrictMath.tanh(u));
                return g.mul(t.mul(t).neg().add(1f));
            }
            default:
                throw new AssertionError(kind);
        }
    }

    private static float backward(Activation kind, float alpha, float g, float s, boolean fromY) {
        return switch (kind) {
            case RELU -> s > 0f ? g : 0f;
            case LEAKY_RELU -> s > 0f ? g : g * alpha;
            case SILU -> {
                float sig = 1f / (1f + (float) Math.exp(-s));
                yield g * (sig * Math.fma(s, 1f - sig, 1f));
            }
            case SIGMOID -> {
                float sig = fromY ? s : 1f / (1f + (float) Math.exp(-s));
                yield g * (1f - sig) * sig;
            }
            case TANH -> {
                float t = fromY ? s : (float) StrictMath.tanh(s);
                yield g * (1f - t * t);
            }
        };
    }
}
