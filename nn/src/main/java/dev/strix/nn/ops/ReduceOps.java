package dev.strix.nn.ops;

import dev.strix.nn.Autograd;
import dev.strix.nn.Shapes;
import dev.strix.nn.Tensor;

/** Sums and means, over everything or over one axis. */
public final class ReduceOps {
    private ReduceOps() {}

    /** Sum of all elements as a 0-d tensor. */
    public static Tensor sum(Tensor x) {
        Tensor out = Tensor.zeros(x.device());
        x.device().sumTo(out, x);
        int[] shape = x.shape();
        return Autograd.record(out, "sum", g -> new Tensor[] {ShapeOps.expandRaw(g, shape)}, x);
    }

    /** Mean of all elements as a 0-d tensor (NaN for an empty tensor, as in PyTorch). */
    public static Tensor mean(Tensor x) {
        return MathOps.scale(sum(x), 1f / x.numel());
    }

    /** Sum over {@code axis}; keeps it as size 1 when {@code keepDim}. */
    public static Tensor sum(Tensor x, int axis, boolean keepDim) {
        int a = Shapes.axis(axis, x.dim());
        int[] kept = x.shape();
        kept[a] = 1;
        Tensor out = Tensor.zeros(x.device(), kept);
        x.device().sumTo(out, x);
        int[] shape = x.shape();
        Tensor r = Autograd.record(out, "sum_axis", g -> new Tensor[] {ShapeOps.expandRaw(g, shape)}, x);
        return keepDim ? r : ShapeOps.reshape(r, dropAxis(shape, a));
    }

    /** Mean over {@code axis}. */
    public static Tensor mean(Tensor x, int axis, boolean keepDim) {
        int a = Shapes.axis(axis, x.dim());
        return MathOps.scale(sum(x, a, keepDim), 1f / x.size(a));
    }

    /** Sum of x reduced to {@code shape} (the reverse of broadcasting). */
    public static Tensor sumTo(Tensor x, int[] shape) {
        Tensor out = Tensor.zeros(x.device(), shape);
        x.device().sumTo(out, x);
        int[] xs = x.shape();
        return Autograd.record(out, "sum_to", g -> new Tensor[] {ShapeOps.expandRaw(g, xs)}, x);
    }

    static int[] dropAxis(int[] shape, int a) {
        int[] r = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != a) r[j++] = shape[i];
        return r;
    }
}
