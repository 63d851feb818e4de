package dev.strix.nn.optim;

import dev.strix.nn.Module;
import dev.strix.nn.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Common ways to split a model's parameters into {@link ParamGroup}s. */
public final class ParamGroups {
    private ParamGroups() {}

    /**
     * The usual detector recipe: weight decay on weight matrices and convolution kernels only. Returns two
     * groups, in this order: every parameter with two or more dimensions with {@code weightDecay}, then every
     * parameter with at most one dimension (biases, normalisation scales and shifts) with weight decay 0.
     * Parameters keep the model's state-dict order within each group; the learning rate and other options are
     * left to the optimizer's defaults. A group may be empty.
     *
     * @param model       the model whose {@link Module#namedParameters()} are split
     * @param weightDecay weight decay of the first group (>= 0)
     */
    public static List<ParamGroup> decayAndNoDecay(Module model, double weightDecay) {
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        List<Tensor> decay = new ArrayList<>();
        List<Tensor> noDecay = new ArrayList<>();
        for (Tensor p : model.parameters()) (p.dim() <= 1 ? noDecay : decay).add(p);
        return List.of(new ParamGroup(decay).set(ParamGroup.WEIGHT_DECAY, weightDecay),
                new ParamGroup(noDecay).set(ParamGroup.WEIGHT_DECAY, 0.0));
    }
}
