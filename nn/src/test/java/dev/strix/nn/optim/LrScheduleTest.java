package dev.strix.nn.optim;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Closed forms of the schedules, checked at hand-computed points. */
class LrScheduleTest {
    private static final double EXACT = 1e-15;

    @Test
    void linearWarmup() {
        LinearWarmup w = new LinearWarmup(0.1, 4);
        assertEquals(0.1, w.factor(0), EXACT);
        assertEquals(0.1 + 0.9 * 0.25, w.factor(1), EXACT);
        assertEquals(0.1 + 0.9 * 0.75, w.factor(3), EXACT);
        assertEquals(1.0, w.factor(4), 0);
        assertEquals(1.0, w.factor(1000), 0);
        assertEquals(1.0, new LinearWarmup(0.1, 0).factor(0), 0, "no warm-up");
    }

    @Test
    void cosine() {
        Cosine c = new Cosine(10, 0.2);
        assertEquals(1.0, c.factor(0), EXACT);
        assertEquals(0.2 + 0.8 * 0.5, c.factor(5), EXACT);
        assertEquals(0.2 + 0.8 * (1 + Math.cos(Math.PI * 0.3)) / 2, c.factor(3), EXACT);
        assertEquals(0.2, c.factor(10), EXACT);
        assertEquals(0.2, c.factor(17), 0, "stays at the floor after the end");
    }

    @Test
    void stepAndMultiStep() {
        StepDecay s = new StepDecay(3, 0.5);
        double[] expected = {1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25};
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], s.factor(i), 0, "step " + i);
        MultiStep m = new MultiStep(new int[] {7, 2}, 0.1);
        assertEquals(1, m.factor(1), 0);
        assertEquals(0.1, m.factor(2), EXACT);
        assertEquals(0.1, m.factor(6), EXACT);
        assertEquals(0.01, m.factor(7), EXACT);
        assertEquals(0.01, m.factor(100), EXACT);
        assertEquals(0.3, new Constant(0.3).factor(12), 0);
        assertEquals(1.0, new Constant().factor(0), 0);
    }

    @Test
    void sequenceRestartsEachScheduleAtItsBoundary() {
        Sequence seq = new Sequence(List.of(new Constant(0.5), new StepDecay(2, 0.1), new LinearWarmup(0.0, 4)),
                new int[] {3, 7});
        double[] expected = {0.5, 0.5, 0.5, 1, 1, 0.1, 0.1, 0, 0.25, 0.5, 0.75, 1, 1};
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], seq.factor(i), EXACT, "step " + i);
        assertThrows(IllegalArgumentException.class, () -> new Sequence(List.of(new Constant()), new int[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> new Sequence(List.of(new Constant(), new Constant(), new Constant()), new int[] {4, 4}));
    }

    @Test
    void warmupCosineIsTheSequenceOfItsParts() {
        WarmupCosine wc = new WarmupCosine(3, 13, 0.01, 0.05);
        Sequence seq = new Sequence(List.of(new LinearWarmup(0.01, 3), new Cosine(10, 0.05)), new int[] {3});
        for (int i = 0; i < 20; i++) assertEquals(seq.factor(i), wc.factor(i), 0, "step " + i);
        assertEquals(0.01, wc.factor(0), EXACT);
        assertEquals(1.0, wc.factor(3), EXACT);
        assertEquals(0.05, wc.factor(13), EXACT);
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosine(5, 5, 0.1, 0));
    }
}
