package dev.strix.detection.bench;

import dev.strix.detection.assign.Assignment;
import dev.strix.detection.assign.FcosAssigner;
import dev.strix.detection.assign.FcosLoss;
import dev.strix.detection.assign.LevelGrid;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.LevelOutput;
import dev.strix.nn.Tensor;
import dev.strix.nn.cuda.CudaDevice;
import dev.strix.nn.cuda.CudaGraph;
import dev.strix.nn.optim.Optimizer;
import dev.strix.nn.optim.ParamGroups;
import dev.strix.nn.optim.Sgd;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One full training step of DetNet's recipe on a fixed batch:
 * <pre>
 *   forward     outputs = model(x)                                   (train mode: batch statistics)
 *   assign      FCOS targets of the fixed boxes on the outputs' grid (host)
 *   loss        focal (cls) + centerness-weighted GIoU (box) + centerness BCE (ctr), summed with weight 1
 *   backward    gradients of the sum
 *   optimizer   SGD, momentum 0.9, weight decay 1e-4 on conv weights only, then zero grads
 * </pre>
 * Each phase is timed with {@link System#nanoTime()}; on the CPU the phases are synchronous so the split is
 * exact; the loss value is read back at the end of the loss phase (a host sync on an accelerator).
 *
 * <p>With a CUDA graph ({@link #captured}), as PyTorch's {@code torch.cuda.graph} whole-step capture: set-up runs
 * {@value #EAGER_STEPS} eager steps (cuDNN picks its algorithms and sizes its workspace, SGD makes its momentum
 * buffers so that later steps take the non-first-step branch), assigns the fixed boxes once and uploads the
 * targets once ({@link FcosLoss#targets}: the batch and the boxes never change, so neither does the assignment,
 * and the loss normalisers are computed on the host there), then captures forward, loss, backward, SGD update and
 * zeroing of the gradients into one {@link CudaGraph}. Each step replays the graph, which updates the weights, the
 * momentum buffers and the batch-norm running statistics in place, and then reads the captured total loss back
 * (the only host synchronisation). Host-side counters (the optimizer's step count, batch norm's
 * {@code num_batches_tracked}) advance once for the capture and not per replay; the SGD update does not read them.
 */
final class TrainStep implements BenchStep {
    private static final String[] PHASES = {"forward", "assign", "loss", "backward", "optimizer"};
    /** Phases of a step on uploaded targets: the step (for a graph, queuing its replay) and reading the loss back. */
    private static final String[] FIXED_PHASES = {"step", "readback"};
    /** Eager steps before the capture: the first makes the momentum buffers, the second runs as captured steps do. */
    static final int EAGER_STEPS = 2;

    private final DetNet model;
    private final Tensor input;
    private final List<List<ObjectAnnotation>> targets;
    private final FcosAssigner assigner = new FcosAssigner();
    private final FcosLoss loss = new FcosLoss();
    private final Optimizer optimizer;
    private final Assignment assignment = new Assignment();
    private final long[] nanos;
    private final CudaGraph graph;
    /** The targets uploaded once (fixed-target and captured steps); null for the ordinary step. */
    private final FcosLoss.Targets uploaded;
    /** The total loss of the last fixed-target step; for a graph, the tensor each replay rewrites (0-d). */
    private Tensor capturedTotal;
    private float lastLoss = Float.NaN;
    private int lastPositives;

    /**
     * @param input   (N, 3, S, S) on the model's device
     * @param targets N lists of objects in input pixels
     */
    TrainStep(DetNet model, Tensor input, List<List<ObjectAnnotation>> targets, double lr, double momentum,
              double weightDecay) {
        this.model = model;
        this.input = input;
        this.targets = targets;
        model.train();
        optimizer = new Sgd(ParamGroups.decayAndNoDecay(model, weightDecay), lr, momentum, 0, weightDecay, false);
        this.nanos = new long[PHASES.length];
        this.graph = null;
        this.uploaded = null;
    }

    private TrainStep(DetNet model, Tensor input, List<List<ObjectAnnotation>> targets, double lr, double momentum,
                      double weightDecay, CudaDevice capture) {
        this.model = model;
        this.input = input;
        this.targets = targets;
        model.train();
        optimizer = new Sgd(ParamGroups.decayAndNoDecay(model, weightDecay), lr, momentum, 0, weightDecay, false);
        this.nanos = new long[PHASES.length];
        for (int i = 0; i < EAGER_STEPS; i++) eagerStep(); // leaves the (fixed) assignment of the batch behind
        FcosLoss.Targets uploaded = loss.targets(assignment, model.config().numClasses(), input.device());
        this.uploaded = uploaded;
        lastPositives = assignment.numPositives();
        this.graph = capture == null ? null : CudaGraph.capture(capture, () -> capturedTotal = trainStep(uploaded));
    }

    /**
     * The captured step's work run eagerly: {@value #EAGER_STEPS} ordinary steps, then per step {@link #trainStep}
     * on the targets uploaded once, and the total loss read back. On any device; its numbers are the ones a
     * replayed graph computes, which is how the capture's preparation is checked where no GPU is present.
     */
    static TrainStep fixedTargets(DetNet model, Tensor input, List<List<ObjectAnnotation>> targets, double lr,
                                  double momentum, double weightDecay) {
        return new TrainStep(model, input, targets, lr, momentum, weightDecay, null);
    }

    /**
     * The step replaying a CUDA graph of the whole training step on {@code device} (the model and input live there);
     * set-up runs {@value #EAGER_STEPS} eager steps first, so the weights the timed steps start from are those
     * after them.
     *
     * @throws IllegalStateException when the capture fails (the message says why)
     */
    static TrainStep captured(DetNet model, Tensor input, List<List<ObjectAnnotation>> targets, double lr,
                              double momentum, double weightDecay, CudaDevice device) {
        return new TrainStep(model, input, targets, lr, momentum, weightDecay, Objects.requireNonNull(device));
    }

    /**
     * Forward, loss, backward, SGD update and zeroing of the gradients on targets already on the device; returns
     * the total loss (0-d, not read back). Nothing here uploads, reads back or waits, so it can be captured.
     */
    private Tensor trainStep(FcosLoss.Targets uploaded) {
        Tensor total = sum(loss.compute(model.forward(input), uploaded));
        total.backward();
        optimizer.step();
        optimizer.zeroGrad();
        return total;
    }

    private static Tensor sum(Map<String, Tensor> losses) {
        Tensor total = null;
        for (Tensor t : losses.values()) total = total == null ? t : total.add(t);
        return total;
    }

    @Override
    public void run() {
        if (uploaded != null) {
            long t0 = System.nanoTime();
            if (graph != null) graph.replay();
            else capturedTotal = trainStep(uploaded);
            long t1 = System.nanoTime();
            lastLoss = capturedTotal.item();
            long t2 = System.nanoTime();
            if (!Float.isFinite(lastLoss)) throw new IllegalStateException("training loss is " + lastLoss);
            nanos[0] = t1 - t0;
            nanos[1] = t2 - t1;
            return;
        }
        eagerStep();
    }

    private void eagerStep() {
        long t0 = System.nanoTime();
        List<LevelOutput> outputs = model.forward(input);
        long t1 = System.nanoTime();
        LevelGrid grid = LevelGrid.of(input.size(2), input.size(3), outputs);
        assigner.assign(targets, grid, assignment);
        long t2 = System.nanoTime();
        Map<String, Tensor> losses = loss.compute(outputs, assignment);
        Tensor total = sum(losses);
        lastLoss = total.item();
        if (!Float.isFinite(lastLoss)) throw new IllegalStateException("training loss is " + lastLoss + " " + losses);
        long t3 = System.nanoTime();
        total.backward();
        long t4 = System.nanoTime();
        optimizer.step();
        optimizer.zeroGrad();
        long t5 = System.nanoTime();
        lastPositives = assignment.numPositives();
        nanos[0] = t1 - t0;
        nanos[1] = t2 - t1;
        nanos[2] = t3 - t2;
        nanos[3] = t4 - t3;
        nanos[4] = t5 - t4;
    }

    /** Sum of the task losses of the last step. */
    float lastLoss() {
        return lastLoss;
    }

    /** Positive locations in the last step's assignment. */
    int lastPositives() {
        return lastPositives;
    }

    /** True when each step replays a captured CUDA graph. */
    boolean isCaptured() {
        return graph != null;
    }

    /** The model being trained. */
    DetNet model() {
        return model;
    }

    @Override
    public String[] phases() {
        return uploaded != null ? FIXED_PHASES.clone() : PHASES.clone();
    }

    @Override
    public long[] phaseNanos() {
        return Arrays.copyOf(nanos, uploaded != null ? FIXED_PHASES.length : PHASES.length);
    }

    /** Destroys the graph (if any) and lets its memory be reused. */
    @Override
    public void close() {
        if (graph != null) graph.close();
    }
}
