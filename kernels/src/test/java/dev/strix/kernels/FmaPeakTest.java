package dev.strix.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FmaPeak}: the probe's vector loop against its scalar {@link Math#fma} twin, and a sane measurement. */
class FmaPeakTest {
    private static final int N = FmaPeak.ACCUMULATORS * FmaPeak.lanes();

    @Test
    void chainEqualsTheScalarFmaStepsBitForBit() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (long steps : new long[] {0, 1, 3, 17, 1000}) {
            float[] start = new float[N];
            for (int i = 0; i < N; i++) start[i] = (float) (rnd.nextDouble() * 4 - 2);
            float[] got = FmaPeak.chain(start.clone(), steps), want = FmaPeak.chainReference(start.clone(), steps);
            assertArrayEquals(want, got, steps + " steps");
            if (steps > 0) assertTrue(!java.util.Arrays.equals(start, got), "the state changed after " + steps);
        }
    }

    @Test
    void chainStaysExactOnceCompiled() {
        // enough calls for the JIT to compile the loop: the compiled code must give the same bits
        float[] got = FmaPeak.initialState();
        for (int call = 0; call < 60; call++) FmaPeak.chain(got, 2000);
        float[] want = FmaPeak.chainReference(FmaPeak.initialState(), 60 * 2000);
        assertArrayEquals(want, got);
        // acc = acc x M + (1 - M) converges to 1 (exactly: 1 - (1 - x0) M^n, M^120000 < 1e-5); in float it stalls
        // where the step (1 - acc)(1 - M) drops below half an ulp of 1 (2^-25), i.e. at 1 - acc of about 3e-4
        for (float v : got) assertEquals(1.0, v, 1e-3);
    }

    @Test
    void initialStateCoversEveryLaneOnce() {
        float[] s = FmaPeak.initialState();
        assertEquals(N, s.length);
        for (int i = 0; i < N; i++) assertEquals((i + 1) / (float) N, s[i]);
    }

    @Test
    void wrongStateLengthOrThreadCountIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> FmaPeak.chain(new float[N + 1], 1));
        assertTrue(e.getMessage().contains(N + " floats"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FmaPeak.measure(0));
        assertTrue(e.getMessage().contains(">= 1"), e.getMessage());
    }

    @Test
    void measureReturnsAPositiveFiniteRate() {
        for (int threads : new int[] {1, 2}) {
            FmaPeak.Result r = FmaPeak.measure(threads);
            assertTrue(r.gflops() > 0 && Double.isFinite(r.gflops()), r.toString());
            assertEquals(threads, r.threads());
            assertEquals(FmaPeak.lanes(), r.lanes());
        }
    }
}
