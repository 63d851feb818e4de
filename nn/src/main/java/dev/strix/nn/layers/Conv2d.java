package dev.strix.nn.layers;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import dev.strix.nn.ops.ConvOps;

/**
 * 2-D convolution with a square kernel, as {@code torch.nn.Conv2d}: parameters {@code weight}
 * (out, in/groups, k, k) and optional {@code bias} (out), initialised like PyTorch (Kaiming uniform with
 * a = sqrt(5) for the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias).
 *
 * <p>Input (N, in, H, W), output (N, out, P, Q) with P = floor((H + 2 padding - dilation (k - 1) - 1) / stride) + 1.
 */
public final class Conv2d extends Module implements Layer {
    private final int inChannels, outChannels, kernel, stride, padding, dilation, groups;
    private final boolean hasBias;

    /** Full form; {@code in} and {@code out} must be divisible by {@code groups}. */
    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias) {
        if (in <= 0 || out <= 0 || kernel <= 0 || stride <= 0 || padding < 0 || dilation <= 0 || groups <= 0)
            throw new IllegalArgumentException("Conv2d(" + in + ", " + out + ", kernel " + kernel + ", stride " + stride
                    + ", padding " + padding + ", dilation " + dilation + ", groups " + groups + "): bad argument");
        if (in % groups != 0 || out % groups != 0)
            throw new IllegalArgumentException("Conv2d: in (" + in + ") and out (" + out
                    + ") channels must be divisible by groups (" + groups + ")");
        this.inChannels = in;
        this.outChannels = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.hasBias = bias;
        Tensor w = registerParameter("weight", Tensor.zeros(CpuDevice.INSTANCE, out, in / groups, kernel, kernel));
        Init.kaimingUniform(w, Math.sqrt(5));
        if (bias) Init.biasUniform(registerParameter("bias", Tensor.zeros(CpuDevice.INSTANCE, out)), Init.fanIn(w.shape()));
    }

    /** Dilation 1, one group. */
    public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias) {
        this(in, out, kernel, stride, padding, 1, 1, bias);
    }

    /** Stride 1, no padding, with bias. */
    public Conv2d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0, true);
    }

    /** x (N, in, H, W) -> (N, out, P, Q). */
    @Override
    public Tensor forward(Tensor x) {
        return ConvOps.conv2d(x, weight(), bias(), stride, padding, dilation, groups);
    }

    /** The current weight (out, in/groups, k, k). */
    public Tensor weight() {
        return param("weight");
    }

    /** The current bias (out), or null when the layer has none. */
    public Tensor bias() {
        return hasBias ? param("bias") : null;
    }

    public int inChannels() { return inChannels; }
    public int outChannels() { return outChannels; }
    public int kernelSize() { return kernel; }
    public int stride() { return stride; }
    public int padding() { return padding; }
    public int dilation() { return dilation; }
    public int groups() { return groups; }

    @Override
    public String toString() {
        return "Conv2d(" + inChannels + ", " + outChannels + ", kernel_size=" + kernel + ", stride=" + stride
                + ", padding=" + padding + ", dilation=" + dilation + ", groups=" + groups + ", bias=" + hasBias + ")";
    }
}
