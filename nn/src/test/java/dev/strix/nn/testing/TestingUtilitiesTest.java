package dev.strix.nn.testing;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared test utilities catch what they are meant to catch. */
class TestingUtilitiesTest {
    @Test
    void assertCloseReportsMismatchesAndLargestDifference() {
        Assertions.assertClose("ok", new float[] {1, 100}, new float[] {1.00001f, 100.0005f}, 1e-4, 1e-5);
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () ->
                Assertions.assertClose("out", new float[] {1, 2, 3, 4}, new float[] {1, 2.5f, 3, 3}, 1e-6, 0));
        String m = e.getMessage();
        assertTrue(m.startsWith("out: 2 of 4 elements differ"), m);
        assertTrue(m.contains("[1] expected 2.0, got 2.5") && m.contains("[3] expected 4.0, got 3.0"), m);
        assertTrue(m.contains("largest difference 1.0 at [3]"), m);
        assertThrows(AssertionFailedError.class, () -> Assertions.assertClose("nan", new float[] {Float.NaN}, new float[] {0}, 1, 1));
        Assertions.assertClose("nan matches nan", new float[] {Float.NaN}, new float[] {Float.NaN}, 0, 0);
        assertThrows(AssertionFailedError.class, () -> Assertions.assertClose("shape",
                Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {1, 2}, 1, 2), 0, 0));
        assertThrows(AssertionFailedError.class, () -> Assertions.assertClose("length", new float[2], new float[3], 0, 0));
    }

    /** x^2 with a backward that is off by {@code factor}. */
    private static Tensor squareWithBackwardScaledBy(Tensor x, float factor) {
        Tensor out = MathOps.square(x.detach());
        return Autograd.record(out, "bad_square", g -> new Tensor[] {MathOps.mul(MathOps.scale(x.detach(), 2 * factor), g)}, x);
    }

    @Test
    void gradCheckAcceptsACorrectBackwardAndRejectsAWrongOne() {
        Tensor x = RandomTensors.normal(1, 3, 4).requiresGrad(true);
        GradCheck.check("correct", in -> squareWithBackwardScaledBy(in[0], 1f), x);
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> GradCheck.check("5% off", in -> squareWithBackwardScaledBy(in[0], 1.05f), x));
        assertTrue(e.getMessage().contains("5% off: d/d(input 0)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check("none", in -> in[0], RandomTensors.normal(1, 2)));
    }

    @Test
    void randomTensorsAreSeededAndSeparated() {
        assertArrayEquals(RandomTensors.normal(5, 3, 7).toArray(), RandomTensors.normal(5, 3, 7).toArray());
        assertFalse(Arrays.equals(RandomTensors.normal(5, 21).toArray(), RandomTensors.normal(6, 21).toArray()));
        float[] d = RandomTensors.distinct(2, 0.1f, 31).toArray();
        float[] sorted = d.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) assertTrue(sorted[i] - sorted[i - 1] >= 0.0999f);
        for (float v : d) assertTrue(Math.abs(v) >= 0.0499f);
        float[] u = RandomTensors.uniform(3, -1f, 2f, 1000).toArray();
        for (float v : u) assertTrue(v >= -1f && v < 2f);
        float[] a = RandomTensors.grid(1, 0.2, 0.05, 13).toArray(), b = RandomTensors.grid(2, 0.2, 0.15, 8).toArray();
        for (float p : a) for (float q : b) assertTrue(Math.abs(p - q) >= 0.0999f, p + " vs " + q);
    }

    @Test
    void fixturesReadTensorsAndMetadata() {
        Fixtures.Fixture f = Fixtures.load("layers/conv2d_3x3_s2_p1_nobias");
        assertEquals("conv2d", f.meta("op"));
        assertEquals(2, f.metaInt("stride"));
        assertFalse(f.metaBool("bias"));
        assertArrayEquals(new int[] {5, 3, 3, 3}, f.shape("weight"));
        assertFalse(f.has("bias"));
        assertEquals(List.of("input", "weight", "output", "grad_output", "grad.input", "grad.weight"), f.names());
        Tensor w = f.tensor("weight");
        w.toArray()[0] = 1e9f; // toArray copies, and tensor() hands out a fresh copy each time
        assertTrue(Math.abs(f.tensor("weight").toArray()[0]) < 1);
        assertTrue(Fixtures.cases("layers").contains("conv2d_3x3_s2_p1_nobias"));
        assertTrue(Fixtures.exists("layers/relu"));
        assertFalse(Fixtures.exists("layers/no_such_case"));
        assertThrows(AssertionFailedError.class, () -> f.tensor("nope"));
        assertThrows(AssertionFailedError.class, () -> f.longs("weight"));
    }
}
