package dev.strix.nn.ops;

import dev.strix.nn.Autograd;
import dev.strix.nn.Device;
import dev.strix.nn.Shapes;
import dev.strix.nn.Tensor;
import dev.strix.nn.TensorViews;

import java.util.Arrays;
import java.util.List;

/** Reshape, permute, slice, concatenate, broadcast and move between devices. */
public final class ShapeOps {
    private ShapeOps() {}

    /** The same elements with a new shape; one dimension may be -1 (inferred). Shares storage. */
    public static Tensor reshape(Tensor x, int... shape) {
        int[] s = resolve(shape, x.numel(), x.shape());
        int[] old = x.shape();
        if (Arrays.equals(s, old)) return x;
        Tensor out = TensorViews.view(x, s);
        return Autograd.record(out, "reshape", g -> new Tensor[] {TensorViews.view(g, old)}, x);
    }

    /** Flattens dimensions {@code start..end} into one. */
    public static Tensor flatten(Tensor x, int start) {
        int[] s = x.shape();
        int a = Shapes.axis(start, s.length);
        int[] r = Arrays.copyOf(s, a + 1);
        r[a] = 1;
        for (int i = a; i < s.length; i++) r[a] *= s[i];
        return reshape(x, r);
    }

    /** Dimensions reordered by {@code perm} (copies). */
    public static Tensor permute(Tensor x, int... perm) {
        int[] s = x.shape();
        if (perm.length != s.length) throw new IllegalArgumentException("permute " + Arrays.toString(perm)
                + " does not match rank " + s.length);
        int[] st = x.strides(), outShape = new int[s.length], srcStrides = new int[s.length], inv = new int[s.length];
        boolean[] used = new boolean[s.length];
        for (int i = 0; i < perm.length; i++) {
            int p = Shapes.axis(perm[i], s.length);
            if (used[p]) throw new IllegalArgumentException("permute " + Arrays.toString(perm) + " repeats an axis");
            used[p] = true;
            outShape[i] = s[p];
            srcStrides[i] = st[p];
            inv[p] = i;
        }
        Tensor out = Tensor.empty(x.device(), outShape);
        x.device().stridedCopy(out, 0, out.strides(), x, 0, srcStrides, outShape);
        return Autograd.record(out, "permute", g -> new Tensor[] {permute(g, inv)}, x);
    }

    /** Elements {@code [start, start+length)} along {@code axis} (copies). */
    public static Tensor narrow(Tensor x, int axis, int start, int length) {
        int a = Shapes.axis(axis, x.dim());
        int[] s = x.shape();
        if (start < 0 || length < 0 || start + length > s[a])
            throw new IllegalArgumentException("narrow [" + start + ", " + (start + length) + ") outside size " + s[a]
                    + " of axis " + a);
        int[] os = s.clone();
        os[a] = length;
        int[] st = x.strides();
        Tensor out = Tensor.zeros(x.device(), os);
        x.device().stridedCopy(out, 0, out.strides(), x, start * st[a], st, os);
        return Autograd.record(out, "narrow", g -> {
            Tensor dx = x.zerosLike();
            x.device().stridedCopy(dx, start * st[a], st, g, 0, g.strides(), os);
            return new Tensor[] {dx};
        }, x);
    }

    /** Concatenation along {@code axis}; all other dimensions must agree. */
    public static Tensor cat(List<Tensor> parts, int axis) {
        if (parts.isEmpty()) throw new IllegalArgumentException("cat of no tensors");
        int[] first = parts.get(0).shape();
        int a = Shapes.axis(axis, first.length);
        int total = 0;
        Device dev = parts.get(0).device();
        for (Tensor t : parts) {
            int[] s = t.shape();
            if (s.length != first.length) throw new IllegalArgumentException("cat of tensors of different rank");
            for (int i = 0; i < s.length; i++)
                if (i != a && s[i] != first[i]) throw new IllegalArgumentException("cat: shapes "
                        + Arrays.toString(first) + " and " + Arrays.toString(s) + " differ off axis " + a);
            if (t.device() != dev) throw new IllegalArgumentException("cat of tensors on different devices");
            total += s[a];
        }
        int[] os = first.clone();
        os[a] = total;
        Tensor out = Tensor.zeros(dev, os);
        int[] ost = out.strides();
        int[] offsets = new int[parts.size()];
        int at = 0;
        for (int i = 0; i < parts.size(); i++) {
            Tensor t = parts.get(i);
            offsets[i] = at;
            dev.stridedCopy(out, at * ost[a], ost, t, 0, t.strides(), t.shape());
            at += t.size(a);
        }
        Tensor[] in = parts.toArray(new Tensor[0]);
        return Autograd.record(out, "cat", g -> {
            Tensor[] gs = new Tensor[in.length];
            for (int i = 0; i < in.length; i++) {
                if (!in[i].requiresGrad()) continue;
                gs[i] = in[i].zerosLike();
                dev.stridedCopy(gs[i], 0, gs[i].strides(), g, offsets[i] * ost[a], ost, in[i].shape());
            }
            return gs;
        }, in);
    }

    /** x broadcast to {@code shape} (copies). */
    public static Tensor expand(Tensor x, int... shape) {
        Tensor out = expandRaw(x, shape);
        int[] xs = x.shape();
        return Autograd.record(out, "expand", g -> new Tensor[] {MathOps.sumToShape(g, xs)}, x);
    }

    /** x copied to another device; the gradient flows back to x's device. */
    public static Tensor toDevice(Tensor x, Device target) {
        float[] host = x.toArray();
        Tensor out = Tensor.from(target, host, x.shape());
        Device src = x.device();
        return Autograd.record(out, "to_device", g -> new Tensor[] {toDevice(g, src)}, x);
    }

    static Tensor expandRaw(Tensor x, int[] shape) {
        Tensor out = Tensor.zeros(x.device(), shape);
        x.device().stridedCopy(out, 0, out.strides(), x, 0, Shapes.broadcastStrides(x.shape(), shape), shape);
        return out;
    }

    static int[] resolve(int[] shape, int numel, int[] from) {
        int[] s = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape " + Arrays.toString(shape) + ": only one -1");
                infer = i;
            } else known *= s[i];
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0)
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(from) + " to " + Arrays.toString(shape));
            s[infer] = (int) (numel / known);
        }
        if (Shapes.numel(s) != numel)
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(from) + " to " + Arrays.toString(shape));
        return s;
    }
}
