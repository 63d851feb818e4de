package dev.strix.nn.layers;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import dev.strix.nn.ops.ConvOps;

/**
 * Fully connected layer {@code y = x weight^T + bias}, as {@code torch.nn.Linear}: {@code weight} (out, in),
 * optional {@code bias} (out), initialised like PyTorch (Kaiming uniform a = sqrt(5), bias U(-1/sqrt(in), 1/sqrt(in))).
 *
 * <p>Input (..., in), output (..., out).
 */
public final class Linear extends Module implements Layer {
    private final int inFeatures, outFeatures;
    private final boolean hasBias;

    public Linear(int in, int out, boolean bias) {
        if (in <= 0 || out <= 0) throw new IllegalArgumentException("Linear(" + in + ", " + out + "): sizes must be > 0");
        this.inFeatures = in;
        this.outFeatures = out;
        this.hasBias = bias;
        Init.kaimingUniform(registerParameter("weight", Tensor.zeros(CpuDevice.INSTANCE, out, in)), Math.sqrt(5));
        if (bias) Init.biasUniform(registerParameter("bias", Tensor.zeros(CpuDevice.INSTANCE, out)), in);
    }

    /** With bias. */
    public Linear(int in, int out) {
        this(in, out, true);
    }

    /** x (..., in) -> (..., out). */
    @Override
    public Tensor forward(Tensor x) {
        return ConvOps.linear(x, weight(), bias());
    }

    /** The current weight (out, in). */
    public Tensor weight() {
        return param("weight");
    }

    /** The current bias (out), or null when the layer has none. */
    public Tensor bias() {
        return hasBias ? param("bias") : null;
    }

    public int inFeatures() { return inFeatures; }
    public int outFeatures() { return outFeatures; }

    @Override
    public String toString() {
        return "Linear(in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + hasBias + ")";
    }
}
