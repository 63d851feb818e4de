package dev.strix.nn.testing;

import dev.strix.nn.Tensor;

import java.util.SplittableRandom;

/**
 * Seeded random CPU tensors for tests. The same seed and shape always give the same values.
 *
 * <p>{@link #distinct} gives values whose pairwise gaps are at least {@code gap}, so that ops with kinks (max
 * pooling, ReLU, abs) have no ties and no values near the kink within a finite-difference step; {@link #grid}
 * does the same for pairs of tensors (maximum, minimum).
 */
public final class RandomTensors {
    private RandomTensors() {}

    /** Standard normal values, shape {@code shape}. */
    public static Tensor normal(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[count(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) gaussian(r);
        return Tensor.of(v, shape);
    }

    /** Uniform values in [lo, hi), shape {@code shape}. */
    public static Tensor uniform(long seed, float lo, float hi, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[count(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return Tensor.of(v, shape);
    }

    /**
     * A random permutation of {@code (k - floor(n/2) + 0.5) * gap}, k = 0..n-1: about zero-centred, all values distinct, every
     * pair at least {@code gap} apart and none closer than {@code gap/2} to zero.
     */
    public static Tensor distinct(long seed, float gap, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = count(shape);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((i - n / 2 + 0.5) * gap);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return Tensor.of(v, shape);
    }

    /**
     * A random permutation of {@code (k - floor(n/2)) * spacing + offset}, k = 0..n-1. Two grids with the same spacing
     * and offsets differing by {@code spacing/2} never come closer than {@code spacing/2} to each other, which keeps
     * {@code maximum(a, b)} and {@code minimum(a, b)} free of ties under finite-difference perturbations.
     */
    public static Tensor grid(long seed, double spacing, double offset, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = count(shape);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((i - n / 2) * spacing + offset);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return Tensor.of(v, shape);
    }

    /** Standard normal sample by Box-Muller (deterministic for a given generator state). */
    public static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static int count(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return Math.toIntExact(n);
    }
}
