package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Elementwise arithmetic over contiguous float arrays, plus a broadcasting binary op.
 *
 * <p>Legend: {@code n} = element count; every same-shape array holds at least {@code n} elements and only
 * {@code [0, n)} is read or written. {@code out} may be the same array as any input (elementwise kernels
 * read element i before writing element i). Broadcast: {@code outShape} is the output's shape (contiguous,
 * row-major); {@code aStrides}/{@code bStrides} are element strides of a and b viewed with {@code outShape}
 * (0 on broadcast dimensions). Scalar twin: {@link ElementwiseReference}.
 */
public final class Elementwise {
    /** Same-shape and broadcasting binary operators. */
    public enum Binary { ADD, SUB, MUL, DIV, MAX, MIN }

    /** Pointwise unary operators ({@code SIGN} follows {@link Math#signum(float)}). */
    public enum Unary { NEG, EXP, LOG, SQRT, ABS, SQUARE, RECIPROCAL, SIGN, ATAN }

    /** Elements per parallel chunk: below this the work stays on the calling thread. */
    static final int GRAIN = 1 << 15;

    private Elementwise() {}

    /** out = a + b. out, a, b: (n). */
    public static void add(float[] out, float[] a, float[] b, int n) {
        binary(Binary.ADD, out, a, b, n);
    }

    /** out = a - b. out, a, b: (n). */
    public static void sub(float[] out, float[] a, float[] b, int n) {
        binary(Binary.SUB, out, a, b, n);
    }

    /** out = a * b. out, a, b: (n). */
    public static void mul(float[] out, float[] a, float[] b, int n) {
        binary(Binary.MUL, out, a, b, n);
    }

    /** out = a / b. out, a, b: (n). */
    public static void div(float[] out, float[] a, float[] b, int n) {
        binary(Binary.DIV, out, a, b, n);
    }

    /** out = max(a, b) (NaN propagates, as {@link Math#max(float, float)}). out, a, b: (n). */
    public static void maximum(float[] out, float[] a, float[] b, int n) {
        binary(Binary.MAX, out, a, b, n);
    }

    /** out = min(a, b) (NaN propagates, as {@link Math#min(float, float)}). out, a, b: (n). */
    public static void minimum(float[] out, float[] a, float[] b, int n) {
        binary(Binary.MIN, out, a, b, n);
    }

    /** out = op(a, b) elementwise. out, a, b: (n). */
    public static void binary(Binary op, float[] out, float[] a, float[] b, int n) {
        check(out, n);
        check(a, n);
        check(b, n);
        Parallel.forRange(n, GRAIN, (from, to) -> binaryRange(op, out, 0, a, 0, b, 0, to - from, from));
    }

    /** out[oo + i] = op(a[ao + i], b[bo + i]) for i in [0, len), each offset shifted by {@code shift}. */
    static void binaryRange(Binary op, float[] out, int oo, float[] a, int ao, float[] b, int bo, int len, int shift) {
        oo += shift;
        ao += shift;
        bo += shift;
        int i = 0;
        if (Simd.ENABLED) {
            int bound = Simd.F.loopBound(len);
            for (; i < bound; i += Simd.LANES) {
                FloatVector va = FloatVector.fromArray(Simd.F, a, ao + i);
                FloatVector vb = FloatVector.fromArray(Simd.F, b, bo + i);
                apply(op, va, vb).intoArray(out, oo + i);
            }
        }
        for (; i < len; i++) out[oo + i] = apply(op, a[ao + i], b[bo + i]);
    }

    /** out[oo + i] = op(a[ao + i], s) for i in [0, len) (scalar on the right). */
    static void binaryRangeScalarRight(Binary op, float[] out, int oo, float[] a, int ao, float s, int len) {
        int i = 0;
        if (Simd.ENABLED) {
            FloatVector vs = FloatVector.broadcast(Simd.F, s);
            int bound = Simd.F.loopBound(len);
            for (; i < bound; i += Simd.LANES)
                apply(op, FloatVector.fromArray(Simd.F, a, ao + i), vs).intoArray(out, oo + i);
        }
        for (; i < len; i++) out[oo + i] = apply(op, a[ao + i], s);
    }

    /** out[oo + i] = op(s, b[bo + i]) for i in [0, len) (scalar on the left). */
    static void binaryRangeScalarLeft(Binary op, float[] out, int oo, float s, float[] b, int bo, int len) {
        int i = 0;
        if (Simd.ENABLED) {
            FloatVector vs = FloatVector.broadcast(Simd.F, s);
            int bound = Simd.F.loopBound(len);
            for (; i < bound; i += Simd.LANES)
                apply(op, vs, FloatVector.fromArray(Simd.F, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < len; i++) out[oo + i] = apply(op, s, b[bo + i]);
    }

    static FloatVector apply(Binary op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.max(b);
            case MIN -> a.min(b);
        };
    }

    static float apply(Binary op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
        };
    }

    /** out = alpha * x. out, x: (n). */
    public static void scale(float[] out, float[] x, float alpha, int n) {
        check(out, n);
        check(x, n);
        Parallel.forRange(n, GRAIN, (from, to) -> binaryRangeScalarRight(Binary.MUL, out, from, x, from, alpha, to - from));
    }

    /** out = x + alpha. out, x: (n). */
    public static void addScalar(float[] out, float[] x, float alpha, int n) {
        check(out, n);
        check(x, n);
        Parallel.forRange(n, GRAIN, (from, to) -> binaryRangeScalarRight(Binary.ADD, out, from, x, from, alpha, to - from));
    }

    /** y += alpha * x. y, x: (n). */
    public static void axpy(float[] y, float alpha, float[] x, int n) {
        check(y, n);
        check(x, n);
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            if (Simd.ENABLED) {
                FloatVector va = FloatVector.broadcast(Simd.F, alpha);
                int bound = from + Simd.F.loopBound(to - from);
                for (; i < bound; i += Simd.LANES) {
                    FloatVector vx = FloatVector.fromArray(Simd.F, x, i);
                    vx.fma(va, FloatVector.fromArray(Simd.F, y, i)).intoArray(y, i);
                }
            }
            for (; i < to; i++) y[i] = Math.fma(x[i], alpha, y[i]);
        });
    }

    /** out[i] = value. out: (n). */
    public static void fill(float[] out, float value, int n) {
        check(out, n);
        java.util.Arrays.fill(out, 0, n, value);
    }

    /** out = x. out, x: (n). */
    public static void copy(float[] out, float[] x, int n) {
        check(out, n);
        check(x, n);
        if (out != x) System.arraycopy(x, 0, out, 0, n);
    }

    /** out = clamp(x, lo, hi) = min(max(x, lo), hi) (NaN propagates). out, x: (n). */
    public static void clamp(float[] out, float[] x, float lo, float hi, int n) {
        check(out, n);
        check(x, n);
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            if (Simd.ENABLED) {
                FloatVector vl = FloatVector.broadcast(Simd.F, lo), vh = FloatVector.broadcast(Simd.F, hi);
                int bound = from + Simd.F.loopBound(to - from);
                for (; i < bound; i += Simd.LANES)
                    FloatVector.fromArray(Simd.F, x, i).max(vl).min(vh).intoArray(out, i);
            }
            for (; i < to; i++) out[i] = Math.min(Math.max(x[i], lo), hi);
        });
    }

    /** out = op(x). out, x: (n). */
    public static void unary(Unary op, float[] out, float[] x, int n) {
        check(out, n);
        check(x, n);
        // transcendental ops cost more per element: split them finer
        int grain = switch (op) {
            case EXP, LOG, ATAN -> GRAIN / 8;
            default -> GRAIN;
        };
        Parallel.forRange(n, grain, (from, to) -> {
            int i = from;
            if (Simd.ENABLED) {
                int bound = from + Simd.F.loopBound(to - from);
                for (; i < bound; i += Simd.LANES) apply(op, FloatVector.fromArray(Simd.F, x, i)).intoArray(out, i);
            }
            for (; i < to; i++) out[i] = apply(op, x[i]);
        });
    }

    static FloatVector apply(Unary op, FloatVector v) {
        return switch (op) {
            case NEG -> v.neg();
            case EXP -> Simd.exp(v);
            case LOG -> Simd.map(v, u -> (float) Math.log(u));
            case SQRT -> v.sqrt();
            case ABS -> v.abs();
            case SQUARE -> v.mul(v);
            case RECIPROCAL -> FloatVector.broadcast(Simd.F, 1f).div(v);
            // keeps +-0 and NaN from v, as Math.signum does
            case SIGN -> v.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f));
            case ATAN -> Simd.map(v, u -> (float) Math.atan(u));
        };
    }

    static float apply(Unary op, float v) {
        return switch (op) {
            case NEG -> -v;
            case EXP -> (float) Math.exp(v);
            case LOG -> (float) Math.log(v);
            case SQRT -> (float) Math.sqrt(v);
            case ABS -> Math.abs(v);
            case SQUARE -> v * v;
            case RECIPROCAL -> 1f / v;
            case SIGN -> Math.signum(v);
            case ATAN -> (float) Math.atan(v);
        };
    }

    /**
     * Broadcasting out = op(a, b). out: outShape (contiguous). a, b: any layout whose element strides viewed with
     * outShape are aStrides / bStrides (0 on broadcast dimensions); both stride arrays have outShape's rank.
     */
    public static void broadcast(Binary op, float[] out, int[] outShape, float[] a, int[] aStrides, float[] b,
                                 int[] bStrides) {
        int rank = outShape.length;
        if (aStrides.length != rank || bStrides.length != rank)
            throw new IllegalArgumentException("stride ranks " + aStrides.length + ", " + bStrides.length
                    + " differ from the output rank " + rank);
        long total = 1;
        for (int d : outShape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + java.util.Arrays.toString(outShape));
            total *= d;
        }
        if (total == 0) return;
        check(out, Math.toIntExact(total));
        BroadcastPlan p = BroadcastPlan.of(outShape, aStrides, bStrides);
        int inner = p.shape[p.rank - 1];
        int sa = p.aStrides[p.rank - 1], sb = p.bStrides[p.rank - 1];
        int rows = (int) (total / inner);
        int grainRows = Math.max(1, GRAIN / inner);
        Parallel.forRange(rows, grainRows, (from, to) -> {
            int[] idx = new int[p.rank];
            p.unflatten(from, idx);
            for (int r = from; r < to; r++) {
                int ao = p.offset(idx, p.aStrides), bo = p.offset(idx, p.bStrides), oo = r * inner;
                if (sa == 1 && sb == 1) binaryRange(op, out, oo, a, ao, b, bo, inner, 0);
                else if (sa == 1 && sb == 0) binaryRangeScalarRight(op, out, oo, a, ao, b[bo], inner);
                else if (sa == 0 && sb == 1) binaryRangeScalarLeft(op, out, oo, a[ao], b, bo, inner);
                else for (int j = 0; j < inner; j++) out[oo + j] = apply(op, a[ao + j * sa], b[bo + j * sb]);
                p.increment(idx);
            }
        });
    }

    /** The broadcast iteration with size-1 dimensions dropped and mergeable neighbours merged. */
    private record BroadcastPlan(int rank, int[] shape, int[] aStrides, int[] bStrides) {
        static BroadcastPlan of(int[] shape, int[] as, int[] bs) {
            int[] s = new int[Math.max(1, shape.length)], sa = new int[s.length], sb = new int[s.length];
            int r = 0;
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] == 1) continue;
                if (r > 0 && sa[r - 1] == as[i] * shape[i] && sb[r - 1] == bs[i] * shape[i]) {
                    // the previous dimension steps exactly over this one in both inputs (and in out): merge
                    s[r - 1] *= shape[i];
                    sa[r - 1] = as[i];
                    sb[r - 1] = bs[i];
                    continue;
                }
                s[r] = shape[i];
                sa[r] = as[i];
                sb[r] = bs[i];
                r++;
            }
            if (r == 0) {
                s[0] = 1;
                r = 1;
            }
            return new BroadcastPlan(r, s, sa, sb);
        }

        /** Offset of the row whose outer index (all but the last dimension) is idx. */
        int offset(int[] idx, int[] strides) {
            int o = 0;
            for (int i = 0; i < rank - 1; i++) o += idx[i] * strides[i];
            return o;
        }

        void unflatten(int row, int[] idx) {
            for (int i = rank - 2; i >= 0; i--) {
                idx[i] = row % shape[i];
                row /= shape[i];
            }
        }

        void increment(int[] idx) {
            for (int i = rank - 2; i >= 0; i--) {
                if (++idx[i] < shape[i]) return;
                idx[i] = 0;
            }
        }
    }

    static void check(float[] x, int n) {
        if (n < 0) throw new IllegalArgumentException("negative length " + n);
        if (x.length < n) throw new IllegalArgumentException("array of length " + x.length + " is shorter than " + n);
    }
}
