package dev.strix.nn.layers;

import dev.strix.nn.Layer;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.ConvOps;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A chain of one-input layers applied in order, as {@code torch.nn.Sequential}: children are named
 * {@code "0"}, {@code "1"}, ... so that state-dict names read {@code "0.weight"}, {@code "1.running_mean"}, ...
 */
public final class Sequential extends Module implements Layer, Iterable<Module> {
    private final List<Module> layers = new ArrayList<>();

    /** Each element must be a {@link Module} that implements {@link Layer}. */
    public Sequential(Module... layers) {
        for (Module m : layers) {
            if (m == null) throw new IllegalArgumentException("Sequential: layer " + this.layers.size() + " is null");
            if (!(m instanceof Layer))
                throw new IllegalArgumentException("Sequential: layer " + this.layers.size() + " ("
                        + m.getClass().getSimpleName() + ") does not implement Layer");
            registerModule(Integer.toString(this.layers.size()), m);
            this.layers.add(m);
        }
    }

    /**
     * Applies every layer in order; the empty chain returns x. In evaluation mode with gradients off, a
     * {@link Conv2d} followed by an evaluation-mode {@link BatchNorm2d} and/or a {@link ReLU} runs as one fused
     * convolution ({@link ConvOps#conv2dInference}): same result, one pass over the output instead of three.
     * Otherwise a {@link Conv2d} directly followed by a {@link ReLU} runs as {@link ConvOps#conv2dRelu}: the ReLU is
     * applied as the convolution stores its output, and the pre-activation is not kept for the backward pass; and
     * a training-mode {@link BatchNorm2d} followed by a {@link ReLU} runs as {@link BatchNorm2d#forwardRelu}.
     */
    @Override
    public Tensor forward(Tensor x) {
        boolean fuse = !dev.strix.nn.Autograd.isEnabled();
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            if (fuse && m instanceof Conv2d conv && !conv.isTraining()) {
                int next = i + 1;
                BatchNorm2d bn = next < layers.size() && layers.get(next) instanceof BatchNorm2d b && !b.isTraining()
                        && b.channels() == conv.outChannels() ? b : null;
                if (bn != null) next++;
                boolean relu = next < layers.size() && layers.get(next) instanceof ReLU;
                if (relu) next++;
                if (bn != null || relu) {
                    Tensor[] stats = bn == null ? null
                            : new Tensor[] {bn.weight(), bn.bias(), bn.runningMean(), bn.runningVar()};
                    x = ConvOps.conv2dInference(x, conv.weight(), conv.bias(), conv.stride(), conv.padding(),
                            conv.dilation(), conv.groups(), stats, bn == null ? 0f : bn.eps(), relu);
                    i = next - 1;
                    continue;
                }
            }
            if (m instanceof BatchNorm2d bn && bn.isTraining() && i + 1 < layers.size() && layers.get(i + 1) instanceof ReLU) {
                x = bn.forwardRelu(x);
                i++;
                continue;
            }
            if (m instanceof Conv2d conv && i + 1 < layers.size() && layers.get(i + 1) instanceof ReLU) {
                x = ConvOps.conv2dRelu(x, conv.weight(), conv.bias(), conv.stride(), conv.padding(), conv.dilation(),
                        conv.groups());
                i++;
                continue;
            }
            x = ((Layer) m).forward(x);
        }
        return x;
    }

    /** Layer {@code i}, typed as the caller expects (e.g. {@code Conv2d c = seq.get(0);}). */
    @SuppressWarnings("unchecked")
    public <M extends Module> M get(int i) {
        return (M) layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Iterator<Module> iterator() {
        return Collections.unmodifiableList(layers).iterator();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Sequential(");
        for (int i = 0; i < layers.size(); i++) s.append("\n  (").append(i).append("): ").append(layers.get(i));
        return s.append(layers.isEmpty() ? ")" : "\n)").toString();
    }
}
