package dev.strix.nn.layers;

import dev.strix.nn.Autograd;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.CpuStorage;
import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused paths of {@link Sequential} (conv + batch norm + ReLU under no-grad; conv + ReLU with gradients)
 * against the same layers run one by one.
 */
class SequentialFusionTest {
    // the folded weights round differently from conv-then-normalise: observed differences below 2e-6 on values
    // of order 10; 1e-5 absolute plus 1e-5 relative
    private static final double ATOL = 1e-5, RTOL = 1e-5;

    @Test
    void convBatchNormReluMatchesLayerByLayer() {
        SplittableRandom rnd = new SplittableRandom(7);
        Sequential seq = new Sequential(new Conv2d(5, 6, 3, 2, 1, false), new BatchNorm2d(6), new ReLU(),
                new Conv2d(6, 4, 3, 1, 1, true), new ReLU(), new Conv2d(4, 3, 1, 1, 0, true));
        randomise(seq, rnd);
        BatchNorm2d bn = seq.get(1);
        fill(bn.runningVar(), rnd, 0.2, 2.0);
        seq.eval();
        Tensor x = Tensor.from(CpuDevice.INSTANCE, random(rnd, 3 * 5 * 13 * 11, -1, 1), 3, 5, 13, 11);
        Tensor want = layerByLayer(seq, x);
        Tensor got;
        try (var g = Autograd.noGrad()) {
            got = seq.forward(x);
        }
        assertClose("fused eval forward", want, got, ATOL, RTOL);
        float[] y = got.toArray();
        boolean negative = false;
        for (float v : y) negative |= v < 0;
        assertTrue(negative, "the last conv has no ReLU, so some outputs must be negative");
    }

    @Test
    void trainingModeIsNotFused() {
        SplittableRandom rnd = new SplittableRandom(8);
        Sequential seq = new Sequential(new Conv2d(3, 4, 3, 1, 1, false), new BatchNorm2d(4), new ReLU());
        randomise(seq, rnd);
        Tensor x = Tensor.from(CpuDevice.INSTANCE, random(rnd, 2 * 3 * 6 * 6, -1, 1), 2, 3, 6, 6);
        Tensor got;
        try (var g = Autograd.noGrad()) {
            got = seq.forward(x);
        }
        BatchNorm2d bn = seq.get(1);
        assertTrue(bn.numBatchesTracked() == 1, "training-mode batch norm must run (and count the batch)");
        Tensor want = seq.forward(x);
        assertClose("training-mode forward with and without grad", want, got, ATOL, RTOL);
    }

    /**
     * With gradients on, conv + ReLU runs as one op (ReLU applied on the conv's store, its backward from the
     * output): the same bits as the two layers, forward and backward, in training and evaluation mode.
     */
    @Test
    void convReluWithGradientsMatchesLayerByLayerExactly() {
        for (boolean training : new boolean[] {true, false}) {
            SplittableRandom rnd = new SplittableRandom(9);
            Sequential seq = new Sequential(new Conv2d(3, 5, 3, 2, 1, true), new ReLU(), new Conv2d(5, 4, 3, 1, 1, true),
                    new ReLU(), new Conv2d(4, 2, 1, 1, 0, false));
            randomise(seq, rnd);
            if (!training) seq.eval();
            float[] input = random(rnd, 2 * 3 * 9 * 10, -1, 1);
            float[][] outputs = new float[2][], inputGrads = new float[2][];
            java.util.List<float[]> paramGrads = new java.util.ArrayList<>();
            for (int form = 0; form < 2; form++) {
                Tensor x = Tensor.from(CpuDevice.INSTANCE, input, 2, 3, 9, 10).requiresGrad(true);
                Tensor y = form == 0 ? seq.forward(x) : layerByLayer(seq, x);
                outputs[form] = y.toArray();
                y.mul(y).sum().backward();
                inputGrads[form] = x.grad().toArray();
                for (Tensor p : seq.parameters()) {
                    paramGrads.add(p.grad().toArray());
                    p.setGrad(null);
                }
            }
            String mode = training ? "training" : "eval";
            org.junit.jupiter.api.Assertions.assertArrayEquals(outputs[1], outputs[0], mode + " forward");
            org.junit.jupiter.api.Assertions.assertArrayEquals(inputGrads[1], inputGrads[0], mode + " input gradient");
            int k = paramGrads.size() / 2;
            for (int i = 0; i < k; i++)
                org.junit.jupiter.api.Assertions.assertArrayEquals(paramGrads.get(k + i), paramGrads.get(i),
                        mode + " parameter " + i + " gradient");
            assertTrue(k == 5, "five parameters (three weights, two biases), got " + k);
        }
    }

    /**
     * Training-mode conv + batch norm + ReLU: the batch norm and ReLU run as one op (ReLU on each normalised
     * channel, gradient masked by the output in cache) with the same bits as the layers one by one: outputs,
     * every gradient, the running statistics and the batch counter.
     */
    @Test
    void batchNormReluInTrainingMatchesLayerByLayerExactly() {
        SplittableRandom rnd = new SplittableRandom(10);
        float[] input = random(rnd, 3 * 4 * 11 * 9, -1, 1);
        float[][] outputs = new float[2][], inputGrads = new float[2][];
        java.util.List<float[]> after = new java.util.ArrayList<>();
        for (int form = 0; form < 2; form++) {
            Sequential seq = new Sequential(new Conv2d(4, 6, 3, 2, 1, false), new BatchNorm2d(6), new ReLU(),
                    new Conv2d(6, 5, 3, 1, 1, false), new BatchNorm2d(5), new ReLU());
            randomise(seq, new SplittableRandom(11));
            Tensor x = Tensor.from(CpuDevice.INSTANCE, input, 3, 4, 11, 9).requiresGrad(true);
            Tensor y = form == 0 ? seq.forward(x) : layerByLayer(seq, x);
            outputs[form] = y.toArray();
            y.mul(y).sum().backward();
            inputGrads[form] = x.grad().toArray();
            for (Tensor p : seq.parameters()) after.add(p.grad().toArray());
            for (var e : seq.stateDict().entrySet())
                if (!e.getKey().endsWith("num_batches_tracked")) after.add(e.getValue().toArray());
            BatchNorm2d bn = seq.get(4);
            assertTrue(bn.numBatchesTracked() == 1, "the fused path counts the batch too");
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(outputs[1], outputs[0], "forward");
        org.junit.jupiter.api.Assertions.assertArrayEquals(inputGrads[1], inputGrads[0], "input gradient");
        int k = after.size() / 2;
        for (int i = 0; i < k; i++)
            org.junit.jupiter.api.Assertions.assertArrayEquals(after.get(k + i), after.get(i), "state entry " + i);
        boolean clipped = false;
        for (float v : outputs[0]) clipped |= v == 0f;
        assertTrue(clipped, "the ReLU must clip some outputs for the test to mean anything");
    }

    /** The layers of seq applied one at a time through their own forward methods (no fusion). */
    private static Tensor layerByLayer(Sequential seq, Tensor x) {
        for (Module m : seq) x = ((Layer) m).forward(x);
        return x;
    }

    private static void randomise(Module m, SplittableRandom rnd) {
        for (var e : m.namedParameters().entrySet()) fill(e.getValue(), rnd, -0.5, 0.5);
        for (var e : m.stateDict().entrySet()) {
            if (e.getKey().endsWith("running_mean")) fill(e.getValue(), rnd, -0.3, 0.3);
        }
    }

    private static void fill(Tensor t, SplittableRandom rnd, double lo, double hi) {
        float[] d = ((CpuStorage) t.storage()).floats();
        for (int i = 0; i < d.length; i++) d[i] = (float) rnd.nextDouble(lo, hi);
    }

    private static float[] random(SplittableRandom rnd, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextDouble(lo, hi);
        return a;
    }
}
