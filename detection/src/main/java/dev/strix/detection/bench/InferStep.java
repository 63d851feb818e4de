package dev.strix.detection.bench;

import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.LevelOutput;
import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;

import java.util.List;

/**
 * Inference step: {@code model.eval()} once, then per step the forward pass under {@link Autograd#noGrad()}.
 * Box decoding, score threshold and NMS are not part of the step (they depend on how many boxes pass the
 * threshold, which on random weights says nothing); the smallest output is read back so that an
 * asynchronous device has finished.
 */
final class InferStep implements BenchStep {
    private static final String[] PHASES = {"forward"};
    private final DetNet model;
    private final Tensor input;
    private final long[] nanos = new long[1];

    /** @param input (N, 3, S, S) on the model's device */
    InferStep(DetNet model, Tensor input) {
        this.model = model;
        this.input = input;
        model.eval();
    }

    @Override
    public void run() {
        long t0 = System.nanoTime();
        try (var ignored = Autograd.noGrad()) {
            List<LevelOutput> out = model.forward(input);
            float v = out.getLast().ctr().toArray()[0];
            if (Float.isNaN(v)) throw new IllegalStateException("inference produced NaN");
        }
        nanos[0] = System.nanoTime() - t0;
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
