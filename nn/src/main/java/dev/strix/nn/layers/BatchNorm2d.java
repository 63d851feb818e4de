package dev.strix.nn.layers;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.ActivationOps;
import dev.strix.nn.ops.NormOps;

/**
 * Batch normalisation over (N, C, H, W) per channel, as {@code torch.nn.BatchNorm2d} with affine parameters and
 * running statistics: parameters {@code weight} (C, ones) and {@code bias} (C, zeros); buffers
 * {@code running_mean} (C, zeros), {@code running_var} (C, ones) and {@code num_batches_tracked} (int64 scalar,
 * 0-d, on the host).
 *
 * <p>Training forward normalises with the batch statistics (biased variance), updates the running ones with
 * {@code running = (1 - momentum) running + momentum batch} (unbiased variance) and increments
 * {@code num_batches_tracked}; evaluation forward uses the running statistics.
 */
public final class BatchNorm2d extends Module implements Layer {
    private final int channels;
    private final float eps, momentum;

    /** eps 1e-5, momentum 0.1. */
    public BatchNorm2d(int channels) {
        this(channels, 1e-5f, 0.1f);
    }

    public BatchNorm2d(int channels, float eps, float momentum) {
        if (channels <= 0) throw new IllegalArgumentException("BatchNorm2d needs channels > 0, got " + channels);
        if (!(eps > 0)) throw new IllegalArgumentException("BatchNorm2d eps must be > 0, got " + eps);
        if (!(momentum >= 0 && momentum <= 1))
            throw new IllegalArgumentException("BatchNorm2d momentum must be in [0, 1], got " + momentum);
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        registerParameter("weight", Tensor.full(CpuDevice.INSTANCE, 1f, channels));
        registerParameter("bias", Tensor.zeros(CpuDevice.INSTANCE, channels));
        registerBuffer("running_mean", Tensor.zeros(CpuDevice.INSTANCE, channels));
        registerBuffer("running_var", Tensor.full(CpuDevice.INSTANCE, 1f, channels));
        registerBuffer("num_batches_tracked", Tensor.ofLongs(new long[] {0}));
    }

    /** x (N, C, H, W) -> same shape. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != channels)
            throw new IllegalArgumentException("BatchNorm2d(" + channels + ") needs (N, " + channels + ", H, W), got " + x);
        boolean training = isTraining();
        if (training) buffer("num_batches_tracked").longs()[0]++;
        return NormOps.batchNorm(x, weight(), bias(), runningMean(), runningVar(), training, momentum, eps);
    }

    /**
     * relu(forward(x)) as one op in training mode ({@link NormOps#batchNormReluTraining}); in evaluation mode the
     * two run one after the other.
     */
    public Tensor forwardRelu(Tensor x) {
        if (!isTraining()) return ActivationOps.relu(forward(x));
        if (x.dim() != 4 || x.size(1) != channels)
            throw new IllegalArgumentException("BatchNorm2d(" + channels + ") needs (N, " + channels + ", H, W), got " + x);
        buffer("num_batches_tracked").longs()[0]++;
        return NormOps.batchNormReluTraining(x, weight(), bias(), runningMean(), runningVar(), momentum, eps);
    }

    public Tensor weight() { return param("weight"); }
    public Tensor bias() { return param("bias"); }
    public Tensor runningMean() { return buffer("running_mean"); }
    public Tensor runningVar() { return buffer("running_var"); }

    /** Training forward passes run so far (or the value loaded from a state dict). */
    public long numBatchesTracked() {
        return buffer("num_batches_tracked").longs()[0];
    }

    public int channels() { return channels; }
    public float eps() { return eps; }
    public float momentum() { return momentum; }

    @Override
    public String toString() {
        return "BatchNorm2d(" + channels + ", eps=" + eps + ", momentum=" + momentum + ")";
    }
}
