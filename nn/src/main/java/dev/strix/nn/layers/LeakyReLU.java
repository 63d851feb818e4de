package dev.strix.nn.layers;

import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.ActivationOps;

/** Element-wise {@code x >= 0 ? x : slope * x}, as {@code torch.nn.LeakyReLU}; any shape, same shape out. */
public final class LeakyReLU extends Module implements Layer {
    private final float slope;

    /** PyTorch's default negative slope 0.01. */
    public LeakyReLU() {
        this(0.01f);
    }

    public LeakyReLU(float slope) {
        this.slope = slope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return ActivationOps.leakyRelu(x, slope);
    }

    public float slope() {
        return slope;
    }

    @Override
    public String toString() {
        return "LeakyReLU(negative_slope=" + slope + ")";
    }
}
