package dev.strix.nn.layers;

import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.PoolOps;

/**
 * Max pooling with a square window, as {@code torch.nn.MaxPool2d} (padding counts as -infinity).
 * Input (N, C, H, W), output (N, C, P, Q).
 */
public final class MaxPool2d extends Module implements Layer {
    private final int kernel, stride, padding;
    private final boolean ceilMode;

    public MaxPool2d(int kernel, int stride, int padding, boolean ceilMode) {
        if (kernel <= 0 || stride <= 0 || padding < 0 || 2 * padding > kernel)
            throw new IllegalArgumentException("MaxPool2d(kernel " + kernel + ", stride " + stride + ", padding "
                    + padding + "): need kernel, stride > 0 and 0 <= padding <= kernel/2");
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
    }

    /** Stride = kernel, no padding, floor mode (PyTorch's defaults). */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0, false);
    }

    @Override
    public Tensor forward(Tensor x) {
        return PoolOps.maxPool2d(x, kernel, stride, padding, ceilMode);
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding + ", ceil_mode="
                + ceilMode + ")";
    }
}
