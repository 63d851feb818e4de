package dev.strix.kernels;

/**
 * Plain loops with the semantics of {@link Upsample}; the reference its tests use.
 *
 * <p>Legend: x, dx: (planes, h, w); y, dy: (planes, h * scaleH, w * scaleW).
 */
public final class UpsampleReference {
    private UpsampleReference() {}

    /** y[p, i, j] = x[p, i / scaleH, j / scaleW]. */
    public static void nearestForward(float[] y, float[] x, int planes, int h, int w, int scaleH, int scaleW) {
        int oh = h * scaleH, ow = w * scaleW;
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) y[(p * oh + i) * ow + j] = x[(p * h + i / scaleH) * w + j / scaleW];
    }

    /** dx[p, i, j] = sum over the block of dy it was copied to, in double. */
    public static void nearestBackward(float[] dx, float[] dy, int planes, int h, int w, int scaleH, int scaleW) {
        int oh = h * scaleH, ow = w * scaleW;
        double[] acc = new double[planes * h * w];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) acc[(p * h + i / scaleH) * w + j / scaleW] += dy[(p * oh + i) * ow + j];
        for (int i = 0; i < acc.length; i++) dx[i] = (float) acc[i];
    }
}
