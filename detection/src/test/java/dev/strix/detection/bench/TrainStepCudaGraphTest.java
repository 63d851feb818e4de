package dev.strix.detection.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strix.cuda.CudaAvailability;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.nn.Tensor;
import dev.strix.nn.cuda.AllocatorStats;
import dev.strix.nn.cuda.CudaDevice;
import dev.strix.nn.init.Init;
import dev.strix.nn.io.DType;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * The whole DetNet training step captured in a CUDA graph ({@link TrainStep#captured}) against the same step run
 * eagerly on the same GPU, from the same seed: the losses of three replays and every weight, momentum-updated
 * parameter and running statistic after them; and the replays allocate nothing (the allocator's request count
 * stands still and its bytes in use do not grow).
 *
 * <p>Tolerance: 1e-4 relative to the largest magnitude of each tensor, plus 1e-6 absolute. Replay and eager step
 * run the same kernels, cuDNN algorithms and cuBLAS calls in the same order on the same values, so with
 * deterministic algorithms they agree bit for bit; cuDNN may pick backward-filter and batch-norm backward algorithms
 * that accumulate with atomics, whose order varies from run to run (a few ulps, 1e-6 relative, per step), and five
 * SGD steps at lr 0.01 with momentum 0.9 carry such differences into the weights and the losses without growing
 * them by more than the factor of 100 the bound leaves. Runs in strict FP32 so TF32 rounding plays no part.
 */
class TrainStepCudaGraphTest {
    private static final DetNetConfig MODEL = new DetNetConfig(5, 8, 16, 2);
    private static final int BATCH = 2, SIZE = 64, REPLAYS = 3;
    private static final double RTOL = 1e-4, ATOL = 1e-6;

    private CudaDevice device;
    private boolean previousStrict;

    private CudaDevice cuda() {
        CudaAvailability probe = CudaAvailability.probe();
        assumeTrue(probe.usable(), () -> "no CUDA: " + probe.reason());
        device = CudaDevice.get(0);
        previousStrict = device.strictFp32();
        device.setStrictFp32(true);
        return device;
    }

    /** The device is shared by every test of the run: give it back in the precision mode it had. */
    @AfterEach
    void restorePrecision() {
        if (device != null) device.setStrictFp32(previousStrict);
    }

    private static DetNet model(CudaDevice gpu) {
        Init.seed(5);
        DetNet m = new DetNet(MODEL);
        m.to(gpu);
        return m;
    }

    @Test
    void capturedStepsReplayLikeEagerStepsAndAllocateNothing() {
        CudaDevice gpu = cuda();
        Tensor input = Tensor.from(gpu, SyntheticTargets.images(BATCH, SIZE, 6), BATCH, 3, SIZE, SIZE);
        List<List<ObjectAnnotation>> boxes = SyntheticTargets.generate(BATCH, SIZE, MODEL.numClasses(), 7);

        // the eager reference first, to the end: nothing eager runs on the device while the graph exists
        DetNet eagerModel = model(gpu);
        TrainStep eager = new TrainStep(eagerModel, input, boxes, ModelBenchConfig.LR, ModelBenchConfig.MOMENTUM,
                ModelBenchConfig.WEIGHT_DECAY);
        for (int i = 0; i < TrainStep.EAGER_STEPS; i++) eager.run();
        float[] eagerLoss = new float[REPLAYS];
        for (int i = 0; i < REPLAYS; i++) {
            eager.run();
            eagerLoss[i] = eager.lastLoss();
        }
        Map<String, float[]> eagerState = hostState(eagerModel);

        try (TrainStep captured = TrainStep.captured(model(gpu), input, boxes, ModelBenchConfig.LR,
                ModelBenchConfig.MOMENTUM, ModelBenchConfig.WEIGHT_DECAY, gpu)) {
            assertTrue(captured.isCaptured());
            assertArrayEquals(new String[] {"step", "readback"}, captured.phases());
            assertEquals(eager.lastPositives(), captured.lastPositives(), "the same assignment");
            captured.run(); // the first replay may still see blocks of the eager set-up being returned
            AllocatorStats before = gpu.memoryStats();
            for (int i = 1; i < REPLAYS; i++) captured.run();
            gpu.synchronize();
            AllocatorStats after = gpu.memoryStats();
            assertEquals(before.allocCount(), after.allocCount(), "replays request no memory: " + before + " -> " + after);
            assertEquals(before.cudaMallocCount(), after.cudaMallocCount(), "no cudaMalloc: " + before + " -> " + after);
            assertTrue(after.bytesInUse() <= before.bytesInUse(), "bytes in use do not grow: " + before + " -> " + after);

            float lastLoss = captured.lastLoss();
            assertTrue(Float.isFinite(lastLoss), "finite loss " + lastLoss);
            double allowed = ATOL + RTOL * Math.abs(eagerLoss[REPLAYS - 1]);
            assertTrue(Math.abs(lastLoss - eagerLoss[REPLAYS - 1]) <= allowed, "loss after " + REPLAYS
                    + " replays " + lastLoss + ", eager " + eagerLoss[REPLAYS - 1] + " (allowed " + allowed + ")");
            assertTrue(eagerLoss[REPLAYS - 1] != eagerLoss[0], "the steps train: the loss moves");
            Map<String, float[]> replayed = hostState(captured.model());
            assertEquals(eagerState.keySet(), replayed.keySet());
            for (String name : eagerState.keySet())
                close(name + " after " + REPLAYS + " replays", eagerState.get(name), replayed.get(name));
        }
    }

    @Test
    void lossesOfEveryReplayMatchTheEagerSteps() {
        CudaDevice gpu = cuda();
        Tensor input = Tensor.from(gpu, SyntheticTargets.images(BATCH, SIZE, 8), BATCH, 3, SIZE, SIZE);
        List<List<ObjectAnnotation>> boxes = SyntheticTargets.generate(BATCH, SIZE, MODEL.numClasses(), 9);
        TrainStep eager = new TrainStep(model(gpu), input, boxes, ModelBenchConfig.LR, ModelBenchConfig.MOMENTUM,
                ModelBenchConfig.WEIGHT_DECAY);
        for (int i = 0; i < TrainStep.EAGER_STEPS; i++) eager.run();
        float[] expected = new float[REPLAYS];
        for (int i = 0; i < REPLAYS; i++) {
            eager.run();
            expected[i] = eager.lastLoss();
        }
        try (TrainStep captured = TrainStep.captured(model(gpu), input, boxes, ModelBenchConfig.LR,
                ModelBenchConfig.MOMENTUM, ModelBenchConfig.WEIGHT_DECAY, gpu)) {
            for (int i = 0; i < REPLAYS; i++) {
                captured.run();
                double allowed = ATOL + RTOL * Math.abs(expected[i]);
                assertTrue(Math.abs(captured.lastLoss() - expected[i]) <= allowed, "replay " + i + ": loss "
                        + captured.lastLoss() + ", eager " + expected[i] + " (allowed " + allowed + ")");
            }
        }
    }

    @Test
    void benchModelTrainsWithACudaGraph() {
        CudaDevice gpu = cuda();
        ModelBenchResult r = ModelBenchmark.run(new ModelBenchConfig(MODEL, BenchMode.TRAIN, BATCH, SIZE, 1, 3, 1, 0),
                gpu, true);
        assertTrue(r.cudaGraph(), "the result says the steps were replayed");
        assertTrue(Float.isFinite((float) r.loss()) && r.loss() > 0, "a real loss: " + r.loss());
        assertTrue(r.positives() > 0, "positives: " + r.positives());
        assertEquals(List.of("step", "readback"), List.copyOf(r.phaseMs().keySet()));
        assertTrue(r.msPerStep() > 0, "timed: " + r.msPerStep());
    }

    private static Map<String, float[]> hostState(DetNet m) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet())
            if (e.getValue().dtype() == DType.F32) out.put(e.getKey(), e.getValue().toArray());
        return out;
    }

    private static void close(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": elements");
        double scale = 0;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        double allowed = ATOL + RTOL * scale, worst = 0;
        int bad = 0;
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            worst = Math.max(worst, d);
            if (d > allowed && bad++ < 6)
                shown.append("\n  [").append(i).append("] eager ").append(expected[i]).append(", replayed ").append(actual[i]);
        }
        if (bad > 0)
            fail(what + ": " + bad + " of " + expected.length + " elements differ by more than " + allowed + shown
                    + "\n  largest difference " + worst);
    }
}
