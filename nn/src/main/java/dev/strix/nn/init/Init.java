package dev.strix.nn.init;

import dev.strix.nn.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Parameter initialisation as PyTorch does it, drawing from one global seeded generator.
 *
 * <p>The generator is a {@link SplittableRandom} seeded with 0 at start-up; {@link #seed(long)} replaces it, so
 * the same seed and the same sequence of calls give the same values. It is meant for model construction and
 * dropout on one thread at a time; fetch it with {@link #generator()} on each use rather than keeping it, so that
 * a later {@link #seed} takes effect. The values are not PyTorch's (the generators differ); the distributions are.
 *
 * <p>Each method fills an existing tensor in place (on any device, without recording history) and returns it.
 */
public final class Init {
    private static RandomGenerator generator = new SplittableRandom(0);

    private Init() {}

    /** Restarts the global generator from {@code seed}. */
    public static synchronized void seed(long seed) {
        generator = new SplittableRandom(seed);
    }

    /** The global generator (see the class comment). */
    public static synchronized RandomGenerator generator() {
        return generator;
    }

    /**
     * fan_in of a weight: {@code shape[1] * prod(shape[2:])}, e.g. in_channels/groups * kh * kw for a conv
     * weight (K, C/groups, kh, kw) and in_features for a linear weight (out, in).
     *
     * @param weightShape at least two dimensions
     */
    public static int fanIn(int[] weightShape) {
        if (weightShape.length < 2)
            throw new IllegalArgumentException("fan_in needs a weight with at least 2 dimensions, got "
                    + Arrays.toString(weightShape));
        long n = weightShape[1];
        for (int i = 2; i < weightShape.length; i++) n *= weightShape[i];
        return Math.toIntExact(n);
    }

    /**
     * Kaiming (He) uniform for leaky-ReLU slope {@code a}, fan_in mode: U(-bound, bound) with
     * {@code bound = gain * sqrt(3 / fan_in)} and {@code gain = sqrt(2 / (1 + a^2))}. PyTorch initialises conv and
     * linear weights with {@code a = sqrt(5)}, i.e. bound = 1/sqrt(fan_in).
     *
     * @param w weight, at least 2-D (see {@link #fanIn})
     */
    public static Tensor kaimingUniform(Tensor w, double a) {
        int fanIn = fanIn(w.shape());
        double gain = Math.sqrt(2.0 / (1 + a * a));
        double bound = gain * Math.sqrt(3.0 / fanIn);
        return uniform(w, -bound, bound);
    }

    /** PyTorch's default bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)); zeros when fan_in is 0. */
    public static Tensor biasUniform(Tensor b, int fanIn) {
        if (fanIn <= 0) return constant(b, 0);
        double bound = 1 / Math.sqrt(fanIn);
        return uniform(b, -bound, bound);
    }

    /** Normal(mean, std) values. */
    public static Tensor normal(Tensor t, double mean, double std) {
        if (!(std >= 0)) throw new IllegalArgumentException("std must be >= 0, got " + std);
        RandomGenerator r = generator();
        float[] v = new float[t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = (float) (mean + std * r.nextGaussian());
        return write(t, v);
    }

    /** Every element = v. */
    public static Tensor constant(Tensor t, double v) {
        t.device().fill(t, (float) v);
        return t;
    }

    /** U(lo, hi) values. */
    public static Tensor uniform(Tensor t, double lo, double hi) {
        if (!(hi >= lo)) throw new IllegalArgumentException("uniform needs lo <= hi, got " + lo + ", " + hi);
        RandomGenerator r = generator();
        float[] v = new float[t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return write(t, v);
    }

    private static Tensor write(Tensor t, float[] v) {
        t.device().copy(t, Tensor.from(t.device(), v, t.shape()));
        return t;
    }
}
