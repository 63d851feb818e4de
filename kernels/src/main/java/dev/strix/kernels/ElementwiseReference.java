package dev.strix.kernels;

import dev.strix.kernels.Elementwise.Binary;
import dev.strix.kernels.Elementwise.Unary;

/**
 * Plain scalar loops with the semantics of {@link Elementwise}; the independent reference its tests use.
 *
 * <p>Legend: {@code n} = element count; out, a, b, x: (n). Broadcast: {@code outShape} contiguous row-major,
 * {@code aStrides}/{@code bStrides} element strides of the inputs viewed with outShape (0 = broadcast).
 */
public final class ElementwiseReference {
    private ElementwiseReference() {}

    /** out = op(a, b). out, a, b: (n). */
    public static void binary(Binary op, float[] out, float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) out[i] = op(op, a[i], b[i]);
    }

    /** out = alpha * x. */
    public static void scale(float[] out, float[] x, float alpha, int n) {
        for (int i = 0; i < n; i++) out[i] = alpha * x[i];
    }

    /** out = x + alpha. */
    public static void addScalar(float[] out, float[] x, float alpha, int n) {
        for (int i = 0; i < n; i++) out[i] = x[i] + alpha;
    }

    /** y += alpha * x, rounded once (as a fused multiply-add). */
    public static void axpy(float[] y, float alpha, float[] x, int n) {
        for (int i = 0; i < n; i++) y[i] = (float) ((double) y[i] + (double) alpha * x[i]);
    }

    /** out = min(max(x, lo), hi), NaN propagating. */
    public static void clamp(float[] out, float[] x, float lo, float hi, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            out[i] = Float.isNaN(v) ? v : v < lo ? lo : v > hi ? hi : v;
        }
    }

    /** out = op(x), computed in double and rounded once. */
    public static void unary(Unary op, float[] out, float[] x, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[i];
            out[i] = (float) switch (op) {
                case NEG -> -v;
                case EXP -> Math.exp(v);
                case LOG -> Math.log(v);
                case SQRT -> Math.sqrt(v);
                case ABS -> Math.abs(v);
                case SQUARE -> v * v;
                case RECIPROCAL -> 1.0 / v;
                case SIGN -> Math.signum(v);
                case ATAN -> Math.atan(v);
            };
        }
    }

    /** Broadcasting out = op(a, b) by walking every output index. */
    public static void broadcast(Binary op, float[] out, int[] outShape, float[] a, int[] aStrides, float[] b,
                                 int[] bStrides) {
        int rank = outShape.length;
        long total = 1;
        for (int d : outShape) total *= d;
        int[] idx = new int[rank];
        for (int flat = 0; flat < total; flat++) {
            int rem = flat, ao = 0, bo = 0;
            for (int i = rank - 1; i >= 0; i--) {
                idx[i] = rem % outShape[i];
                rem /= outShape[i];
                ao += idx[i] * aStrides[i];
                bo += idx[i] * bStrides[i];
            }
            out[flat] = op(op, a[ao], b[bo]);
        }
    }

    static float op(Binary op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : a >= b ? a : b;
            case MIN -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : a <= b ? a : b;
        };
    }
}
