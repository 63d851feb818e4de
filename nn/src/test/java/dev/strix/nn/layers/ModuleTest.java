package dev.strix.nn.layers;

import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.io.DType;
import dev.strix.nn.testing.RandomTensors;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** State-dict naming, loading, modes and containers of the layers. */
class ModuleTest {
    /** A parent with named children, as user models are built. */
    static final class Holder extends Module {
        Holder(String name, Module child) {
            registerModule(name, child);
        }
    }

    @Test
    void sequentialStateDictNamesAndOrderMatchPyTorch() {
        Sequential s = new Sequential(new Conv2d(3, 4, 3, 1, 1, false), new BatchNorm2d(4), new ReLU());
        // torch: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU()).state_dict()
        assertEquals(List.of("0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked"), List.copyOf(s.stateDict().keySet()));
        assertEquals(List.of("0.weight", "1.weight", "1.bias"), List.copyOf(s.namedParameters().keySet()));
        Tensor counter = s.stateDict().get("1.num_batches_tracked");
        assertEquals(DType.I64, counter.dtype());
        assertArrayEquals(new int[0], counter.shape());
        assertEquals(0L, counter.longs()[0]);
        assertEquals(4 * 3 * 9 + 4 + 4, s.parameterCount());
    }

    @Test
    void nestedContainersPrefixNames() {
        ModuleList list = new ModuleList(List.of(new Linear(2, 3, true), new Sequential(new Linear(3, 1, false))));
        Holder h = new Holder("heads", list);
        assertEquals(List.of("heads.0.weight", "heads.0.bias", "heads.1.0.weight"), List.copyOf(h.stateDict().keySet()));
        assertEquals(2, list.size());
        Linear first = list.get(0);
        assertEquals(3, first.outFeatures());
        int n = 0;
        for (Module ignored : list) n++;
        assertEquals(2, n);
    }

    @Test
    void layerShapesAndDefaults() {
        Conv2d c = new Conv2d(4, 6, 5, 2, 2, 2, 2, true);
        assertArrayEquals(new int[] {6, 2, 5, 5}, c.weight().shape());
        assertArrayEquals(new int[] {6}, c.bias().shape());
        assertNull(new Conv2d(3, 4, 3, 1, 1, false).bias());
        assertFalse(new Conv2d(3, 4, 3, 1, 1, false).stateDict().containsKey("bias"));
        Conv2d plain = new Conv2d(3, 8, 3);
        assertEquals(1, plain.stride());
        assertEquals(0, plain.padding());
        assertTrue(plain.weight().requiresGrad());
        assertArrayEquals(new int[] {2, 8, 5, 7}, plain.forward(Tensor.zeros(dev.strix.nn.CpuDevice.INSTANCE, 2, 3, 7, 9)).shape());

        BatchNorm2d bn = new BatchNorm2d(3);
        assertClose("bn weight", new float[] {1, 1, 1}, bn.weight().toArray(), 0, 0);
        assertClose("bn bias", new float[] {0, 0, 0}, bn.bias().toArray(), 0, 0);
        assertClose("bn running_mean", new float[] {0, 0, 0}, bn.runningMean().toArray(), 0, 0);
        assertClose("bn running_var", new float[] {1, 1, 1}, bn.runningVar().toArray(), 0, 0);
        assertEquals(1e-5f, bn.eps());
        assertEquals(0.1f, bn.momentum());

        assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3, 1, 1, 1, 2, true));
        assertThrows(IllegalArgumentException.class, () -> new Sequential(new Linear(2, 2, true), new ModuleList(List.of())));
    }

    @Test
    void loadStateDictCopiesValuesAndStrictModeReportsNames() {
        Sequential a = new Sequential(new Conv2d(2, 3, 3, 1, 1, true), new BatchNorm2d(3));
        Sequential b = new Sequential(new Conv2d(2, 3, 3, 1, 1, true), new BatchNorm2d(3));
        a.stateDict().get("1.num_batches_tracked").longs()[0] = 7;
        b.loadStateDict(a.stateDict(), true);
        for (Map.Entry<String, Tensor> e : a.stateDict().entrySet()) {
            Tensor got = b.stateDict().get(e.getKey());
            if (e.getValue().dtype() == DType.I64) assertArrayEquals(e.getValue().longs(), got.longs(), e.getKey());
            else assertClose(e.getKey(), e.getValue().toArray(), got.toArray(), 0, 0);
            assertFalse(got == e.getValue(), "values are copied, not shared: " + e.getKey());
        }
        Conv2d conv = b.get(0);
        assertTrue(conv.weight().requiresGrad(), "loaded parameters still require grad");

        Map<String, Tensor> partial = new LinkedHashMap<>(a.stateDict());
        partial.remove("1.running_var");
        partial.put("2.weight", Tensor.of(new float[] {1}, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(partial, true));
        assertTrue(e.getMessage().contains("1.running_var") && e.getMessage().contains("2.weight"), e.getMessage());
        b.loadStateDict(partial, false); // non-strict ignores both

        Map<String, Tensor> wrongShape = new LinkedHashMap<>(a.stateDict());
        wrongShape.put("0.weight", Tensor.of(new float[3 * 2 * 3 * 2], 3, 2, 3, 2));
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(wrongShape, false));
        assertTrue(s.getMessage().contains("0.weight"), s.getMessage());
    }

    @Test
    void trainEvalSwitchReachesEveryChildAndChangesBatchNorm() {
        BatchNorm2d bn = new BatchNorm2d(2);
        Dropout drop = new Dropout(0.5f);
        Holder h = new Holder("body", new Sequential(bn, drop));
        assertTrue(bn.isTraining() && drop.isTraining(), "modules start in training mode");
        h.eval();
        assertFalse(h.isTraining() || bn.isTraining() || drop.isTraining());
        h.train();
        assertTrue(h.isTraining() && bn.isTraining() && drop.isTraining());

        Tensor x = RandomTensors.normal(3, 4, 2, 3, 3);
        Tensor yTrain = bn.forward(x);
        assertEquals(1, bn.numBatchesTracked());
        float[] meanAfter = bn.runningMean().toArray();
        // train mode: each channel of the output has mean ~0 (beta) and biased variance ~1 (gamma)
        float[] v = yTrain.toArray();
        for (int c = 0; c < 2; c++) {
            double s = 0, s2 = 0;
            int n = 0;
            for (int i = 0; i < 4; i++)
                for (int k = 0; k < 9; k++) {
                    double t = v[(i * 2 + c) * 9 + k];
                    s += t;
                    s2 += t * t;
                    n++;
                }
            assertClose("channel " + c + " mean", 0, s / n, 1e-5, 0);
            assertClose("channel " + c + " variance", 1, s2 / n - (s / n) * (s / n), 1e-3, 0); // eps 1e-5 shrinks it
        }
        bn.eval();
        Tensor yEval = bn.forward(x);
        assertEquals(1, bn.numBatchesTracked(), "eval forward does not count");
        assertClose("eval leaves running_mean", meanAfter, bn.runningMean().toArray(), 0, 0);
        // eval mode: (x - running_mean) / sqrt(running_var + eps) with gamma 1, beta 0
        float[] xs = x.toArray(), ye = yEval.toArray(), rm = bn.runningMean().toArray(), rv = bn.runningVar().toArray();
        float[] expected = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            int c = (i / 9) % 2;
            expected[i] = (float) ((xs[i] - rm[c]) / Math.sqrt(rv[c] + 1e-5));
        }
        assertClose("eval batch norm", expected, ye, 1e-6, 1e-5);
    }

    @Test
    void sequentialChainsLayersInOrder() {
        Linear l1 = new Linear(3, 4, true), l2 = new Linear(4, 2, false);
        Sequential s = new Sequential(l1, new Tanh(), l2, new Identity());
        Tensor x = RandomTensors.normal(5, 6, 3);
        Tensor expected = l2.forward(dev.strix.nn.ops.ActivationOps.tanh(l1.forward(x)));
        assertClose("sequential", expected, s.forward(x), 0, 0);
        assertEquals(4, s.size());
        assertSame(l2, s.get(2));
        assertSame(x, new Sequential().forward(x));
    }

    @Test
    void zeroGradClearsParameterGradients() {
        Linear l = new Linear(3, 2, true);
        l.forward(RandomTensors.normal(1, 4, 3)).sum().backward();
        assertTrue(l.weight().grad() != null && l.bias().grad() != null);
        l.zeroGrad();
        assertNull(l.weight().grad());
        assertNull(l.bias().grad());
    }

    @Test
    void failedLoadLeavesEveryTensorUntouched() {
        Sequential m = new Sequential(new Linear(2, 2, false), new Linear(2, 3, false));
        float[] before = m.stateDict().get("0.weight").toArray();
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("0.weight", Tensor.of(new float[] {9, 9, 9, 9}, 2, 2));
        bad.put("1.weight", Tensor.of(new float[4], 2, 2)); // the model's is (3, 2)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(bad, false));
        assertTrue(e.getMessage().contains("1.weight"), e.getMessage());
        assertArrayEquals(before, m.stateDict().get("0.weight").toArray());
    }
}
