package dev.strix.nn.ops;

import dev.strix.kernels.Activation;
import dev.strix.kernels.ConvShape;
import dev.strix.kernels.Elementwise.Binary;
import dev.strix.kernels.Elementwise.Unary;
import dev.strix.nn.Autograd;
import dev.strix.nn.Device;
import dev.strix.nn.OpProfiler;
import dev.strix.nn.Tensor;
import dev.strix.nn.TensorViews;

import java.util.Arrays;

/** Convolution, fully connected layers and matrix products. */
public final class ConvOps {
    private ConvOps() {}

    /**
     * 2-D convolution (cross-correlation, like PyTorch).
     *
     * @param x    input (N, C, H, W)
     * @param w    weight (K, C/groups, R, S)
     * @param bias (K) or null
     * @return (N, K, P, Q)
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding, int dilation, int groups) {
        return conv2d(x, w, bias, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {dilation, dilation}, groups);
    }

    /** Conv2d with separate vertical and horizontal stride, padding and dilation. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        ConvShape s = shape(x, w, bias, stride, padding, dilation, groups);
        Device dev = MathOps.device(x, w, bias);
        Tensor y = Tensor.empty(dev, s.batch(), s.outChannels(), s.outH(), s.outW());
        dev.conv2dForward(y, x, w, bias, s);
        return Autograd.record(y, label("conv2d", s), g -> backward(dev, g, x, w, bias, s), x, w, bias);
    }

    /**
     * The op name, with the geometry while profiling ({@code conv2d 64->64 3x3/1 32x32}: channels in and out, kernel,
     * stride, input size) so that each layer shape gets its own profile row.
     */
    private static String label(String op, ConvShape s) {
        if (!OpProfiler.enabled()) return op;
        String stride = s.strideH() == s.strideW() ? Integer.toString(s.strideH()) : s.strideH() + "x" + s.strideW();
        return op + " " + s.inChannels() + "->" + s.outChannels() + " " + s.kernelH() + "x" + s.kernelW() + "/" + stride
                + " " + s.inH() + "x" + s.inW() + (s.groups() > 1 ? " g" + s.groups() : "");
    }

    /** The geometry of conv2d(x, w, bias), with messages for shapes that do not fit together. */
    private static ConvShape shape(Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                   int groups) {
        if (x.dim() != 4 || w.dim() != 4)
            throw new IllegalArgumentException("conv2d needs x (N,C,H,W) and w (K,C/g,R,S), got " + x + " and " + w);
        int[] xs = x.shape(), ws = w.shape();
        if (xs[1] != ws[1] * groups)
            throw new IllegalArgumentException("conv2d: input has " + xs[1] + " channels but weight "
                    + Arrays.toString(ws) + " with groups=" + groups + " expects " + ws[1] * groups);
        if (bias != null && (bias.dim() != 1 || bias.size(0) != ws[0]))
            throw new IllegalArgumentException("conv2d: bias " + bias + " does not match " + ws[0] + " output channels");
        return new ConvShape(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], stride[0], stride[1],
                padding[0], padding[1], dilation[0], dilation[1], groups);
    }

    /**
     * relu(conv2d(x, w, bias)) as one op: the ReLU is applied as the convolution stores its output, and only the
     * result is kept for the backward pass (its positive entries are where the ReLU passed the gradient), not the
     * pre-activation. Same values and gradients as the two ops in a row.
     */
    public static Tensor conv2dRelu(Tensor x, Tensor w, Tensor bias, int stride, int padding, int dilation, int groups) {
        ConvShape s = shape(x, w, bias, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {dilation, dilation}, groups);
        Device dev = MathOps.device(x, w, bias);
        Tensor y = Tensor.empty(dev, s.batch(), s.outChannels(), s.outH(), s.outW());
        dev.conv2dForwardRelu(y, x, w, bias, s);
        return Autograd.record(y, label("conv2d_relu", s), g -> {
            Tensor masked = g.emptyLike();
            dev.activationBackward(Activation.RELU, 0f, masked, g, null, y);
            return backward(dev, masked, x, w, bias, s);
        }, x, w, bias);
    }

    /** Gradients of a convolution's input, weight and bias (null where not needed) from the output's gradient g. */
    private static Tensor[] backward(Device dev, Tensor g, Tensor x, Tensor w, Tensor bias, ConvShape s) {
        Tensor dx = null, dw = null, db = null;
        if (x.requiresGrad()) {
            dx = x.emptyLike();
            dev.conv2dBackwardData(dx, g, w, s);
        }
        if (w.requiresGrad()) {
            dw = w.emptyLike();
            dev.conv2dBackwardFilter(dw, g, x, s);
        }
        if (bias != null && bias.requiresGrad()) {
            db = bias.emptyLike();
            dev.conv2dBackwardBias(db, g, s);
        }
        return new Tensor[] {dx, dw, db};
    }

    /**
     * Inference-only convolution with an optional batch norm (running statistics) and ReLU folded in:
     * y = relu?(bn?(conv(x, w) + bias)). The batch norm becomes a per-channel scale of the weights
     * (gamma / sqrt(var + eps)) and a bias (beta - mean * scale, plus the conv bias times the scale), computed
     * afresh on each call so that it always follows the current parameters; the ReLU is applied as the output
     * is stored. Records no autograd history: call it only where no gradient is wanted.
     *
     * @param x    input (N, C, H, W)
     * @param w    weight (K, C/groups, R, S)
     * @param bias (K) or null
     * @param bn   {gamma, beta, runningMean, runningVar} (each (K)), or null for no batch norm
     * @param eps  the batch norm's epsilon (ignored without bn)
     * @param relu whether a ReLU follows
     * @return (N, K, P, Q)
     */
    public static Tensor conv2dInference(Tensor x, Tensor w, Tensor bias, int stride, int padding, int dilation,
                                         int groups, Tensor[] bn, float eps, boolean relu) {
        if (x.dim() != 4 || w.dim() != 4)
            throw new IllegalArgumentException("conv2d needs x (N,C,H,W) and w (K,C/g,R,S), got " + x + " and " + w);
        int[] xs = x.shape(), ws = w.shape();
        if (xs[1] != ws[1] * groups)
            throw new IllegalArgumentException("conv2d: input has " + xs[1] + " channels but weight "
                    + Arrays.toString(ws) + " with groups=" + groups + " expects " + ws[1] * groups);
        Device dev = MathOps.device(x, w, bias);
        int k = ws[0];
        Tensor wf = w, bf = bias;
        if (bn != null) {
            Tensor scale = Tensor.zeros(dev, k);
            dev.addScalar(scale, bn[3], eps);
            dev.unary(Unary.SQRT, scale, scale);
            dev.unary(Unary.RECIPROCAL, scale, scale);
            dev.binary(Binary.MUL, scale, scale, bn[0]);
            wf = w.zerosLike();
            dev.binary(Binary.MUL, wf, w,
                    TensorViews.view(scale, new int[] {k, 1, 1, 1}));
            // bf = beta + (bias - mean) * scale
            bf = Tensor.zeros(dev, k);
            if (bias != null) dev.binary(Binary.SUB, bf, bias, bn[2]);
            else dev.scale(bf, bn[2], -1f);
            dev.binary(Binary.MUL, bf, bf, scale);
            dev.binary(Binary.ADD, bf, bf, bn[1]);
        }
        ConvShape s = new ConvShape(xs[0], xs[1], xs[2], xs[3], k, ws[2], ws[3], stride, stride, padding, padding,
                dilation, dilation, groups);
        Tensor y = Tensor.empty(dev, xs[0], k, s.outH(), s.outW());
        if (relu) dev.conv2dForwardRelu(y, x, wf, bf, s);
        else dev.conv2dForward(y, x, wf, bf, s);
        OpProfiler.forward(label(bn == null ? (relu ? "conv2d_relu" : "conv2d") : (relu ? "conv2d_bn_relu" : "conv2d_bn"), s));
        return y;
    }

    /**
     * Fully connected layer y = x w^T + b.
     *
     * @param x    (..., in)
     * @param w    (out, in)
     * @param bias (out) or null
     * @return (..., out)
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        if (w.dim() != 2 || x.dim() < 1 || x.size(-1) != w.size(1))
            throw new IllegalArgumentException("linear: input " + x + " does not match weight " + w);
        int in = w.size(1), out = w.size(0), m = x.numel() / in;
        Device dev = MathOps.device(x, w, bias);
        int[] ys = x.shape();
        ys[ys.length - 1] = out;
        Tensor y = Tensor.zeros(dev, ys);
        dev.gemm(false, true, m, out, in, 1f, x, 0, in, w, 0, in, 0f, y, 0, out);
        Tensor r = Autograd.record(y, "linear", g -> {
            Tensor dx = null, dw = null;
            if (x.requiresGrad()) {
                dx = x.zerosLike();
                dev.gemm(false, false, m, in, out, 1f, g, 0, out, w, 0, in, 0f, dx, 0, in);
            }
            if (w.requiresGrad()) {
                dw = w.zerosLike();
                dev.gemm(true, false, out, in, m, 1f, g, 0, out, x, 0, in, 0f, dw, 0, in);
            }
            return new Tensor[] {dx, dw};
        }, x, w);
        return bias == null ? r : MathOps.add(r, bias);
    }

    /** Matrix product of a (m, k) and b (k, n). */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() != 2 || b.dim() != 2 || a.size(1) != b.size(0))
            throw new IllegalArgumentException("matmul needs (m,k) x (k,n), got " + a + " and " + b);
        int m = a.size(0), k = a.size(1), n = b.size(1);
        Device dev = MathOps.device(a, b);
        Tensor c = Tensor.zeros(dev, m, n);
        dev.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        return Autograd.record(c, "matmul", g -> {
            Tensor da = null, db = null;
            if (a.requiresGrad()) {
                da = a.zerosLike();
                dev.gemm(false, true, m, k, n, 1f, g, 0, n, b, 0, n, 0f, da, 0, k);
            }
            if (b.requiresGrad()) {
                db = b.zerosLike();
                dev.gemm(true, false, k, n, m, 1f, a, 0, k, g, 0, n, 0f, db, 0, n);
            }
            return new Tensor[] {da, db};
        }, a, b);
    }
}
