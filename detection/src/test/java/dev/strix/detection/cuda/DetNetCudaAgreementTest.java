package dev.strix.detection.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strix.cuda.CudaAvailability;
import dev.strix.detection.assign.Assignment;
import dev.strix.detection.assign.FcosAssigner;
import dev.strix.detection.assign.FcosLoss;
import dev.strix.detection.assign.LevelGrid;
import dev.strix.detection.bench.SyntheticTargets;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.detection.model.LevelOutput;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.cuda.AllocatorStats;
import dev.strix.nn.cuda.CudaDevice;
import dev.strix.nn.cuda.CudaGraph;
import dev.strix.nn.init.Init;
import dev.strix.nn.io.DType;
import dev.strix.nn.optim.ParamGroups;
import dev.strix.nn.optim.Sgd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

/**
 * DetNet itself on CUDA against the CPU: the same random weights and batch, the FCOS loss of the training recipe
 * (focal + GIoU + centerness), then 20 SGD steps with momentum and weight decay. Checked: every level's outputs and
 * every task loss of the first step, every parameter's gradient of the first step, the losses of every step and
 * every parameter and running statistic after the last. A second test trains 1,000 steps on CUDA and checks that
 * the caching allocator's memory in use comes back to the same number (no leaked blocks). A third replays a
 * captured CUDA graph of the inference forward pass against the eager one.
 *
 * <p>Tolerances, relative to the largest magnitude of each tensor (the error of a sum is bounded by the sum of
 * the magnitudes of its terms, which the largest element of the result tracks for these well-spread tensors):
 * <ul>
 *   <li>strict FP32: the backends differ only in summation order and in cuDNN's algorithms (Winograd and FFT
 *       transforms lose a few bits), 1e-5 relative per convolution (see {@code Bounds.productRelativeError} in
 *       the nn tests); DetNet stacks about 20 convolutions and batch norms on the longest path, and the backward
 *       pass doubles it: 1e-3 for outputs and gradients, and 1e-2 for the state after 20 steps at lr 0.01
 *       (each step adds lr x gradient error, momentum 0.9 sums up to 10 of them).</li>
 *   <li>TF32: each convolution input keeps 10 mantissa bits (2e-3 relative per layer), so 2e-2 for outputs and
 *       gradients and 5e-2 for the end state.</li>
 * </ul>
 * Every tensor also gets an absolute floor of 1e-5 (values that are zero on one side, such as gradients of
 * ReLUs exactly at 0, may be 1 ulp off on the other).
 */
class DetNetCudaAgreementTest {
    private static final DetNetConfig CONFIG = new DetNetConfig(5, 8, 16, 2);
    private static final int BATCH = 2, SIZE = 64, STEPS = 20;

    private static CudaDevice cuda(boolean strict) {
        CudaAvailability probe = CudaAvailability.probe();
        assumeTrue(probe.usable(), () -> "no CUDA: " + probe.reason());
        CudaDevice d = CudaDevice.get(0);
        d.setStrictFp32(strict);
        return d;
    }

    /** One training setup on one device: model, input, fixed targets, loss and optimizer. */
    private static final class Run {
        final DetNet model;
        final Tensor input;
        final List<List<ObjectAnnotation>> targets;
        final FcosAssigner assigner = new FcosAssigner();
        final FcosLoss loss = new FcosLoss();
        final Assignment assignment = new Assignment();
        final Sgd optimizer;

        Run(Device device, Map<String, Tensor> weights) {
            model = new DetNet(CONFIG);
            model.loadStateDict(weights, true);
            if (device != CpuDevice.INSTANCE) model.to(device);
            model.train();
            input = Tensor.from(device, SyntheticTargets.images(BATCH, SIZE, 11), BATCH, 3, SIZE, SIZE);
            targets = SyntheticTargets.generate(BATCH, SIZE, CONFIG.numClasses(), 12);
            optimizer = new Sgd(ParamGroups.decayAndNoDecay(model, 1e-4), 0.01, 0.9, 0, 1e-4, false);
        }

        /** Forward and loss; the outputs and the per-task losses. */
        Map<String, Tensor> losses(List<LevelOutput> outputs) {
            assigner.assign(targets, LevelGrid.of(SIZE, SIZE, outputs), assignment);
            return loss.compute(outputs, assignment);
        }

        static Tensor total(Map<String, Tensor> losses) {
            Tensor total = null;
            for (Tensor t : losses.values()) total = total == null ? t : total.add(t);
            return total;
        }
    }

    private static Map<String, Tensor> randomWeights() {
        Init.seed(3);
        return new DetNet(CONFIG).stateDict();
    }

    @ParameterizedTest(name = "strict FP32 = {0}")
    @ValueSource(booleans = {true, false})
    void forwardBackwardAndTwentySgdStepsAgreeWithTheCpu(boolean strict) {
        CudaDevice gpu = cuda(strict);
        agree(gpu, strict ? 1e-3 : 2e-2, strict ? 1e-2 : 5e-2);
    }

    /**
     * The comparison itself, run on the CPU against a second CPU model: the same ops in the same order give the
     * same numbers, so this checks the harness (and that it compares something) where no GPU is present.
     */
    @Test
    void theComparisonRunsOnTheCpuAgainstItself() {
        agree(CpuDevice.INSTANCE, 0, 0);
    }

    private static void agree(Device other, double rtol, double rtolEnd) {
        Map<String, Tensor> weights = randomWeights();
        Run c = new Run(CpuDevice.INSTANCE, weights), g = new Run(other, weights);
        for (int step = 0; step < STEPS; step++) {
            List<LevelOutput> oc = c.model.forward(c.input), og = g.model.forward(g.input);
            assertSame(other, og.getFirst().cls().device(), "the model runs on the device under test");
            if (step == 0)
                for (int l = 0; l < oc.size(); l++) {
                    close("level " + l + " cls", oc.get(l).cls(), og.get(l).cls(), rtol);
                    close("level " + l + " box", oc.get(l).box(), og.get(l).box(), rtol);
                    close("level " + l + " ctr", oc.get(l).ctr(), og.get(l).ctr(), rtol);
                }
            Map<String, Tensor> lc = c.losses(oc), lg = g.losses(og);
            assertEquals(lc.keySet(), lg.keySet());
            for (String task : lc.keySet())
                close("loss " + task + " at step " + step, lc.get(task), lg.get(task), step == 0 ? rtol : rtolEnd);
            Run.total(lc).backward();
            Run.total(lg).backward();
            if (step == 0) {
                Map<String, Tensor> pc = c.model.namedParameters(), pg = g.model.namedParameters();
                assertEquals(pc.keySet(), pg.keySet());
                for (String name : pc.keySet())
                    close("gradient of " + name, pc.get(name).grad(), pg.get(name).grad(), rtol);
                assertTrue(maxAbs(pc.get("cls_out.weight").grad()) > 0, "the loss reaches the classifier");
            }
            c.optimizer.step();
            c.optimizer.zeroGrad();
            g.optimizer.step();
            g.optimizer.zeroGrad();
        }
        Map<String, Tensor> sc = c.model.stateDict(), sg = g.model.stateDict();
        assertEquals(sc.keySet(), sg.keySet());
        for (String name : sc.keySet()) {
            if (sc.get(name).dtype() != DType.F32) {
                assertEquals(sc.get(name).longs()[0], sg.get(name).longs()[0], name);
                continue;
            }
            close(name + " after " + STEPS + " steps", sc.get(name), sg.get(name), rtolEnd);
        }
    }

    @Test
    void aThousandTrainingStepsLeaveNoDeviceMemoryBehind() {
        CudaDevice gpu = cuda(false);
        Run g = new Run(gpu, randomWeights());
        long atWarmup = -1;
        for (int step = 0; step < 1000; step++) {
            Tensor total = Run.total(g.losses(g.model.forward(g.input)));
            total.backward();
            g.optimizer.step();
            g.optimizer.zeroGrad();
            if (step == 20) atWarmup = settledBytesInUse(gpu);
        }
        long atEnd = settledBytesInUse(gpu);
        AllocatorStats end = gpu.memoryStats();
        assertTrue(Float.isFinite(Run.total(g.losses(g.model.forward(g.input))).item()), "training stayed finite");
        assertEquals(atWarmup, atEnd, "device memory in use after step 20 and after step 1000 (with the model, its "
                + "gradients, momentum buffers and the input alive in both): " + end);
    }

    /**
     * DetNet's inference forward captured in a CUDA graph and replayed on new input values gives what the eager
     * forward gives on them: the same kernels with the same algorithms on the same data, so 1e-6 relative (the
     * order of operations is identical; the bound only absorbs a nondeterministic cuDNN algorithm).
     */
    @Test
    void aCapturedInferenceForwardReplaysLikeTheEagerOne() {
        CudaDevice gpu = cuda(false);
        DetNet model = new DetNet(CONFIG);
        model.loadStateDict(randomWeights(), true);
        model.to(gpu);
        model.eval();
        Tensor input = Tensor.from(gpu, SyntheticTargets.images(BATCH, SIZE, 21), BATCH, 3, SIZE, SIZE);
        try (var ignored = dev.strix.nn.Autograd.noGrad()) {
            model.forward(input);
            @SuppressWarnings("unchecked")
            List<LevelOutput>[] captured = new List[1];
            try (CudaGraph graph = CudaGraph.capture(gpu, () -> captured[0] = model.forward(input))) {
                for (int round = 0; round < 2; round++) {
                    Tensor fresh = Tensor.from(gpu, SyntheticTargets.images(BATCH, SIZE, 30 + round), BATCH, 3, SIZE,
                            SIZE);
                    gpu.copy(input, fresh);
                    graph.replay();
                    List<LevelOutput> eager = model.forward(fresh);
                    for (int l = 0; l < eager.size(); l++) {
                        close("round " + round + " level " + l + " cls", eager.get(l).cls(), captured[0].get(l).cls(), 1e-6);
                        close("round " + round + " level " + l + " box", eager.get(l).box(), captured[0].get(l).box(), 1e-6);
                        close("round " + round + " level " + l + " ctr", eager.get(l).ctr(), captured[0].get(l).ctr(), 1e-6);
                    }
                }
            }
        }
    }

    /**
     * Bytes in use once every unreachable tensor has given its block back: collections until two readings in a
     * row agree (the cleaner returns blocks on its own thread).
     */
    private static long settledBytesInUse(CudaDevice gpu) {
        gpu.synchronize();
        long previous = -1;
        for (int i = 0; i < 50; i++) {
            System.gc();
            try {
                Thread.sleep(40);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = gpu.memoryStats().bytesInUse();
            if (now == previous) return now;
            previous = now;
        }
        return previous;
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (float v : t.toArray()) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** {@code |g - c| <= 1e-5 + rtol * max|c|} everywhere; the message shows the first mismatches and the largest. */
    private static void close(String what, Tensor cpu, Tensor gpu, double rtol) {
        assertEquals(cpu.shape().length, gpu.shape().length, what + ": rank");
        float[] c = cpu.toArray(), g = gpu.toArray();
        assertEquals(c.length, g.length, what + ": elements");
        double scale = 0;
        for (float v : c) scale = Math.max(scale, Math.abs(v));
        double allowed = 1e-5 + rtol * scale, worst = 0;
        int worstAt = -1, bad = 0;
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < c.length; i++) {
            double d = Math.abs((double) g[i] - c[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            if (d > worst) {
                worst = d;
                worstAt = i;
            }
            if (d > allowed && bad++ < 6) shown.append("\n  [").append(i).append("] cpu ").append(c[i]).append(", cuda ")
                    .append(g[i]);
        }
        if (bad > 0)
            fail(what + ": " + bad + " of " + c.length + " elements differ by more than " + allowed + " (1e-5 + " + rtol
                    + " x max|cpu| " + scale + ")" + shown + "\n  largest difference " + worst + " at [" + worstAt + "]");
    }
}
