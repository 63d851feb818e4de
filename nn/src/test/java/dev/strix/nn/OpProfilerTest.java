package dev.strix.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strix.nn.ops.ActivationOps;
import dev.strix.nn.ops.ConvOps;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@link OpProfiler}: which ops are charged, how often, forward and backward, and that it stays off by default. */
class OpProfilerTest {
    private static Map<String, OpProfiler.Entry> byOp(List<OpProfiler.Entry> rows) {
        return rows.stream().collect(Collectors.toMap(OpProfiler.Entry::op, Function.identity()));
    }

    private static Tensor ramp(int... shape) {
        Tensor t = Tensor.zeros(CpuDevice.INSTANCE, shape);
        float[] d = ((CpuStorage) t.storage()).floats();
        for (int i = 0; i < d.length; i++) d[i] = (float) Math.sin(0.37 * i);
        return t;
    }

    @Test
    void chargesEachRecordedOpForwardAndBackward() {
        Tensor x = ramp(2, 2, 5, 5).requiresGrad(true), w = ramp(3, 2, 3, 3).requiresGrad(true);
        OpProfiler.start();
        List<OpProfiler.Entry> rows;
        try {
            Tensor y = ConvOps.conv2d(x, w, null, 1, 1, 1, 1);
            Tensor z = ActivationOps.relu(y);
            z.mul(z).sum().backward(); // z feeds mul twice: its two gradients are summed
        } finally {
            rows = OpProfiler.stop();
        }
        Map<String, OpProfiler.Entry> m = byOp(rows);
        OpProfiler.Entry conv = m.get("conv2d 2->3 3x3/1 5x5");
        assertTrue(conv != null, "conv row labelled with its geometry: " + m.keySet());
        assertEquals(1, conv.forwardCalls());
        assertEquals(1, conv.backwardCalls());
        for (String op : List.of("relu", "mul", "sum")) {
            assertEquals(1, m.get(op).forwardCalls(), op);
            assertEquals(1, m.get(op).backwardCalls(), op);
        }
        assertEquals(1, m.get(Autograd.GRADIENT_SUM).backwardCalls(), m.keySet().toString());
        assertEquals(0, m.get(Autograd.GRADIENT_SUM).forwardCalls());
        for (OpProfiler.Entry e : rows) {
            assertTrue(e.forwardMs() >= 0 && e.backwardMs() >= 0, e.toString());
            assertEquals(e.forwardMs() + e.backwardMs(), e.totalMs(), 1e-12);
        }
        for (int i = 1; i < rows.size(); i++)
            assertTrue(rows.get(i - 1).totalMs() >= rows.get(i).totalMs(), "largest first: " + rows);
        assertFalse(OpProfiler.enabled());
    }

    @Test
    void opsWithoutHistoryAreChargedAndNothingWhenStopped() {
        Tensor x = ramp(4, 6);
        ActivationOps.relu(x); // not started: charged to nothing
        OpProfiler.start();
        List<OpProfiler.Entry> rows;
        try (var g = Autograd.noGrad()) {
            ActivationOps.sigmoid(x);
            ActivationOps.sigmoid(x);
        } finally {
            rows = OpProfiler.stop();
        }
        assertEquals(1, rows.size(), rows.toString());
        assertEquals("sigmoid", rows.getFirst().op());
        assertEquals(2, rows.getFirst().forwardCalls());
        assertEquals(0, rows.getFirst().backwardCalls());
        ActivationOps.relu(x);
        OpProfiler.start();
        assertTrue(OpProfiler.stop().isEmpty(), "a restart clears the counters");
    }
}
