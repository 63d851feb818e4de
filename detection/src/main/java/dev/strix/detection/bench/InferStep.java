package dev.strix.detection.bench;

import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.LevelOutput;
import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.cuda.CudaDevice;
import dev.strix.nn.cuda.CudaGraph;

import java.util.List;

/**
 * Inference step: {@code model.eval()} once, then per step the forward pass under {@link Autograd#noGrad()}.
 * Box decoding, score threshold and NMS are not part of the step (they depend on how many boxes pass the
 * threshold, which on random weights says nothing); the smallest output is read back so that an
 * asynchronous device has finished.
 *
 * <p>With a CUDA graph ({@link #captured}): set-up runs the forward once eagerly (cuDNN picks its algorithms),
 * then captures a second forward into a {@link CudaGraph}; each step replays the graph, which recomputes the
 * captured outputs in place from the same input buffer, and reads the same smallest output back.
 */
final class InferStep implements BenchStep {
    private static final String[] PHASES = {"forward"};
    private final DetNet model;
    private final Tensor input;
    private final long[] nanos = new long[1];
    private final CudaGraph graph;
    private List<LevelOutput> captured;

    /** @param input (N, 3, S, S) on the model's device */
    InferStep(DetNet model, Tensor input) {
        this.model = model;
        this.input = input;
        this.graph = null;
        model.eval();
    }

    private InferStep(DetNet model, Tensor input, CudaDevice device) {
        this.model = model;
        this.input = input;
        model.eval();
        try (var ignored = Autograd.noGrad()) {
            check(model.forward(input));
            this.graph = CudaGraph.capture(device, () -> captured = model.forward(input));
        }
    }

    /** The step replaying one captured forward pass on {@code device} (the model and input live there). */
    static InferStep captured(DetNet model, Tensor input, CudaDevice device) {
        return new InferStep(model, input, device);
    }

    @Override
    public void run() {
        long t0 = System.nanoTime();
        if (graph != null) {
            graph.replay();
            check(captured);
        } else {
            try (var ignored = Autograd.noGrad()) {
                check(model.forward(input));
            }
        }
        nanos[0] = System.nanoTime() - t0;
    }

    private static void check(List<LevelOutput> out) {
        float v = out.getLast().ctr().toArray()[0];
        if (Float.isNaN(v)) throw new IllegalStateException("inference produced NaN");
    }

    @Override
    public String[] phases() {
        return PHASES.clone();
    }

    @Override
    public long[] phaseNanos() {
        return nanos.clone();
    }

    /** Destroys the graph (if any) and lets its memory be reused. */
    @Override
    public void close() {
        if (graph != null) graph.close();
    }
}
