package dev.strix.nn.layers;

import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.ActivationOps;

/** Element-wise {@code 1 / (1 + exp(-x))}, as {@code torch.nn.Sigmoid}; no parameters. Any shape in, same shape out. */
public final class Sigmoid extends Module implements Layer {
    @Override
    public Tensor forward(Tensor x) {
        return ActivationOps.sigmoid(x);
    }

    @Override
    public String toString() {
        return "Sigmoid()";
    }
}
