package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Simd#sum}, {@link Simd#exp} and {@link Simd#map} against scalar references. */
@org.junit.jupiter.api.Tag("simd")
class SimdTest {
    private static final int L = Simd.F.length();

    /** The pairwise tree {@link Simd#sum} promises, written as scalar float additions. */
    private static float treeSum(float[] lanes) {
        float[] v = lanes.clone();
        for (int step = v.length / 2; step >= 1; step /= 2) {
            float[] next = new float[v.length];
            for (int i = 0; i < v.length; i++) next[i] = v[i] + v[(i + step) & (v.length - 1)];
            v = next;
        }
        return v[0];
    }

    @Test
    void sumIsTheFixedPairwiseTreeBitForBit() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int trial = 0; trial < 2000; trial++) {
            float[] lanes = new float[L];
            // magnitudes spread over many binades, so that a different order would round differently
            for (int i = 0; i < L; i++) lanes[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(-3, 6)));
            float got = Simd.sum(FloatVector.fromArray(Simd.F, lanes, 0));
            assertEquals(Float.floatToIntBits(treeSum(lanes)), Float.floatToIntBits(got), "trial " + trial);
        }
    }

    @Test
    void sumIsTheSameInEveryCallOfAHotLoop() {
        // the first calls run interpreted, the later ones compiled: the bits must not change
        float[] lanes = new float[L];
        for (int i = 0; i < L; i++) lanes[i] = 1f / (i + 3) + (i % 2 == 0 ? 1e4f : -1e4f);
        FloatVector v = FloatVector.fromArray(Simd.F, lanes, 0);
        int first = Float.floatToIntBits(Simd.sum(v));
        for (int i = 0; i < 200_000; i++) assertEquals(first, Float.floatToIntBits(Simd.sum(v)));
    }

    private static long ulps(float a, float b) {
        int ia = Float.floatToIntBits(a), ib = Float.floatToIntBits(b);
        if (ia < 0) ia = Integer.MIN_VALUE - ia;
        if (ib < 0) ib = Integer.MIN_VALUE - ib;
        return Math.abs((long) ia - ib);
    }

    @Test
    void expIsWithinTwoUlpOfMathExp() {
        float[] x = new float[L];
        long worst = 0;
        float worstAt = 0;
        // a dense sweep of the normal-result range plus random points
        SplittableRandom rnd = new SplittableRandom(9);
        int count = 400_000;
        for (int n = 0; n < count; n += L) {
            for (int i = 0; i < L; i++) {
                x[i] = n + i < count / 2 ? -87f + 175.7f * (n + i) / (count / 2f)
                        : (float) ((rnd.nextDouble() - 0.5) * 20);
            }
            float[] y = Simd.exp(FloatVector.fromArray(Simd.F, x, 0)).toArray();
            for (int i = 0; i < L; i++) {
                float ref = (float) Math.exp(x[i]);
                long u = ulps(y[i], ref);
                if (u > worst) {
                    worst = u;
                    worstAt = x[i];
                }
            }
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulp at x=" + worstAt);
    }

    @Test
    void expSpecialValues() {
        float[] x = new float[L], expect = new float[L];
        float[][] cases = {
                {Float.NaN, Float.NaN}, {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY},
                {Float.NEGATIVE_INFINITY, 0f}, {0f, 1f}, {-0f, 1f}, {89f, Float.POSITIVE_INFINITY},
                {1000f, Float.POSITIVE_INFINITY}, {-1000f, 0f}, {-200f, 0f}, {1f, (float) Math.E},
        };
        for (float[] c : cases) {
            java.util.Arrays.fill(x, c[0]);
            java.util.Arrays.fill(expect, c[1]);
            float[] y = Simd.exp(FloatVector.fromArray(Simd.F, x, 0)).toArray();
            for (int i = 0; i < L; i++) {
                if (Float.isNaN(expect[i])) assertTrue(Float.isNaN(y[i]), "exp(" + c[0] + ") = " + y[i]);
                else assertTrue(ulps(y[i], expect[i]) <= 1, "exp(" + c[0] + ") = " + y[i] + ", expected " + expect[i]);
            }
        }
        // the subnormal range: close to Math.exp in absolute terms, never negative or NaN
        for (float v = -103.9f; v < -87f; v += 0.37f) {
            java.util.Arrays.fill(x, v);
            float y = Simd.exp(FloatVector.fromArray(Simd.F, x, 0)).lane(0);
            assertTrue(y >= 0 && Math.abs(y - (float) Math.exp(v)) <= 4 * Math.ulp((float) Math.exp(v)) + Float.MIN_VALUE * 4,
                    "exp(" + v + ") = " + y);
        }
    }

    @Test
    void mapAppliesTheScalarFunctionToEachLane() {
        float[] x = new float[L];
        for (int i = 0; i < L; i++) x[i] = 0.25f + i;
        float[] y = Simd.map(FloatVector.fromArray(Simd.F, x, 0), u -> (float) Math.log(u)).toArray();
        for (int i = 0; i < L; i++) assertEquals((float) Math.log(x[i]), y[i]);
    }
}
