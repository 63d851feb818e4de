package dev.strix.nn.losses;

import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ReduceOps;
import dev.strix.nn.ops.SoftmaxOps;

import java.util.Arrays;

/**
 * Softmax cross-entropy with class-index targets, PyTorch's {@code F.cross_entropy} (no class weights).
 *
 * <p>Shapes: logits (N, C) or (N, C, d1, ..., dk); targets hold N*d1*...*dk class indices in row-major order of
 * (N, d1, ..., dk); the per-element loss has shape (N, d1, ..., dk).
 */
public final class CrossEntropyLoss {
    /** PyTorch's default {@code ignore_index}. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    private CrossEntropyLoss() {}

    /**
     * Cross-entropy with PyTorch's semantics, label smoothing and ignored targets included:
     * <pre>
     *   logp  = log_softmax(x, dim 1)
     *   l_i   = (1 - eps) * (-logp[i, y_i]) + eps * mean_c(-logp[i, c])    for y_i != ignoreIndex
     *   l_i   = 0                                                          for y_i == ignoreIndex
     *   MEAN  = sum_i l_i / #{i : y_i != ignoreIndex}    (NaN when every target is ignored or the input is empty,
     *                                                      with a zero gradient, as PyTorch gives)
     *   SUM   = sum_i l_i
     * </pre>
     * The targets are host-side values; they are turned into one per-class weight tensor on the logits' device.
     *
     * @param logits         x, shape (N, C) or (N, C, d1, ..., dk)
     * @param targetClasses  y, N*d1*...*dk class indices in [0, C) or equal to ignoreIndex
     * @param labelSmoothing eps in [0, 1]
     * @param reduction      NONE gives shape (N, d1, ..., dk)
     * @param ignoreIndex    target value that contributes neither loss nor gradient nor count
     */
    public static Tensor crossEntropy(Tensor logits, long[] targetClasses, float labelSmoothing, Reduction reduction,
                                      int ignoreIndex) {
        int[] shape = logits.shape();
        if (shape.length < 2)
            throw new IllegalArgumentException("crossEntropy: logits must be (N, C, ...), got " + Arrays.toString(shape));
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new IllegalArgumentException("crossEntropy: label smoothing must lie in [0, 1], got " + labelSmoothing);
        int n = shape[0], classes = shape[1];
        int inner = 1;
        for (int i = 2; i < shape.length; i++) inner *= shape[i];
        if (targetClasses.length != n * inner)
            throw new IllegalArgumentException("crossEntropy: " + targetClasses.length + " targets for logits of shape "
                    + Arrays.toString(shape) + " (need " + n * inner + ")");

        float[] weights = new float[logits.numel()]; // (N, C, d...): how much -logp[n, c, d] counts
        float onTarget = 1f - labelSmoothing, everyClass = labelSmoothing / classes;
        int valid = 0;
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < inner; k++) {
                long y = targetClasses[b * inner + k];
                if (y == ignoreIndex) continue;
                if (y < 0 || y >= classes)
                    throw new IllegalArgumentException("crossEntropy: target " + y + " at position " + (b * inner + k)
                            + " is outside [0, " + classes + ") and is not the ignore index " + ignoreIndex);
                valid++;
                int base = b * classes * inner + k;
                if (everyClass != 0f) for (int c = 0; c < classes; c++) weights[base + c * inner] = everyClass;
                weights[base + (int) y * inner] += onTarget;
            }
        }
        return crossEntropy(logits, Tensor.from(logits.device(), weights, shape), valid, reduction);
    }

    /**
     * Cross-entropy from per-element weights already on the logits' device: {@code l_i = -sum_c w[i, c] logp[i, c]}
     * (MEAN divides the sum by {@code validCount}; NaN with a zero gradient when it is 0). The weights of
     * {@link #crossEntropy(Tensor, long[], float, Reduction, int)} are 1 - eps + eps / C on the target class,
     * eps / C on the others and 0 on ignored rows; made once, they let a loss on fixed targets upload nothing.
     *
     * @param logits     x, shape (N, C) or (N, C, d1, ..., dk)
     * @param weights    w, same shape as the logits, no history needed
     * @param validCount rows that count for MEAN
     * @param reduction  NONE gives shape (N, d1, ..., dk)
     */
    public static Tensor crossEntropy(Tensor logits, Tensor weights, int validCount, Reduction reduction) {
        if (!Arrays.equals(logits.shape(), weights.shape()))
            throw new IllegalArgumentException("crossEntropy: weights of shape " + Arrays.toString(weights.shape())
                    + " for logits of shape " + Arrays.toString(logits.shape()));
        Tensor logp = SoftmaxOps.logSoftmax(logits, 1);
        Tensor perElement = MathOps.neg(ReduceOps.sum(MathOps.mul(logp, weights), 1, false));
        return switch (reduction) {
            case NONE -> perElement;
            case SUM -> ReduceOps.sum(perElement);
            case MEAN -> {
                Tensor total = ReduceOps.sum(perElement);
                // no valid target: NaN value with a zero gradient (scale by 0 keeps the graph, adds nothing)
                yield validCount == 0 ? MathOps.addScalar(MathOps.scale(total, 0f), Float.NaN)
                        : MathOps.scale(total, 1f / validCount);
            }
        };
    }

    /** {@link #crossEntropy(Tensor, long[], float, Reduction, int)} without label smoothing or ignored index. */
    public static Tensor crossEntropy(Tensor logits, long[] targetClasses, Reduction reduction) {
        return crossEntropy(logits, targetClasses, 0f, reduction, DEFAULT_IGNORE_INDEX);
    }
}
