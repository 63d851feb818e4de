package dev.strix.nn;

import dev.strix.kernels.Activation;
import dev.strix.kernels.ConvShape;
import dev.strix.kernels.Elementwise.Binary;
import dev.strix.kernels.Elementwise.Unary;
import dev.strix.kernels.LossKernels;
import dev.strix.kernels.PoolShape;

/**
 * The op set that layers, losses and optimizers need, implemented once per backend.
 *
 * <p>Every op writes into output tensors the caller has already allocated on this device (outputs first,
 * then inputs, then sizes, like the kernels). All tensors passed to one call live on this device and are
 * contiguous float32 in row-major order unless stated otherwise. Outputs are overwritten, never
 * accumulated into, except for {@link #axpy}. Nothing here records autograd history: that is the job of
 * the ops in {@code dev.strix.nn.ops}, which call these methods.
 *
 * <p>Legend: N batch, C channels, H/W spatial size, K output channels.
 */
public interface Device {
    /** Short name used on the command line and in messages: {@code cpu}, {@code cuda:0}. */
    String name();

    // ---- memory --------------------------------------------------------------------------------------

    /** Zero-filled float storage of {@code numel} elements. */
    Storage allocate(long numel);

    /**
     * Float storage of {@code numel} elements whose contents are unspecified: for the output of a device op,
     * which overwrites every element (see the class comment). A backend may return zeros; the CPU backend skips
     * the zero fill where the JVM lets it ({@link CpuDevice#uninitialisedArrays}).
     */
    default Storage allocateUninitialised(long numel) {
        return allocate(numel);
    }

    /** Storage holding a copy of {@code data[offset, offset+length)}. */
    Storage upload(float[] data, int offset, int length);

    /** Copies all of {@code src} (a storage of this device) into {@code dst[offset...]}. */
    void download(Storage src, float[] dst, int offset);

    /** dst = src, element for element (same numel). */
    void copy(Tensor dst, Tensor src);

    /** Every element of {@code t} = value. */
    void fill(Tensor t, float value);

    /**
     * General strided copy: for every index i over {@code shape},
     * {@code dst[dstOffset + sum(i*dstStrides)] = src[srcOffset + sum(i*srcStrides)]}. Used for permute,
     * slicing and concatenation.
     */
    void stridedCopy(Tensor dst, int dstOffset, int[] dstStrides, Tensor src, int srcOffset, int[] srcStrides,
                     int[] shape);

    // ---- elementwise ----------------------------------------------------------------------------------

    /** out = op(x). */
    void unary(Unary op, Tensor out, Tensor x);

    /** out = op(a, b) with NumPy broadcasting of a and b to out's shape. */
    void binary(Binary op, Tensor out, Tensor a, Tensor b);

    /** out = alpha * x. */
    void scale(Tensor out, Tensor x, float alpha);

    /** out = x + alpha. */
    void addScalar(Tensor out, Tensor x, float alpha);

    /** y += alpha * x (same numel). */
    void axpy(Tensor y, float alpha, Tensor x);

    /** out = min(max(x, lo), hi). */
    void clamp(Tensor out, Tensor x, float lo, float hi);

    /** dx = dy where lo <= x <= hi, else 0 (PyTorch's clamp gradient). */
    void clampBackward(Tensor dx, Tensor dy, Tensor x, float lo, float hi);

    /** y = activation(x); alpha is the LeakyReLU slope. */
    void activationForward(Activation kind, float alpha, Tensor y, Tensor x);

    /** dx = dy * activation'(x), given the forward input x and output y. */
    void activationBackward(Activation kind, float alpha, Tensor dx, Tensor dy, Tensor x, Tensor y);

    // ---- fused per-element losses on logits (see dev.strix.kernels.LossKernels for the formulas) ------

    /** loss = max(x, 0) - x t + log(1 + exp(-|x|)), element for element; loss, x, t: same numel. */
    void bceWithLogitsForward(Tensor loss, Tensor x, Tensor t);

    /** dx = dy (sigmoid(x) - t), element for element. */
    void bceWithLogitsBackward(Tensor dx, Tensor dy, Tensor x, Tensor t);

    /** loss = sigmoid focal loss of (x, t) per element (torchvision's); alpha &lt; 0: no class weight. */
    void focalLossForward(Tensor loss, Tensor x, Tensor t, float alpha, float gamma);

    /** dx = dy d(focal loss)/dx, element for element. */
    void focalLossBackward(Tensor dx, Tensor dy, Tensor x, Tensor t, float alpha, float gamma);

    /** loss = box loss of pred row i against target row i; loss: (n), pred and target: (n, 4). */
    void boxLossForward(LossKernels.BoxLoss kind, float eps, Tensor loss, Tensor pred, Tensor target);

    /** dpred row i = dy[i] d(box loss)/d(pred row i); dpred, pred, target: (n, 4), dy: (n). */
    void boxLossBackward(LossKernels.BoxLoss kind, float eps, Tensor dpred, Tensor dy, Tensor pred, Tensor target);

    // ---- reductions and softmax ------------------------------------------------------------------------

    /** out = x summed over the dimensions that out (right-aligned, NumPy rules) broadcasts. */
    void sumTo(Tensor out, Tensor x);

    /** Sum of all elements, read back to the host (a synchronisation point on accelerators). */
    double sum(Tensor x);

    /** Sum of squares of all elements, read back to the host. */
    double sumSquares(Tensor x);

    /** y = softmax(x) along {@code axis}. */
    void softmax(Tensor y, Tensor x, int axis);

    /** y = log_softmax(x) along {@code axis}. */
    void logSoftmax(Tensor y, Tensor x, int axis);

    /** dx for softmax given its output y. */
    void softmaxBackward(Tensor dx, Tensor dy, Tensor y, int axis);

    /** dx for log_softmax given its output y. */
    void logSoftmaxBackward(Tensor dx, Tensor dy, Tensor y, int axis);

    // ---- dense linear algebra ------------------------------------------------------------------------

    /**
     * Row-major C = alpha * op(A) * op(B) + beta * C on sub-matrices starting at the given element offsets;
     * op(A) is m x k, op(B) is k x n.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, int aOffset, int lda,
              Tensor b, int bOffset, int ldb, float beta, Tensor c, int cOffset, int ldc);

    // ---- convolution (NCHW, weights KCRS) ------------------------------------------------------------

    /** y (N,K,P,Q) = conv(x (N,C,H,W), w (K,C/groups,R,S)) + bias (K) where bias may be null. */
    void conv2dForward(Tensor y, Tensor x, Tensor w, Tensor bias, ConvShape s);

    /**
     * y = max(0, conv(x, w) + bias): the forward pass of a convolution followed by a ReLU, for inference (no
     * gradients). Backends may fuse the ReLU into the convolution's output; the default runs the two ops.
     */
    default void conv2dForwardRelu(Tensor y, Tensor x, Tensor w, Tensor bias, ConvShape s) {
        conv2dForward(y, x, w, bias, s);
        activationForward(dev.strix.kernels.Activation.RELU, 0f, y, y);
    }

    /** dx (N,C,H,W) from dy (N,K,P,Q) and w. */
    void conv2dBackwardData(Tensor dx, Tensor dy, Tensor w, ConvShape s);

    /** dw (K,C/groups,R,S) from dy and x. */
    void conv2dBackwardFilter(Tensor dw, Tensor dy, Tensor x, ConvShape s);

    /** db (K) = dy summed over N, P, Q. */
    void conv2dBackwardBias(Tensor db, Tensor dy, ConvShape s);

    // ---- batch norm (per channel over N, H, W) -------------------------------------------------------

    /**
     * Training-mode batch norm of x (N,C,HW): normalises with batch statistics, stores the mean and 1/std in
     * saveMean/saveInvStd (C), and updates the running statistics (may be null) PyTorch's way.
     */
    void batchNormForwardTraining(Tensor y, Tensor saveMean, Tensor saveInvStd, Tensor x, Tensor gamma,
                                  Tensor beta, Tensor runningMean, Tensor runningVar, float momentum, float eps);

    /** Evaluation-mode batch norm with the running statistics. */
    void batchNormForwardInference(Tensor y, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                   Tensor runningVar, float eps);

    /** Training-mode backward: dx, dgamma, dbeta from dy and the saved statistics. */
    void batchNormBackward(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor gamma,
                           Tensor saveMean, Tensor saveInvStd);

    /**
     * relu(batch norm) in training mode: {@link #batchNormForwardTraining} followed by y = max(0, y). Backends may
     * fuse the two; the default runs them one after the other.
     */
    default void batchNormReluForwardTraining(Tensor y, Tensor saveMean, Tensor saveInvStd, Tensor x, Tensor gamma,
                                              Tensor beta, Tensor runningMean, Tensor runningVar, float momentum,
                                              float eps) {
        Tensor normalised = y.zerosLike();
        batchNormForwardTraining(normalised, saveMean, saveInvStd, x, gamma, beta, runningMean, runningVar, momentum, eps);
        activationForward(Activation.RELU, 0f, y, normalised);
    }

    /**
     * Backward of {@link #batchNormReluForwardTraining}: dy reaches the batch norm where the output y is positive.
     * The default masks dy into a temporary, then runs {@link #batchNormBackward}.
     */
    default void batchNormReluBackward(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor y, Tensor x,
                                       Tensor gamma, Tensor saveMean, Tensor saveInvStd) {
        Tensor masked = dy.zerosLike();
        activationBackward(Activation.RELU, 0f, masked, dy, null, y);
        batchNormBackward(dx, dgamma, dbeta, masked, x, gamma, saveMean, saveInvStd);
    }

    // ---- pooling and resampling -----------------------------------------------------------------------

    /** y = max pooling of x (padding counts as -infinity). */
    void maxPoolForward(Tensor y, Tensor x, PoolShape s);

    /** dx from dy, given the forward input x and output y (the gradient goes to the first maximum). */
    void maxPoolBackward(Tensor dx, Tensor dy, Tensor x, Tensor y, PoolShape s);

    /** y = average pooling of x. */
    void avgPoolForward(Tensor y, Tensor x, PoolShape s, boolean countIncludePad);

    /** dx from dy for average pooling. */
    void avgPoolBackward(Tensor dx, Tensor dy, PoolShape s, boolean countIncludePad);

    /** y (N,C,H*sh,W*sw) = nearest upsampling of x (N,C,H,W). */
    void upsampleNearestForward(Tensor y, Tensor x, int scaleH, int scaleW);

    /** dx (N,C,H,W) = dy summed over each sh x sw block. */
    void upsampleNearestBackward(Tensor dx, Tensor dy, int scaleH, int scaleW);

    // ---- optimizer updates (in place) -----------------------------------------------------------------

    /** One SGD step with PyTorch's rules; momentumBuffer may be null when momentum is 0. */
    void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float dampening,
                   float weightDecay, boolean nesterov, boolean firstStep);

    /** One Adam (decoupled=false) or AdamW (decoupled=true) step; step counts from 1. */
    void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, float lr, float beta1, float beta2,
                    float eps, float weightDecay, boolean decoupled, int step);

    /** ema = decay * ema + (1 - decay) * param. */
    void emaUpdate(Tensor ema, Tensor param, float decay);
}
