package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * Nearest-neighbour upsampling by integer factors (PyTorch's mode="nearest" with integer scale factors):
 * y[p, i, j] = x[p, i / scaleH, j / scaleW].
 *
 * <p>Legend: x, dx: (planes, h, w); y, dy: (planes, h * scaleH, w * scaleW); contiguous, planes = N * C.
 * Scalar twin: {@link UpsampleReference}.
 */
public final class Upsample {
    private static final int GRAIN = 1 << 15;
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[256]);

    private Upsample() {}

    /** y = nearest upsample of x. y: (planes, h * scaleH, w * scaleW); x: (planes, h, w). */
    public static void nearestForward(float[] y, float[] x, int planes, int h, int w, int scaleH, int scaleW) {
        check(y, x, planes, h, w, scaleH, scaleW);
        int ow = w * scaleW, rows = planes * h;
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, ow * scaleH)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xo = r * w, yo = r * scaleH * ow;
                if (scaleW == 1) System.arraycopy(x, xo, y, yo, w);
                else
                    for (int j = 0; j < w; j++) {
                        float v = x[xo + j];
                        for (int b = 0, o = yo + j * scaleW; b < scaleW; b++) y[o + b] = v;
                    }
                for (int a = 1; a < scaleH; a++) System.arraycopy(y, yo, y, yo + a * ow, ow);
            }
        });
    }

    /** dx[p, i, j] = sum of dy over the scaleH x scaleW block it was copied to. dx: (planes, h, w), overwritten. */
    public static void nearestBackward(float[] dx, float[] dy, int planes, int h, int w, int scaleH, int scaleW) {
        check(dy, dx, planes, h, w, scaleH, scaleW);
        int ow = w * scaleW, rows = planes * h;
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, ow * scaleH)), (r0, r1) -> {
            float[] acc = ROW.get();
            if (acc.length < ow) {
                acc = new float[ow];
                ROW.set(acc);
            }
            for (int r = r0; r < r1; r++) {
                int yo = r * scaleH * ow, xo = r * w;
                // add the scaleH output rows of this input row, then the scaleW neighbours in each
                System.arraycopy(dy, yo, acc, 0, ow);
                for (int a = 1; a < scaleH; a++) {
                    int ro = yo + a * ow, j = 0;
                    if (Simd.ENABLED) {
                        int bound = Simd.F.loopBound(ow);
                        for (; j < bound; j += Simd.LANES)
                            FloatVector.fromArray(Simd.F, acc, j).add(FloatVector.fromArray(Simd.F, dy, ro + j))
                                    .intoArray(acc, j);
                    }
                    for (; j < ow; j++) acc[j] += dy[ro + j];
                }
                if (scaleW == 1) System.arraycopy(acc, 0, dx, xo, w);
                else
                    for (int j = 0; j < w; j++) {
                        float s = 0f;
                        for (int b = 0, o = j * scaleW; b < scaleW; b++) s += acc[o + b];
                        dx[xo + j] = s;
                    }
            }
        });
    }

    private static void check(float[] big, float[] small, int planes, int h, int w, int scaleH, int scaleW) {
        if (planes < 0 || h < 0 || w < 0) throw new IllegalArgumentException("negative size " + planes + ", " + h + ", " + w);
        if (scaleH < 1 || scaleW < 1) throw new IllegalArgumentException("scale factors must be >= 1: " + scaleH + ", " + scaleW);
        long in = (long) planes * h * w, out = in * scaleH * scaleW;
        if (out > Integer.MAX_VALUE) throw new IllegalArgumentException("output of " + out + " elements is too large");
        if (small.length < in || big.length < out)
            throw new IllegalArgumentException("arrays of " + small.length + " and " + big.length + " elements, need "
                    + in + " and " + out);
    }
}
