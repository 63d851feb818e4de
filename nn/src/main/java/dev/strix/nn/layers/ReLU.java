package dev.strix.nn.layers;

import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.ActivationOps;

/** Element-wise {@code max(0, x)}, as {@code torch.nn.ReLU}; no parameters. Any shape in, same shape out. */
public final class ReLU extends Module implements Layer {
    @Override
    public Tensor forward(Tensor x) {
        return ActivationOps.relu(x);
    }

    @Override
    public String toString() {
        return "ReLU()";
    }
}
