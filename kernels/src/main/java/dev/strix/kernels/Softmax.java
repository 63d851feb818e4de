package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Softmax and log-softmax along the middle axis of an (outer, dim, inner) view, with their backwards.
 *
 * <p>Legend: every array is (outer, dim, inner), contiguous; element (o, d, i) sits at
 * {@code (o * dim + d) * inner + i}. The softmax runs over d for each (o, i). y may be the same array as x,
 * and dx the same array as dy. Scalar twin: {@link SoftmaxReference}.
 */
public final class Softmax {
    /** Inner positions handled together when inner > 1 (bounds the scratch). */
    private static final int TILE = 256;
    private static final int GRAIN = 1 << 14;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[2 * TILE]);

    private Softmax() {}

    /** y = exp(x - max) / sum(exp(x - max)) over dim. y, x: (outer, dim, inner). */
    public static void softmax(float[] y, float[] x, int outer, int dim, int inner) {
        forward(false, y, x, outer, dim, inner);
    }

    /** y = x - max - log(sum(exp(x - max))) over dim. y, x: (outer, dim, inner). */
    public static void logSoftmax(float[] y, float[] x, int outer, int dim, int inner) {
        forward(true, y, x, outer, dim, inner);
    }

    /** dx = y * (dy - sum_d(dy * y)). dx, dy, y (softmax output): (outer, dim, inner). */
    public static void softmaxBackward(float[] dx, float[] dy, float[] y, int outer, int dim, int inner) {
        backward(false, dx, dy, y, outer, dim, inner);
    }

    /** dx = dy - exp(y) * sum_d(dy). dx, dy, y (log-softmax output): (outer, dim, inner). */
    public static void logSoftmaxBackward(float[] dx, float[] dy, float[] y, int outer, int dim, int inner) {
        backward(true, dx, dy, y, outer, dim, inner);
    }

    private static void forward(boolean log, float[] y, float[] x, int outer, int dim, int inner) {
        int n = check(outer, dim, inner, y, x);
        if (n == 0) return;
        if (inner == 1) {
            Parallel.forRange(outer, Math.max(1, GRAIN / dim), (from, to) -> {
                for (int o = from; o < to; o++) forwardRow(log, y, x, o * dim, dim);
            });
            return;
        }
        int tiles = (inner + TILE - 1) / TILE, tasks = outer * tiles;
        Parallel.forRange(tasks, Math.max(1, GRAIN / (dim * Math.min(inner, TILE))), (from, to) -> {
            float[] scratch = SCRATCH.get();
            for (int t = from; t < to; t++) {
                int o = t / tiles, i0 = (t % tiles) * TILE;
                forwardTile(log, y, x, o * dim * inner + i0, dim, inner, Math.min(TILE, inner - i0), scratch);
            }
        });
    }

    /** One contiguous row of length dim at off. */
    private static void forwardRow(boolean log, float[] y, float[] x, int off, int dim) {
        int i = 0;
        float max = Float.NEGATIVE_INFINITY;
        int bound = Simd.ENABLED ? Simd.F.loopBound(dim) : 0;
        if (Simd.ENABLED && bound > 0) {
            FloatVector m = FloatVector.broadcast(Simd.F, Float.NEGATIVE_INFINITY);
            for (; i < bound; i += Simd.LANES) m = m.max(FloatVector.fromArray(Simd.F, x, off + i));
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; i < dim; i++) max = Math.max(max, x[off + i]);
        if (max == Float.NEGATIVE_INFINITY) max = 0f; // all -inf: exp gives 0s, sum 0 (NaN like PyTorch)
        float sum = 0f;
        i = 0;
        if (Simd.ENABLED && bound > 0) {
            FloatVector vm = FloatVector.broadcast(Simd.F, max), s = FloatVector.zero(Simd.F);
            for (; i < bound; i += Simd.LANES) {
                FloatVector e = Simd.exp(FloatVector.fromArray(Simd.F, x, off + i).sub(vm));
                s = s.add(e);
                if (!log) e.intoArray(y, off + i);
            }
            sum = Simd.sum(s);
        }
        for (; i < dim; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            sum += e;
            if (!log) y[off + i] = e;
        }
        if (log) {
            // (x - max) - log(sum), as PyTorch: folding both into one shift would round at the scale of max
            float logSum = (float) Math.log(sum);
            i = 0;
            if (Simd.ENABLED) {
                FloatVector vm = FloatVector.broadcast(Simd.F, max), vl = FloatVector.broadcast(Simd.F, logSum);
                for (; i < bound; i += Simd.LANES)
                    FloatVector.fromArray(Simd.F, x, off + i).sub(vm).sub(vl).intoArray(y, off + i);
            }
            for (; i < dim; i++) y[off + i] = (x[off + i] - max) - logSum;
        } else {
            Elementwise.binaryRangeScalarRight(Elementwise.Binary.MUL, y, off, y, off, 1f / sum, dim);
        }
    }

    /** Positions [i0, i0 + len) of the inner axis of one outer slice starting at off (already shifted by i0). */
    private static void forwardTile(boolean log, float[] y, float[] x, int off, int dim, int inner, int len,
                                    float[] scratch) {
        // scratch[0, len): running max, then the shift; scratch[TILE, TILE + len): running sum
        java.util.Arrays.fill(scratch, 0, len, Float.NEGATIVE_INFINITY);
        for (int d = 0; d < dim; d++)
            Elementwise.binaryRange(Elementwise.Binary.MAX, scratch, 0, scratch, 0, x, off + d * inner, len, 0);
        for (int j = 0; j < len; j++) if (scratch[j] == Float.NEGATIVE_INFINITY) scratch[j] = 0f;
        java.util.Arrays.fill(scratch, TILE, TILE + len, 0f);
        for (int d = 0; d < dim; d++) {
            int row = off + d * inner, j = 0;
            if (Simd.ENABLED) {
                int bound = Simd.F.loopBound(len);
                for (; j < bound; j += Simd.LANES) {
                    FloatVector e = Simd.exp(FloatVector.fromArray(Simd.F, x, row + j)
                            .sub(FloatVector.fromArray(Simd.F, scratch, j)));
                    FloatVector.fromArray(Simd.F, scratch, TILE + j).add(e).intoArray(scratch, TILE + j);
                    if (!log) e.intoArray(y, row + j);
                }
            }
            for (; j < len; j++) {
                float e = (float) Math.exp(x[row + j] - scratch[j]);
                scratch[TILE + j] += e;
                if (!log) y[row + j] = e;
            }
        }
        if (log) {
            for (int j = 0; j < len; j++) scratch[TILE + j] = (float) Math.log(scratch[TILE + j]);
            for (int d = 0; d < dim; d++) {
                int row = off + d * inner;
                Elementwise.binaryRange(Elementwise.Binary.SUB, y, row, x, row, scratch, 0, len, 0);
                Elementwise.binaryRange(Elementwise.Binary.SUB, y, row, y, row, scratch, TILE, len, 0);
            }
        } else {
            for (int j = 0; j < len; j++) scratch[TILE + j] = 1f / scratch[TILE + j];
            for (int d = 0; d < dim; d++)
                Elementwise.binaryRange(Elementwise.Binary.MUL, y, off + d * inner, y, off + d * inner, scratch, TILE,
                        len, 0);
        }
    }

    private static void backward(boolean log, float[] dx, float[] dy, float[] y, int outer, int dim, int inner) {
        int n = check(outer, dim, inner, dx, dy);
        if (y.length < n) throw new IllegalArgumentException("y holds " + y.length + " < " + n + " elements");
        if (n == 0) return;
        int tile = inner == 1 ? 1 : TILE;
        int tiles = (inner + tile - 1) / tile, tasks = outer * tiles;
        Parallel.forRange(tasks, Math.max(1, GRAIN / (dim * Math.min(inner, tile))), (from, to) -> {
            float[] scratch = SCRATCH.get();
            for (int t = from; t < to; t++) {
                int o = t / tiles, i0 = (t % tiles) * tile;
                backwardTile(log, dx, dy, y, o * dim * inner + i0, dim, inner, Math.min(tile, inner - i0), scratch);
            }
        });
    }

    private static void backwardTile(boolean log, float[] dx, float[] dy, float[] y, int off, int dim, int inner,
                                     int len, float[] scratch) {
        float[] s = scratch; // s[0, len): sum over d of dy * y (softmax) or of dy (log-softmax)
        if (inner == 1) {
            backwardRow(log, dx, dy, y, off, dim);
            return;
        }
        if (len == 1) {
            double acc = 0;
            for (int d = 0; d < dim; d++) acc += log ? dy[off + d * inner] : (double) dy[off + d * inner] * y[off + d * inner];
            s[0] = (float) acc;
        } else {
            java.util.Arrays.fill(s, 0, len, 0f);
            for (int d = 0; d < dim; d++) {
                int row = off + d * inner, j = 0;
                if (Simd.ENABLED) {
                    int bound = Simd.F.loopBound(len);
                    for (; j < bound; j += Simd.LANES) {
                        FloatVector g = FloatVector.fromArray(Simd.F, dy, row + j), acc = FloatVector.fromArray(Simd.F, s, j);
                        (log ? acc.add(g) : g.fma(FloatVector.fromArray(Simd.F, y, row + j), acc)).intoArray(s, j);
                    }
                }
                for (; j < len; j++) s[j] = log ? s[j] + dy[row + j] : Math.fma(dy[row + j], y[row + j], s[j]);
            }
        }
        for (int d = 0; d < dim; d++) {
            int row = off + d * inner, j = 0;
            if (Simd.ENABLED && len >= Simd.LANES) {
                int bound = Simd.F.loopBound(len);
                for (; j < bound; j += Simd.LANES) {
                    FloatVector g = FloatVector.fromArray(Simd.F, dy, row + j), v = FloatVector.fromArray(Simd.F, y, row + j);
                    FloatVector sv = FloatVector.fromArray(Simd.F, s, j);
                    (log ? g.sub(Simd.exp(v).mul(sv)) : v.mul(g.sub(sv))).intoArray(dx, row + j);
                }
            }
            for (; j < len; j++) {
                float g = dy[row + j], v = y[row + j];
                dx[row + j] = log ? g - (float) Math.exp(v) * s[j] : v * (g - s[j]);
            }
        }
    }

    /** One contiguous row of length dim at off (inner == 1). */
    private static void backwardRow(boolean log, float[] dx, float[] dy, float[] y, int off, int dim) {
        float s = (float) (log ? Reductions.sumRange(dy, off, dim) : Reductions.dotRange(dy, off, y, off, dim));
        int j = 0;
        if (Simd.ENABLED) {
            FloatVector sv = FloatVector.broadcast(Simd.F, s);
            int bound = Simd.F.loopBound(dim);
            for (; j < bound; j += Simd.LANES) {
                FloatVector g = FloatVector.fromArray(Simd.F, dy, off + j), v = FloatVector.fromArray(Simd.F, y, off + j);
                (log ? g.sub(Simd.exp(v).mul(sv)) : v.mul(g.sub(sv))).intoArray(dx, off + j);
            }
        }
        for (; j < dim; j++) {
            float g = dy[off + j], v = y[off + j];
            dx[off + j] = log ? g - (float) Math.exp(v) * s : v * (g - s);
        }
    }

    private static int check(int outer, int dim, int inner, float[] a, float[] b) {
        if (outer < 0 || dim < 0 || inner < 0)
            throw new IllegalArgumentException("negative size (" + outer + ", " + dim + ", " + inner + ")");
        int n = Math.toIntExact((long) outer * dim * inner);
        if (a.length < n || b.length < n)
            throw new IllegalArgumentException("arrays of " + a.length + " and " + b.length + " elements, need " + n);
        return n;
    }
}
