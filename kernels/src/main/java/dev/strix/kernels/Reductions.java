package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Sums, dot products and axis reductions.
 *
 * <p>Legend: {@code n} = element count; x, a, b: (n) read from {@code off} (0 unless given). Accuracy: float
 * vector accumulators cover blocks of at most {@link #BLOCK} elements (each lane then sums at most
 * {@code BLOCK / (4 * lanes)} terms); block results are added in double. The scalar path sums in double. {@code sumAxes}: x has {@code shape}
 * (contiguous), out has the same shape with the reduced dimensions set to 1. Scalar twin:
 * {@link ReductionsReference}.
 */
public final class Reductions {
    /** Elements summed in float before the partial result is added to a double. */
    static final int BLOCK = 1024;
    /** Elements per parallel chunk. */
    static final int GRAIN = 1 << 16;
    /** Rows summed in float, for kept-last-dimension reductions, before flushing to double. */
    private static final int ROW_BLOCK = 64;

    private Reductions() {}

    /** Sum of x[off .. off+n). x: (off + n). */
    public static double sum(float[] x, int off, int n) {
        checkRange(x, off, n);
        return parallelSum(n, (from, to) -> sumRange(x, off + from, to - from));
    }

    /** Sum of a[i] * b[i] over [0, n). a, b: (n). */
    public static double dot(float[] a, float[] b, int n) {
        checkRange(a, 0, n);
        checkRange(b, 0, n);
        return parallelSum(n, (from, to) -> dotRange(a, from, b, from, to - from));
    }

    /** Sum of x[i]^2 over [0, n). x: (n). */
    public static double sumSquares(float[] x, int n) {
        checkRange(x, 0, n);
        return parallelSum(n, (from, to) -> dotRange(x, from, x, from, to - from));
    }

    @FunctionalInterface
    private interface RangeSum {
        double sum(int from, int to);
    }

    private static double parallelSum(int n, RangeSum body) {
        if (n <= GRAIN || Parallel.threads() == 1) return body.sum(0, n);
        // fixed chunking (independent of the thread count) keeps the result reproducible
        int chunks = (n + GRAIN - 1) / GRAIN;
        double[] parts = new double[chunks];
        Parallel.forRange(chunks, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                int from = c * GRAIN;
                parts[c] = body.sum(from, Math.min(n, from + GRAIN));
            }
        });
        double s = 0;
        for (double p : parts) s += p;
        return s;
    }

    /** Sum of x[off .. off+len), blocked float accumulation flushed to double. */
    static double sumRange(float[] x, int off, int len) {
        if (!Simd.ENABLED) { // the scalar path accumulates in double directly
            double s = 0;
            for (int i = 0; i < len; i++) s += x[off + i];
            return s;
        }
        double total = 0;
        for (int start = 0; start < len; start += BLOCK) {
            int end = Math.min(len, start + BLOCK), i = start;
            float s = 0f;
            if (Simd.ENABLED) {
                int L = Simd.LANES, bound = start + Simd.F.loopBound(end - start);
                FloatVector s0 = FloatVector.zero(Simd.F), s1 = s0, s2 = s0, s3 = s0;
                for (; i + 4 * L <= bound; i += 4 * L) {
                    s0 = s0.add(FloatVector.fromArray(Simd.F, x, off + i));
                    s1 = s1.add(FloatVector.fromArray(Simd.F, x, off + i + L));
                    s2 = s2.add(FloatVector.fromArray(Simd.F, x, off + i + 2 * L));
                    s3 = s3.add(FloatVector.fromArray(Simd.F, x, off + i + 3 * L));
                }
                for (; i < bound; i += L) s0 = s0.add(FloatVector.fromArray(Simd.F, x, off + i));
                s = Simd.sum(s0.add(s1).add(s2.add(s3)));
            }
            for (; i < end; i++) s += x[off + i];
            total += s;
        }
        return total;
    }

    /** Sum of a[ao + i] * b[bo + i] over [0, len), blocked float FMA accumulation flushed to double. */
    static double dotRange(float[] a, int ao, float[] b, int bo, int len) {
        if (!Simd.ENABLED) { // the scalar path accumulates in double directly
            double s = 0;
            for (int i = 0; i < len; i++) s += (double) a[ao + i] * b[bo + i];
            return s;
        }
        double total = 0;
        for (int start = 0; start < len; start += BLOCK) {
            int end = Math.min(len, start + BLOCK), i = start;
            float s = 0f;
            if (Simd.ENABLED) {
                int L = Simd.LANES, bound = start + Simd.F.loopBound(end - start);
                FloatVector s0 = FloatVector.zero(Simd.F), s1 = s0, s2 = s0, s3 = s0;
                for (; i + 4 * L <= bound; i += 4 * L) {
                    s0 = FloatVector.fromArray(Simd.F, a, ao + i).fma(FloatVector.fromArray(Simd.F, b, bo + i), s0);
                    s1 = FloatVector.fromArray(Simd.F, a, ao + i + L).fma(FloatVector.fromArray(Simd.F, b, bo + i + L), s1);
                    s2 = FloatVector.fromArray(Simd.F, a, ao + i + 2 * L)
                            .fma(FloatVector.fromArray(Simd.F, b, bo + i + 2 * L), s2);
                    s3 = FloatVector.fromArray(Simd.F, a, ao + i + 3 * L)
                            .fma(FloatVector.fromArray(Simd.F, b, bo + i + 3 * L), s3);
                }
                for (; i < bound; i += L)
                    s0 = FloatVector.fromArray(Simd.F, a, ao + i).fma(FloatVector.fromArray(Simd.F, b, bo + i), s0);
                s = Simd.sum(s0.add(s1).add(s2.add(s3)));
            }
            for (; i < end; i++) s = Math.fma(a[ao + i], b[bo + i], s);
            total += s;
        }
        return total;
    }

    /**
     * Sums x over the dimensions flagged in {@code reduce}, keeping them as size 1. x: shape; out: shape with
     * reduced dimensions set to 1 (overwritten). Adjacent dimensions with the same flag are merged first, so
     * e.g. (N, C, H, W) over {0, 2, 3} runs as (N | C | HW) = (reduced, kept, reduced).
     */
    public static void sumAxes(float[] out, float[] x, int[] shape, boolean[] reduce) {
        if (reduce.length != shape.length)
            throw new IllegalArgumentException("reduce has " + reduce.length + " flags for rank " + shape.length);
        // merge adjacent dimensions with equal flags; size-1 dimensions take no part
        int[] dims = new int[shape.length + 1];
        boolean[] red = new boolean[shape.length + 1];
        int r = 0;
        long total = 1, outCount = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) throw new IllegalArgumentException("negative dimension " + shape[i]);
            total *= shape[i];
            if (!reduce[i]) outCount *= shape[i];
            if (shape[i] == 1) continue;
            if (r > 0 && red[r - 1] == reduce[i]) {
                dims[r - 1] *= shape[i];
            } else {
                dims[r] = shape[i];
                red[r] = reduce[i];
                r++;
            }
        }
        checkRange(x, 0, Math.toIntExact(total));
        checkRange(out, 0, Math.toIntExact(outCount));
        if (total == 0) {
            java.util.Arrays.fill(out, 0, (int) outCount, 0f);
            return;
        }
        if (r == 0) { // every dimension is 1
            out[0] = x[0];
            return;
        }
        int[] strides = new int[r];
        int s = 1;
        for (int i = r - 1; i >= 0; i--) {
            strides[i] = s;
            s *= dims[i];
        }
        // offsets of every combination of the reduced dimensions (the last one excluded when it is reduced:
        // it is the contiguous run summed in one go)
        boolean lastReduced = red[r - 1];
        int runLen = lastReduced ? dims[r - 1] : 1;
        int keptLen = lastReduced ? 1 : dims[r - 1];
        int outerDims = r - 1;
        int[] redOffsets = combinations(dims, strides, red, outerDims, true);
        int[] keptOffsets = combinations(dims, strides, red, outerDims, false);
        if (lastReduced) {
            int outs = keptOffsets.length;
            if (outs == 1 && redOffsets.length == 1) {
                out[0] = (float) sum(x, 0, runLen);
                return;
            }
            int grain = Math.max(1, GRAIN / (redOffsets.length * runLen));
            Parallel.forRange(outs, grain, (from, to) -> {
                for (int o = from; o < to; o++) {
                    double acc = 0;
                    for (int ro : redOffsets) acc += sumRange(x, keptOffsets[o] + ro, runLen);
                    out[o] = (float) acc;
                }
            });
        } else {
            // out rows of keptLen: each is the sum of redOffsets.length rows of x; split rows into column tiles
            int tile = 512;
            int tilesPerRow = (keptLen + tile - 1) / tile;
            int tasks = keptOffsets.length * tilesPerRow;
            int grain = Math.max(1, GRAIN / (redOffsets.length * Math.min(tile, keptLen)));
            Parallel.forRange(tasks, grain, (from, to) -> {
                float[] blockAcc = new float[Math.min(tile, keptLen)];
                double[] acc = new double[blockAcc.length];
                for (int t = from; t < to; t++) {
                    int row = t / tilesPerRow, c0 = (t % tilesPerRow) * tile, len = Math.min(tile, keptLen - c0);
                    sumRows(out, row * keptLen + c0, x, keptOffsets[row] + c0, redOffsets, len, blockAcc, acc);
                }
            });
        }
    }

    /** out[oo + j] = sum over k of x[base + rowOffsets[k] + j], j in [0, len); float blocks flushed to double. */
    private static void sumRows(float[] out, int oo, float[] x, int base, int[] rowOffsets, int len, float[] blockAcc,
                                double[] acc) {
        java.util.Arrays.fill(acc, 0, len, 0.0);
        for (int k0 = 0; k0 < rowOffsets.length; k0 += ROW_BLOCK) {
            int k1 = Math.min(rowOffsets.length, k0 + ROW_BLOCK);
            System.arraycopy(x, base + rowOffsets[k0], blockAcc, 0, len);
            for (int k = k0 + 1; k < k1; k++) {
                int xo = base + rowOffsets[k], j = 0;
                if (Simd.ENABLED) {
                    int bound = Simd.F.loopBound(len);
                    for (; j < bound; j += Simd.LANES)
                        FloatVector.fromArray(Simd.F, blockAcc, j).add(FloatVector.fromArray(Simd.F, x, xo + j))
                                .intoArray(blockAcc, j);
                }
                for (; j < len; j++) blockAcc[j] += x[xo + j];
            }
            for (int j = 0; j < len; j++) acc[j] += blockAcc[j];
        }
        for (int j = 0; j < len; j++) out[oo + j] = (float) acc[j];
    }

    /**
     * All offsets sum(idx[i] * strides[i]) over the dimensions i < count whose flag equals {@code wanted};
     * the other dimensions stay at 0. Ordered row-major, so for kept dimensions entry k is output row k.
     */
    private static int[] combinations(int[] dims, int[] strides, boolean[] red, int count, boolean wanted) {
        int n = 1;
        for (int i = 0; i < count; i++) if (red[i] == wanted) n *= dims[i];
        int[] offs = new int[n];
        int[] idx = new int[count];
        for (int k = 0; k < n; k++) {
            int o = 0;
            for (int i = 0; i < count; i++) if (red[i] == wanted) o += idx[i] * strides[i];
            offs[k] = o;
            for (int i = count - 1; i >= 0; i--) {
                if (red[i] != wanted) continue;
                if (++idx[i] < dims[i]) break;
                idx[i] = 0;
            }
        }
        return offs;
    }

    static void checkRange(float[] x, int off, int n) {
        if (off < 0 || n < 0 || (long) off + n > x.length)
            throw new IllegalArgumentException("range [" + off + ", " + ((long) off + n) + ") outside an array of "
                    + x.length);
    }
}
