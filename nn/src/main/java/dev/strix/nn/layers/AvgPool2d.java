package dev.strix.nn.layers;

import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.PoolOps;

/**
 * Average pooling with a square window, as {@code torch.nn.AvgPool2d}; with {@code countIncludePad} the zero padding
 * counts in the divisor. Input (N, C, H, W), output (N, C, P, Q).
 */
public final class AvgPool2d extends Module implements Layer {
    private final int kernel, stride, padding;
    private final boolean ceilMode, countIncludePad;

    public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        if (kernel <= 0 || stride <= 0 || padding < 0 || 2 * padding > kernel)
            throw new IllegalArgumentException("AvgPool2d(kernel " + kernel + ", stride " + stride + ", padding "
                    + padding + "): need kernel, stride > 0 and 0 <= padding <= kernel/2");
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    /** Stride = kernel, no padding, floor mode, padding counted (PyTorch's defaults). */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0, false, true);
    }

    @Override
    public Tensor forward(Tensor x) {
        return PoolOps.avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding + ", ceil_mode="
                + ceilMode + ", count_include_pad=" + countIncludePad + ")";
    }
}
