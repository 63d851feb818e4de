package dev.strix.nn.layers;

import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.ActivationOps;

/** Element-wise {@code tanh(x)}, as {@code torch.nn.Tanh}; no parameters. Any shape in, same shape out. */
public final class Tanh extends Module implements Layer {
    @Override
    public Tensor forward(Tensor x) {
        return ActivationOps.tanh(x);
    }

    @Override
    public String toString() {
        return "Tanh()";
    }
}
