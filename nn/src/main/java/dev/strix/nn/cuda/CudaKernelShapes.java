package dev.strix.nn.cuda;

import java.util.Arrays;

/**
 * Shape plans the launchers of {@link CudaKernels} hand to the strided kernels: size-1 dimensions dropped and
 * neighbouring dimensions merged where every operand steps over them contiguously, so the kernels decode as
 * few index digits as possible. Ranks are at most 8 ({@code Dims8}).
 */
final class CudaKernelShapes {
    /** Largest rank a kernel accepts. */
    static final int MAX_RANK = 8;

    private CudaKernelShapes() {}

    /**
     * A walk over {@code shape} (rank dimensions) with two stride arrays (element strides of two operands).
     * Rank is at least 1 (a scalar walk is shape [1]).
     */
    record Walk(int rank, int[] shape, int[] first, int[] second, long count) {}

    /**
     * Merges a two-operand walk: shape, first, second all have the same rank; dimension i merges into the one
     * before it when that one's strides equal this one's times its size in both operands.
     */
    static Walk walk(int[] shape, int[] first, int[] second) {
        if (first.length != shape.length || second.length != shape.length)
            throw new IllegalArgumentException("stride ranks " + first.length + ", " + second.length
                    + " differ from the shape's rank " + shape.length);
        int n = Math.max(1, shape.length);
        int[] s = new int[n], a = new int[n], b = new int[n];
        int r = 0;
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            count *= shape[i];
            if (shape[i] == 1) continue;
            if (r > 0 && (long) a[r - 1] == (long) first[i] * shape[i] && (long) b[r - 1] == (long) second[i] * shape[i]) {
                s[r - 1] = Math.multiplyExact(s[r - 1], shape[i]);
                a[r - 1] = first[i];
                b[r - 1] = second[i];
                continue;
            }
            s[r] = shape[i];
            a[r] = first[i];
            b[r] = second[i];
            r++;
        }
        if (r == 0) {
            s[0] = 1;
            r = 1;
        }
        if (r > MAX_RANK)
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs rank " + r + " > " + MAX_RANK);
        return new Walk(r, s, a, b, count);
    }

    /**
     * A keep-dim sum of a contiguous x: kept dimensions (in order; out is their contiguous product) and reduced
     * dimensions, each with x's element strides.
     */
    record SumPlan(int keptRank, int[] keptShape, int[] keptStrides, int redRank, int[] redShape, int[] redStrides,
                   long outCount, long redCount, boolean lastReduced, long total) {}

    /** Plans the sum of x (xShape, contiguous) over the dimensions flagged in reduce. */
    static SumPlan sumPlan(int[] xShape, boolean[] reduce) {
        if (reduce.length != xShape.length)
            throw new IllegalArgumentException("reduce has " + reduce.length + " flags for rank " + xShape.length);
        int[] dims = new int[xShape.length];
        boolean[] red = new boolean[xShape.length];
        int r = 0;
        long total = 1, outCount = 1;
        for (int i = 0; i < xShape.length; i++) {
            if (xShape[i] < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(xShape));
            total *= xShape[i];
            if (!reduce[i]) outCount *= xShape[i];
            if (xShape[i] == 1) continue;
            if (r > 0 && red[r - 1] == reduce[i]) {
                dims[r - 1] = Math.multiplyExact(dims[r - 1], xShape[i]);
            } else {
                dims[r] = xShape[i];
                red[r] = reduce[i];
                r++;
            }
        }
        if (r > 2 * MAX_RANK)
            throw new IllegalArgumentException("shape " + Arrays.toString(xShape) + " has too many alternating dimensions");
        int[] strides = new int[r];
        long s = 1;
        for (int i = r - 1; i >= 0; i--) {
            strides[i] = Math.toIntExact(s);
            s *= dims[i];
        }
        int[] ks = new int[MAX_RANK], kst = new int[MAX_RANK], rs = new int[MAX_RANK], rst = new int[MAX_RANK];
        int kr = 0, rr = 0;
        long redCount = 1;
        for (int i = 0; i < r; i++) {
            if (red[i]) {
                rs[rr] = dims[i];
                rst[rr++] = strides[i];
                redCount *= dims[i];
            } else {
                ks[kr] = dims[i];
                kst[kr++] = strides[i];
            }
        }
        // merged flags alternate, so each list holds at most ceil(rank / 2) entries: rank <= 8 input always fits
        return new SumPlan(kr, ks, kst, rr, rs, rst, outCount, redCount, r > 0 && red[r - 1], total);
    }
}
