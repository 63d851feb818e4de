package dev.strix.detection.bench;

import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;

/**
 * One configuration of {@code strix bench model}.
 *
 * @param model   the DetNet layout (classes, width, FPN channels, tower depth)
 * @param mode    train or infer
 * @param batch   images per step N (>= 1)
 * @param size    image side S in pixels, a positive multiple of 32 (input (N, 3, S, S))
 * @param warmup  untimed steps before timing (>= 0)
 * @param iters   timed steps (>= 1); the median is reported
 * @param threads CPU worker threads (>= 1)
 * @param seed    seed of the weights, the input and the targets
 */
public record ModelBenchConfig(DetNetConfig model, BenchMode mode, int batch, int size, int warmup, int iters,
                               int threads, long seed) {
    /** Learning rate of the SGD step (its value does not change the cost). */
    public static final double LR = 0.01;
    /** SGD momentum of DetNet's recipe. */
    public static final double MOMENTUM = 0.9;
    /** Weight decay on convolution weights (none on norms and biases). */
    public static final double WEIGHT_DECAY = 1e-4;

    public ModelBenchConfig {
        if (model == null || mode == null) throw new IllegalArgumentException("model and mode must be given");
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (size < DetNet.SIZE_MULTIPLE || size % DetNet.SIZE_MULTIPLE != 0)
            throw new IllegalArgumentException("size must be a positive multiple of " + DetNet.SIZE_MULTIPLE
                    + ", got " + size);
        if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
        if (iters < 1) throw new IllegalArgumentException("iters must be >= 1, got " + iters);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
}
