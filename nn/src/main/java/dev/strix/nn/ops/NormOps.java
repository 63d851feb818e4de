package dev.strix.nn.ops;

import dev.strix.kernels.Elementwise.Binary;
import dev.strix.kernels.Elementwise.Unary;
import dev.strix.nn.Autograd;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.TensorViews;

/** Batch normalisation over (N, C, ...) per channel. */
public final class NormOps {
    private NormOps() {}

    /**
     * Batch norm. In training mode it normalises with the batch's statistics and updates the running ones in
     * place (PyTorch's rule: running = (1 - momentum) * running + momentum * batch, unbiased variance); in
     * evaluation mode it uses the running statistics.
     *
     * @param x (N, C, ...) ; gamma, beta, runningMean, runningVar (C)
     */
    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   boolean training, float momentum, float eps) {
        int c = checkShapes(x, gamma, beta, runningMean, runningVar);
        Device dev = MathOps.device(x, gamma, beta, runningMean, runningVar);
        Tensor y = x.emptyLike();
        if (training) {
            Tensor mean = Tensor.zeros(dev, c), invStd = Tensor.zeros(dev, c);
            dev.batchNormForwardTraining(y, mean, invStd, x, gamma, beta, runningMean, runningVar, momentum, eps);
            return Autograd.record(y, "batch_norm", g -> {
                Tensor dx = x.emptyLike(), dg = gamma.zerosLike(), db = beta.zerosLike();
                dev.batchNormBackward(dx, dg, db, g, x, gamma, mean, invStd);
                return new Tensor[] {dx, dg, db};
            }, x, gamma, beta);
        }
        dev.batchNormForwardInference(y, x, gamma, beta, runningMean, runningVar, eps);
        return Autograd.record(y, "batch_norm_eval", g -> {
            // y = (x - mean) * invStd * gamma + beta with fixed statistics
            int[] bshape = new int[x.dim()];
            java.util.Arrays.fill(bshape, 1);
            bshape[1] = c;
            Tensor invStd = Tensor.zeros(dev, c);
            dev.addScalar(invStd, runningVar, eps);
            dev.unary(Unary.SQRT, invStd, invStd);
            dev.unary(Unary.RECIPROCAL, invStd, invStd);
            Tensor scale = Tensor.zeros(dev, c);
            dev.binary(Binary.MUL, scale, invStd, gamma);
            Tensor dx = x.zerosLike();
            dev.binary(Binary.MUL, dx, g, TensorViews.view(scale, bshape));
            Tensor xhat = x.zerosLike();
            dev.binary(Binary.SUB, xhat, x, TensorViews.view(runningMean, bshape));
            dev.binary(Binary.MUL, xhat, xhat, TensorViews.view(invStd, bshape));
            dev.binary(Binary.MUL, xhat, xhat, g);
            Tensor dg = Tensor.zeros(dev, bshape), db = Tensor.zeros(dev, bshape);
            dev.sumTo(dg, xhat);
            dev.sumTo(db, g);
            return new Tensor[] {dx, TensorViews.view(dg, gamma.shape()), TensorViews.view(db, beta.shape())};
        }, x, gamma, beta);
    }

    /**
     * relu(batchNorm(x)) in training mode (batch statistics, running statistics updated) as one op: the ReLU is
     * applied as each channel is normalised, and only the output is kept for the backward pass (the batch norm's
     * gradient counts where it is positive), not the normalised pre-activation. Same values and gradients as the
     * two ops in a row.
     */
    public static Tensor batchNormReluTraining(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                               Tensor runningVar, float momentum, float eps) {
        int c = checkShapes(x, gamma, beta, runningMean, runningVar);
        Device dev = MathOps.device(x, gamma, beta, runningMean, runningVar);
        Tensor y = x.emptyLike();
        Tensor mean = Tensor.zeros(dev, c), invStd = Tensor.zeros(dev, c);
        dev.batchNormReluForwardTraining(y, mean, invStd, x, gamma, beta, runningMean, runningVar, momentum, eps);
        return Autograd.record(y, "batch_norm_relu", g -> {
            Tensor dx = x.emptyLike(), dg = gamma.zerosLike(), db = beta.zerosLike();
            dev.batchNormReluBackward(dx, dg, db, g, y, x, gamma, mean, invStd);
            return new Tensor[] {dx, dg, db};
        }, x, gamma, beta);
    }

    /** The channel count of x (N, C, ...), with messages for tensors that do not fit it. */
    private static int checkShapes(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar) {
        if (x.dim() < 2) throw new IllegalArgumentException("batch norm needs (N, C, ...), got " + x);
        if (gamma == null || beta == null)
            throw new IllegalArgumentException("batch norm needs gamma and beta (an affine-free norm is not supported)");
        int c = x.size(1);
        for (Tensor t : new Tensor[] {gamma, beta, runningMean, runningVar})
            if (t != null && t.numel() != c)
                throw new IllegalArgumentException("batch norm: " + t + " does not have " + c + " channels");
        return c;
    }
}
