package dev.strix.detection.bench;

import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.model.DetNet;
import dev.strix.kernels.Parallel;
import dev.strix.kernels.Simd;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;
import dev.strix.nn.OpProfiler;
import dev.strix.nn.Tensor;
import dev.strix.nn.cuda.CudaDevice;
import dev.strix.nn.init.Init;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The end-to-end DetNet benchmark behind {@code strix bench model}.
 *
 * <p>Set-up (untimed): seed the initialisers, build DetNet and move it to the device, make the seeded input
 * (N, 3, S, S) and the fixed {@link SyntheticTargets}. Then {@code warmup} untimed steps and {@code iters}
 * timed ones ({@link TrainStep} or {@link InferStep}, either replaying a captured CUDA graph with
 * {@code cudaGraph}); the median wall time is the result. The peak heap is
 * tracked over the timed steps only ({@link HeapPeakTracker}), and the live heap and device memory (after full
 * collections) are taken before and after them: their difference shows growth from step to step. The worker-thread count is set for the run
 * and restored afterwards.
 *
 * <p>On an asynchronous device (CUDA) every step, warm-up included, ends with a synchronisation of the device's
 * stream inside the timed interval, so a step's time covers its kernels and not only their launch; the phase
 * times are host times (a phase that queues work without waiting for it looks short and the next one that
 * waits, such as reading the loss back, looks long). The peak device memory is the caching allocator's peak of
 * bytes in use over the timed steps ({@link dev.strix.nn.cuda.CudaDevice#memoryStats()}).
 */
public final class ModelBenchmark {
    private ModelBenchmark() {}

    /** Runs the benchmark on {@code device}, eagerly. */
    public static ModelBenchResult run(ModelBenchConfig c, Device device) {
        return run(c, device, false);
    }

    /**
     * Runs the benchmark on {@code device}; with {@code cudaGraph} (CUDA only) each step replays a CUDA graph
     * captured during set-up: of the forward pass for inference ({@link InferStep#captured}), of the whole
     * training step (forward, loss, backward, SGD update) for training ({@link TrainStep#captured}, which runs
     * {@value TrainStep#EAGER_STEPS} eager steps before the capture, in addition to the warm-up).
     *
     * @throws IllegalArgumentException for {@code cudaGraph} on a device other than CUDA
     */
    public static ModelBenchResult run(ModelBenchConfig c, Device device, boolean cudaGraph) {
        return run(c, device, cudaGraph, false);
    }

    /**
     * {@link #run(ModelBenchConfig, Device, boolean)}; with {@code profile} the timed steps are also profiled op by op
     * ({@link OpProfiler}; host time, so on an asynchronous device an op's row shows its launch, not its kernels, and
     * a replayed CUDA graph shows no ops at all).
     */
    public static ModelBenchResult run(ModelBenchConfig c, Device device, boolean cudaGraph, boolean profile) {
        if (cudaGraph && !(device instanceof CudaDevice))
            throw new IllegalArgumentException("CUDA graph capture needs a CUDA device, not " + device.name());
        int previous = Parallel.threads();
        Parallel.setThreads(c.threads());
        BenchStep step = null;
        try {
            Init.seed(c.seed());
            DetNet model = new DetNet(c.model());
            if (device != CpuDevice.INSTANCE) model.to(device);
            Tensor input = Tensor.from(device, SyntheticTargets.images(c.batch(), c.size(), c.seed() + 1),
                    c.batch(), 3, c.size(), c.size());
            List<List<ObjectAnnotation>> targets =
                    SyntheticTargets.generate(c.batch(), c.size(), c.model().numClasses(), c.seed() + 2);
            if (c.mode() == BenchMode.TRAIN)
                step = cudaGraph
                        ? TrainStep.captured(model, input, targets, ModelBenchConfig.LR, ModelBenchConfig.MOMENTUM,
                                ModelBenchConfig.WEIGHT_DECAY, (CudaDevice) device)
                        : new TrainStep(model, input, targets, ModelBenchConfig.LR, ModelBenchConfig.MOMENTUM,
                                ModelBenchConfig.WEIGHT_DECAY);
            else step = cudaGraph ? InferStep.captured(model, input, (CudaDevice) device) : new InferStep(model, input);
            Runnable sync = DeviceSync.of(device);
            for (int i = 0; i < c.warmup(); i++) {
                step.run();
                sync.run();
            }
            long[] liveBefore = DeviceSync.liveBytes(device);
            DeviceSync.resetPeak(device);

            String[] phases = step.phases();
            double[] ms = new double[c.iters()];
            double[][] phaseMs = new double[phases.length][c.iters()];
            long heapPeak, collections;
            List<OpProfiler.Entry> ops = null;
            if (profile) OpProfiler.start();
            try (HeapPeakTracker heap = new HeapPeakTracker()) {
                for (int i = 0; i < c.iters(); i++) {
                    OpProfiler.mark();
                    long t0 = System.nanoTime();
                    step.run();
                    sync.run();
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                    heap.sample();
                    long[] p = step.phaseNanos();
                    for (int k = 0; k < phases.length; k++) phaseMs[k][i] = p[k] / 1e6;
                }
                heapPeak = heap.peakBytes();
                collections = heap.collections();
            } finally {
                if (profile) ops = OpProfiler.stop();
            }
            long[] liveAfter = DeviceSync.liveBytes(device);
            Map<String, Double> phaseMedians = new LinkedHashMap<>();
            for (int k = 0; k < phases.length; k++) phaseMedians.put(phases[k], Medians.median(phaseMs[k]));
            float loss = step instanceof TrainStep t ? t.lastLoss() : Float.NaN;
            int positives = step instanceof TrainStep t ? t.lastPositives() : 0;
            boolean cpu = device == CpuDevice.INSTANCE;
            return new ModelBenchResult(c, device.name(), Medians.median(ms), Medians.min(ms), Medians.max(ms),
                    model.forwardFlops(c.size(), c.size()) / 1e9, cpu ? DevicePeak.cpu(c.threads()) : null,
                    heapPeak / (1024.0 * 1024.0), DeviceSync.peakBytes(device) / (1024.0 * 1024.0), phaseMedians,
                    loss, positives, collections, cudaGraph, Simd.describe(), ops,
                    (liveAfter[0] - liveBefore[0]) / (1024.0 * 1024.0), (liveAfter[1] - liveBefore[1]) / (1024.0 * 1024.0),
                    ms.clone());
        } finally {
            if (step != null) step.close();
            Parallel.setThreads(previous);
        }
    }
}
