package dev.strix.kernels;

/**
 * Geometry of a 2-D pooling window over an (N, C, H, W) input, with PyTorch's output-size rule.
 *
 * <p>outH = floor_or_ceil((inH + 2 * padH - kernelH) / strideH) + 1; with ceilMode the last window must still
 * start inside the input or the left padding ((outH - 1) * strideH < inH + padH), else outH shrinks by one.
 * Validation follows PyTorch: positive kernel, stride and input sizes, 0 <= pad <= kernel / 2, output >= 1.
 *
 * @param batch    N
 * @param channels C
 * @param inH      input height H
 * @param inW      input width W
 * @param kernelH  window height
 * @param kernelW  window width
 * @param strideH  vertical stride
 * @param strideW  horizontal stride
 * @param padH     implicit padding on top and bottom
 * @param padW     implicit padding left and right
 * @param ceilMode round the output size up instead of down
 */
public record PoolShape(int batch, int channels, int inH, int inW, int kernelH, int kernelW, int strideH,
                        int strideW, int padH, int padW, boolean ceilMode) {
    public PoolShape {
        if (batch < 0 || channels < 0) throw new IllegalArgumentException("negative batch or channels: " + batch + ", " + channels);
        if (inH < 1 || inW < 1) throw new IllegalArgumentException("input size must be positive: " + inH + "x" + inW);
        if (kernelH < 1 || kernelW < 1) throw new IllegalArgumentException("kernel must be positive: " + kernelH + "x" + kernelW);
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("stride must be positive: " + strideH + "x" + strideW);
        if (padH < 0 || padW < 0 || padH > kernelH / 2 || padW > kernelW / 2)
            throw new IllegalArgumentException("pad should be between 0 and half the kernel size, got pad " + padH + "x"
                    + padW + " for kernel " + kernelH + "x" + kernelW);
        int oh = outSize(inH, kernelH, strideH, padH, ceilMode), ow = outSize(inW, kernelW, strideW, padW, ceilMode);
        if (oh < 1 || ow < 1)
            throw new IllegalArgumentException("output size " + oh + "x" + ow + " is too small for input " + inH + "x"
                    + inW + ", kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x" + strideW + ", pad "
                    + padH + "x" + padW);
        Math.toIntExact((long) batch * channels * inH * inW);
        Math.toIntExact((long) batch * channels * oh * ow);
    }

    /** Square kernel, stride and padding, floor mode. */
    public static PoolShape of(int n, int c, int h, int w, int kernel, int stride, int pad) {
        return new PoolShape(n, c, h, w, kernel, kernel, stride, stride, pad, pad, false);
    }

    /** Output height. */
    public int outH() {
        return outSize(inH, kernelH, strideH, padH, ceilMode);
    }

    /** Output width. */
    public int outW() {
        return outSize(inW, kernelW, strideW, padW, ceilMode);
    }

    /** Number of (n, c) planes. */
    public int planes() {
        return batch * channels;
    }

    /** Elements of the input, N * C * H * W. */
    public int inputSize() {
        return batch * channels * inH * inW;
    }

    /** Elements of the output, N * C * outH * outW. */
    public int outputSize() {
        return batch * channels * outH() * outW();
    }

    /** PyTorch's pooling_output_shape with dilation 1. */
    static int outSize(int in, int k, int stride, int pad, boolean ceil) {
        long num = (long) in + 2L * pad - k + (ceil ? stride - 1 : 0);
        long out = Math.floorDiv(num, stride) + 1;
        if (ceil && (out - 1) * stride >= (long) in + pad) out--;
        return (int) out;
    }
}
