package dev.strix.kernels;

/**
 * Geometry of one 2-D convolution (NCHW input, OIHW weight, like PyTorch).
 *
 * <p>Legend: x is (batch, inChannels, inH, inW); w is (outChannels, inChannels/groups, kernelH, kernelW);
 * y is (batch, outChannels, outH, outW) with outH = (inH + 2 padH - dilationH (kernelH - 1) - 1) / strideH + 1
 * (likewise outW). Input channel group g (inChannels/groups of them) feeds output channel group g.
 *
 * @param batch       images N (>= 1)
 * @param inChannels  input channels C, divisible by groups
 * @param inH         input height H (>= 1)
 * @param inW         input width W (>= 1)
 * @param outChannels output channels K, divisible by groups
 * @param kernelH     filter height R (>= 1)
 * @param kernelW     filter width S (>= 1)
 * @param strideH     vertical stride (>= 1)
 * @param strideW     horizontal stride (>= 1)
 * @param padH        zero rows added above and below (>= 0)
 * @param padW        zero columns added left and right (>= 0)
 * @param dilationH   vertical spacing of filter taps (>= 1)
 * @param dilationW   horizontal spacing of filter taps (>= 1)
 * @param groups      channel groups (>= 1)
 */
public record ConvShape(int batch, int inChannels, int inH, int inW, int outChannels, int kernelH, int kernelW,
                        int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {

    /** Validates every field; the output must be at least 1 x 1 and all sizes must fit an int. */
    public ConvShape {
        positive("batch", batch);
        positive("inChannels", inChannels);
        positive("inH", inH);
        positive("inW", inW);
        positive("outChannels", outChannels);
        positive("kernelH", kernelH);
        positive("kernelW", kernelW);
        positive("strideH", strideH);
        positive("strideW", strideW);
        positive("dilationH", dilationH);
        positive("dilationW", dilationW);
        positive("groups", groups);
        if (padH < 0 || padW < 0)
            throw new IllegalArgumentException("conv padding must be >= 0, got padH=" + padH + " padW=" + padW);
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new IllegalArgumentException("conv groups=" + groups + " must divide inChannels=" + inChannels
                    + " and outChannels=" + outChannels);
        long spanH = (long) dilationH * (kernelH - 1) + 1, spanW = (long) dilationW * (kernelW - 1) + 1;
        if (inH + 2L * padH < spanH || inW + 2L * padW < spanW)
            throw new IllegalArgumentException("conv kernel " + kernelH + "x" + kernelW + " (dilation " + dilationH
                    + "x" + dilationW + ", extent " + spanH + "x" + spanW + ") does not fit the padded input "
                    + (inH + 2L * padH) + "x" + (inW + 2L * padW));
        long outH = (inH + 2L * padH - spanH) / strideH + 1, outW = (inW + 2L * padW - spanW) / strideW + 1;
        long in = (long) batch * inChannels * inH * inW, out = (long) batch * outChannels * outH * outW;
        long weight = (long) outChannels * (inChannels / groups) * kernelH * kernelW;
        if (in > Integer.MAX_VALUE || out > Integer.MAX_VALUE || weight > Integer.MAX_VALUE)
            throw new IllegalArgumentException("conv tensors exceed 2^31-1 elements: input " + in + ", output " + out
                    + ", weight " + weight);
    }

    private static void positive(String name, int v) {
        if (v < 1) throw new IllegalArgumentException("conv " + name + " must be >= 1, got " + v);
    }

    /**
     * Square kernel, stride and padding; dilation 1, one group.
     *
     * @param n      batch
     * @param cin    input channels
     * @param h      input height
     * @param w      input width
     * @param cout   output channels
     * @param k      kernel side
     * @param stride stride in both directions
     * @param pad    padding on every side
     */
    public static ConvShape of(int n, int cin, int h, int w, int cout, int k, int stride, int pad) {
        return new ConvShape(n, cin, h, w, cout, k, k, stride, stride, pad, pad, 1, 1, 1);
    }

    /** Output height. */
    public int outH() {
        return (inH + 2 * padH - dilationH * (kernelH - 1) - 1) / strideH + 1;
    }

    /** Output width. */
    public int outW() {
        return (inW + 2 * padW - dilationW * (kernelW - 1) - 1) / strideW + 1;
    }

    /** Input channels per group. */
    public int inChannelsPerGroup() {
        return inChannels / groups;
    }

    /** Output channels per group. */
    public int outChannelsPerGroup() {
        return outChannels / groups;
    }

    /** Elements of x: batch * inChannels * inH * inW. */
    public int inputSize() {
        return batch * inChannels * inH * inW;
    }

    /** Elements of w: outChannels * inChannels/groups * kernelH * kernelW. */
    public int weightSize() {
        return outChannels * (inChannels / groups) * kernelH * kernelW;
    }

    /** Elements of y: batch * outChannels * outH * outW. */
    public int outputSize() {
        return batch * outChannels * outH() * outW();
    }
}
