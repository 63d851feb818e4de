package dev.strix.detection.bench;

import dev.strix.detection.assign.Assignment;
import dev.strix.detection.assign.FcosAssigner;
import dev.strix.detection.assign.FcosLoss;
import dev.strix.detection.assign.LevelGrid;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.LevelOutput;
import dev.strix.nn.Tensor;
import dev.strix.nn.optim.Optimizer;
import dev.strix.nn.optim.ParamGroups;
import dev.strix.nn.optim.Sgd;

import java.util.List;
import java.util.Map;

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
 */
final class TrainStep implements BenchStep {
    private static final String[] PHASES = {"forward", "assign", "loss", "backward", "optimizer"};

    private final DetNet model;
    private final Tensor input;
    private final List<List<ObjectAnnotation>> targets;
    private final FcosAssigner assigner = new FcosAssigner();
    private final FcosLoss loss = new FcosLoss();
    private final Optimizer optimizer;
    private final Assignment assignment = new Assignment();
    private final long[] nanos = new long[PHASES.length];
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
    }

    @Override
    public void run() {
        long t0 = System.nanoTime();
        List<LevelOutput> outputs = model.forward(input);
        long t1 = System.nanoTime();
        LevelGrid grid = LevelGrid.of(input.size(2), input.size(3), outputs);
        assigner.assign(targets, grid, assignment);
        long t2 = System.nanoTime();
        Map<String, Tensor> losses = loss.compute(outputs, assignment);
        Tensor total = null;
        for (Tensor t : losses.values()) total = total == null ? t : total.add(t);
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

    @Override
    public String[] phases() {
        return PHASES.clone();
    }

    @Override
    public long[] phaseNanos() {
        return nanos.clone();
    }
}
