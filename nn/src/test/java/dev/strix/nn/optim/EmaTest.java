package dev.strix.nn.optim;

import dev.strix.nn.Tensor;
import dev.strix.nn.testing.RandomTensors;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EmaTest {
    /** Overwrites every float entry of the model's state dict with fresh random values. */
    private static void perturb(TinyNet net, long seed) {
        int i = 0;
        for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
            Tensor t = e.getValue();
            if (t.dtype() == dev.strix.nn.io.DType.I64) t.longs()[0] += 1;
            else t.device().copy(t, RandomTensors.normal(seed + i++, t.shape()));
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Test
    void averagesParametersAndCopiesBuffers() {
        TinyNet net = new TinyNet(3);
        double decay = 0.9;
        Ema ema = new Ema(net, decay);
        Map<String, Tensor> sd = net.stateDict();
        // references in double: parameters averaged, buffers follow the model
        Map<String, double[]> ref = new java.util.LinkedHashMap<>();
        sd.forEach((k, v) -> { if (v.dtype() == dev.strix.nn.io.DType.F32) ref.put(k, toDouble(v.toArray())); });
        for (String k : sd.keySet())
            if (sd.get(k).dtype() == dev.strix.nn.io.DType.F32)
                assertNotSame(sd.get(k), ema.stateDict().get(k), "the EMA holds copies");
        for (int u = 1; u <= 3; u++) {
            perturb(net, 100L * u);
            ema.update(net);
            for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
                String k = e.getKey();
                if (e.getValue().dtype() != dev.strix.nn.io.DType.F32) continue;
                double[] r = ref.get(k), now = toDouble(e.getValue().toArray());
                boolean isParam = net.namedParameters().containsKey(k);
                for (int i = 0; i < r.length; i++) r[i] = isParam ? decay * r[i] + (1 - decay) * now[i] : now[i];
                // three float32 updates of values |x| < 5: a few ulps (ulp <= 4.8e-7)
                assertClose("ema " + k + " after update " + u, r, toDouble(ema.stateDict().get(k).toArray()), 1e-6, 1e-6);
            }
        }
        assertEquals(3, ema.updates());
        assertEquals(3, ema.stateDict().get("norm.num_batches_tracked").longs()[0], "int64 buffers are copied");

        TinyNet target = new TinyNet(99);
        ema.copyTo(target);
        for (Map.Entry<String, Tensor> e : target.stateDict().entrySet()) {
            Tensor src = ema.stateDict().get(e.getKey());
            if (src.dtype() == dev.strix.nn.io.DType.I64) assertArrayEquals(src.longs(), e.getValue().longs());
            else assertArrayEquals(src.toArray(), e.getValue().toArray(), "copyTo " + e.getKey());
        }
    }

    @Test
    void warmupRampsTheDecay() {
        TinyNet net = new TinyNet(4);
        Ema ema = new Ema(net, 0.9999, true);
        assertEquals(0.9999 * (1 - Math.exp(-1 / 2000.0)), ema.decayAt(1), 1e-15);
        assertEquals(0.9999 * (1 - Math.exp(-5000 / 2000.0)), ema.decayAt(5000), 1e-15);
        assertEquals(0.9999, new Ema(net, 0.9999).decayAt(1));
        float[] before = ema.stateDict().get("head_weight").toArray();
        perturb(net, 7);
        float[] now = net.p("head_weight").toArray();
        ema.update(net);
        double d = ema.decayAt(1); // about 5e-4: the first update nearly copies the model
        float[] after = ema.stateDict().get("head_weight").toArray();
        for (int i = 0; i < after.length; i++)
            assertEquals(d * before[i] + (1 - d) * now[i], after[i], 1e-6, "head_weight[" + i + "]");
    }

    @Test
    void loadRestoresAndMismatchesFail() {
        TinyNet net = new TinyNet(5);
        Ema ema = new Ema(net, 0.5);
        perturb(net, 1);
        ema.update(net);
        Ema other = new Ema(new TinyNet(6), 0.5);
        other.load(ema.stateDict(), ema.updates());
        assertEquals(1, other.updates());
        assertArrayEquals(ema.stateDict().get("conv_weight").toArray(), other.stateDict().get("conv_weight").toArray());
        assertThrows(IllegalArgumentException.class, () -> new Ema(net, 1.5));
        assertThrows(IllegalArgumentException.class, () -> ema.update(new TinyNet.Norm(1)), "different entries");
    }
}
