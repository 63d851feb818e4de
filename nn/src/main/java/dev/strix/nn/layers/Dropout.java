package dev.strix.nn.layers;

import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import dev.strix.nn.ops.MathOps;

import java.util.random.RandomGenerator;

/**
 * Inverted dropout, as {@code torch.nn.Dropout}: in training mode each element is zeroed with probability
 * {@code p} and the survivors are scaled by {@code 1 / (1 - p)}, drawing from {@link Init#generator()}; in
 * evaluation mode (or with p = 0) the input passes through unchanged. Any shape, same shape out.
 */
public final class Dropout extends Module implements Layer {
    private final float p;

    public Dropout(float p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1], got " + p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0f) return x;
        float keep = p == 1f ? 0f : 1f / (1f - p);
        RandomGenerator r = Init.generator();
        float[] mask = new float[x.numel()];
        for (int i = 0; i < mask.length; i++) mask[i] = r.nextDouble() < p ? 0f : keep;
        return MathOps.mul(x, Tensor.from(x.device(), mask, x.shape()));
    }

    public float p() {
        return p;
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
