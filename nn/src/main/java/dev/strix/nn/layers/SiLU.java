package dev.strix.nn.layers;

import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.ActivationOps;

/** Element-wise {@code x * sigmoid(x)}, as {@code torch.nn.SiLU}; no parameters. Any shape in, same shape out. */
public final class SiLU extends Module implements Layer {
    @Override
    public Tensor forward(Tensor x) {
        return ActivationOps.silu(x);
    }

    @Override
    public String toString() {
        return "SiLU()";
    }
}
