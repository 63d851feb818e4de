package dev.strix.nn;

import java.util.Arrays;

/** Shape arithmetic shared by tensors and ops: element counts, strides, broadcasting. */
public final class Shapes {
    private Shapes() {}

    /** Product of the dimensions (1 for a 0-d shape); fails on negatives or on overflow past int range. */
    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE - 8)
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has too many elements");
        }
        return n;
    }

    /** Row-major strides of a contiguous tensor. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** The NumPy broadcast of two shapes, or an exception naming both. */
    public static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides of {@code shape} viewed as {@code target} under broadcasting (0 on broadcast dimensions). */
    public static int[] broadcastStrides(int[] shape, int[] target) {
        int[] own = strides(shape);
        int[] out = new int[target.length];
        int off = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            if (i < off) continue;
            int d = shape[i - off];
            if (d != target[i] && d != 1)
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not broadcast to "
                        + Arrays.toString(target));
            out[i] = d == 1 && target[i] != 1 ? 0 : own[i - off];
        }
        return out;
    }

    /** Normalises a possibly negative axis for a tensor of {@code rank} dimensions. */
    public static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        return a;
    }

    /** (outer, dim, inner) view of {@code shape} around {@code axis}. */
    public static int[] aroundAxis(int[] shape, int axis) {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        return new int[] {outer, shape[axis], inner};
    }
}
