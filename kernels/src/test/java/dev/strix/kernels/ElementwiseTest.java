package dev.strix.kernels;

import dev.strix.kernels.Elementwise.Binary;
import dev.strix.kernels.Elementwise.Unary;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.strix.kernels.KernelTestSupport.SIZES;
import static dev.strix.kernels.KernelTestSupport.assertClose;
import static dev.strix.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Elementwise} against {@link ElementwiseReference}. */
@Tag("simd")
class ElementwiseTest {
    // vector exp/log/atan are within a few ulp of the correctly rounded double result; 2e-6 relative is ~16 ulp
    private static final double TRANSCENDENTAL_RTOL = 2e-6;

    @Test
    void sameShapeBinaryOpsAreExact() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int n : SIZES) {
            float[] a = random(rnd, n, -2, 2), b = random(rnd, n, 0.5, 3);
            for (Binary op : Binary.values()) {
                float[] out = new float[n], ref = new float[n];
                switch (op) {
                    case ADD -> Elementwise.add(out, a, b, n);
                    case SUB -> Elementwise.sub(out, a, b, n);
                    case MUL -> Elementwise.mul(out, a, b, n);
                    case DIV -> Elementwise.div(out, a, b, n);
                    case MAX -> Elementwise.maximum(out, a, b, n);
                    case MIN -> Elementwise.minimum(out, a, b, n);
                }
                ElementwiseReference.binary(op, ref, a, b, n);
                assertClose(op + " n=" + n, out, ref, n, 0, 0);
                // aliasing: out is the first input
                float[] alias = a.clone();
                Elementwise.binary(op, alias, alias, b, n);
                assertClose(op + " aliased n=" + n, alias, ref, n, 0, 0);
            }
        }
    }

    @Test
    void scalarOpsMatchReference() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (int n : SIZES) {
            float[] x = random(rnd, n, -3, 3), y0 = random(rnd, n, -1, 1);
            float[] out = new float[n], ref = new float[n];
            Elementwise.scale(out, x, -0.7f, n);
            ElementwiseReference.scale(ref, x, -0.7f, n);
            assertClose("scale", out, ref, n, 0, 0);
            Elementwise.addScalar(out, x, 1.25f, n);
            ElementwiseReference.addScalar(ref, x, 1.25f, n);
            assertClose("addScalar", out, ref, n, 0, 0);
            Elementwise.clamp(out, x, -1f, 0.5f, n);
            ElementwiseReference.clamp(ref, x, -1f, 0.5f, n);
            assertClose("clamp", out, ref, n, 0, 0);
            float[] y = y0.clone(), yRef = y0.clone();
            Elementwise.axpy(y, 0.3f, x, n);
            ElementwiseReference.axpy(yRef, 0.3f, x, n);
            // both round the fused product-sum once, except where the double sum lies on a float tie: 1 ulp
            assertClose("axpy", y, yRef, n, 1e-7, 2e-7);
            Elementwise.fill(out, 4f, n);
            for (int i = 0; i < n; i++) assertEquals(4f, out[i]);
            Elementwise.copy(out, x, n);
            assertClose("copy", out, x, n, 0, 0);
        }
    }

    @Test
    void unaryOpsMatchReference() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n : SIZES) {
            for (Unary op : Unary.values()) {
                float[] x = switch (op) {
                    case LOG, SQRT, RECIPROCAL -> random(rnd, n, 0.01, 50);
                    case EXP -> random(rnd, n, -80, 80);
                    default -> random(rnd, n, -20, 20);
                };
                if (op == Unary.SIGN && n > 3) {
                    x[0] = 0f;
                    x[1] = -0f;
                    x[2] = Float.NaN;
                }
                float[] out = new float[n], ref = new float[n];
                Elementwise.unary(op, out, x, n);
                ElementwiseReference.unary(op, ref, x, n);
                boolean transcendental = op == Unary.EXP || op == Unary.LOG || op == Unary.ATAN;
                assertClose(op + " n=" + n, out, ref, n, 0, transcendental ? TRANSCENDENTAL_RTOL : 0);
                if (op == Unary.SIGN && n > 3) {
                    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(out[1]), "sign(-0) keeps -0");
                    assertEquals(Float.NaN, out[2], "sign(NaN) is NaN");
                }
                Elementwise.unary(op, x, x, n); // in place
                assertClose(op + " in place n=" + n, x, ref, n, 0, transcendental ? TRANSCENDENTAL_RTOL : 0);
            }
        }
    }

    @Test
    void broadcastMatchesReferenceOnCommonPatterns() {
        SplittableRandom rnd = new SplittableRandom(4);
        // {outShape, aShape, bShape} with numpy-style right alignment
        int[][][] cases = {
                {{2, 3, 5, 7}, {2, 3, 5, 7}, {1, 3, 1, 1}},   // per-channel bias
                {{2, 3, 5, 7}, {1, 3, 1, 1}, {2, 3, 5, 7}},   // bias on the left
                {{4, 65}, {4, 65}, {65}},                     // row vector
                {{4, 65}, {4, 1}, {4, 65}},                   // column vector
                {{13, 31}, {13, 1}, {1, 31}},                 // outer product
                {{7, 13}, {7, 13}, {}},                       // scalar
                {{}, {}, {}},                                 // rank 0
                {{3, 1, 33}, {3, 1, 33}, {1, 1, 33}},         // size-1 dims
                {{2, 9, 1, 17}, {2, 1, 1, 17}, {9, 1, 1}},
                {{1, 1}, {1, 1}, {1}},
        };
        for (int[][] c : cases) {
            int[] os = c[0];
            int n = numel(os);
            float[] a = random(rnd, numel(c[1]), -2, 2), b = random(rnd, numel(c[2]), 0.5, 2);
            for (Binary op : Binary.values()) {
                float[] out = new float[n], ref = new float[n];
                int[] as = broadcastStrides(c[1], os), bs = broadcastStrides(c[2], os);
                Elementwise.broadcast(op, out, os, a, as, b, bs);
                ElementwiseReference.broadcast(op, ref, os, a, as, b, bs);
                assertClose(op + " " + java.util.Arrays.deepToString(c), out, ref, n, 0, 0);
            }
        }
        // a transposed (non-contiguous) view of a: out (5, 6) reads a stored as (6, 5)
        float[] a = random(rnd, 30, -1, 1), b = random(rnd, 6, -1, 1);
        float[] out = new float[30], ref = new float[30];
        Elementwise.broadcast(Binary.MUL, out, new int[] {5, 6}, a, new int[] {1, 5}, b, new int[] {0, 1});
        ElementwiseReference.broadcast(Binary.MUL, ref, new int[] {5, 6}, a, new int[] {1, 5}, b, new int[] {0, 1});
        assertClose("transposed view", out, ref, 30, 0, 0);
    }

    @Test
    void largeInputsSplitOverThreeWorkersMatchReference() {
        int previous = Parallel.threads();
        Parallel.setThreads(3);
        try {
            SplittableRandom rnd = new SplittableRandom(5);
            int n = 300_001;
            float[] a = random(rnd, n, -1, 1), b = random(rnd, n, 1, 2);
            float[] out = new float[n], ref = new float[n];
            Elementwise.div(out, a, b, n);
            ElementwiseReference.binary(Binary.DIV, ref, a, b, n);
            assertClose("div", out, ref, n, 0, 0);
            int[] os = {3, 100_003};
            float[] big = random(rnd, 3 * 100_003, -1, 1), bias = random(rnd, 3, -1, 1);
            out = new float[big.length];
            ref = new float[big.length];
            Elementwise.broadcast(Binary.ADD, out, os, big, new int[] {100_003, 1}, bias, new int[] {1, 0});
            ElementwiseReference.broadcast(Binary.ADD, ref, os, big, new int[] {100_003, 1}, bias, new int[] {1, 0});
            assertClose("broadcast", out, ref, big.length, 0, 0);
        } finally {
            Parallel.setThreads(previous);
        }
    }

    @Test
    void rejectsShortArraysAndMismatchedRanks() {
        assertThrows(IllegalArgumentException.class, () -> Elementwise.add(new float[3], new float[2], new float[3], 3));
        assertThrows(IllegalArgumentException.class, () -> Elementwise.broadcast(Binary.ADD, new float[4],
                new int[] {2, 2}, new float[4], new int[] {2, 1}, new float[2], new int[] {1}));
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** Element strides of a contiguous array of {@code shape} viewed with {@code target} (0 where broadcast). */
    static int[] broadcastStrides(int[] shape, int[] target) {
        int[] out = new int[target.length];
        int off = target.length - shape.length, s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            out[i + off] = shape[i] == 1 && target[i + off] != 1 ? 0 : s;
            s *= shape[i];
        }
        return out;
    }
}
