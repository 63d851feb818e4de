package dev.strix.nn.layers;

import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.PoolOps;

/** Nearest-neighbour upsampling by an integer factor, as {@code torch.nn.Upsample(scale_factor=s, mode="nearest")}.
 * Input (N, C, H, W), output (N, C, H s, W s). */
public final class Upsample extends Module implements Layer {
    private final int scale;

    public Upsample(int scale) {
        if (scale < 1) throw new IllegalArgumentException("Upsample scale must be >= 1, got " + scale);
        this.scale = scale;
    }

    @Override
    public Tensor forward(Tensor x) {
        return PoolOps.upsampleNearest(x, scale, scale);
    }

    public int scale() {
        return scale;
    }

    @Override
    public String toString() {
        return "Upsample(scale_factor=" + scale + ", mode='nearest')";
    }
}
