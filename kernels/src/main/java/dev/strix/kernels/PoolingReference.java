package dev.strix.kernels;

/**
 * Plain loops with the semantics of {@link Pooling}; the reference its tests use.
 *
 * <p>Legend: x, dx: (N, C, H, W); y, dy, argmax: (N, C, P, Q) with P, Q = s.outH(), s.outW().
 */
public final class PoolingReference {
    private PoolingReference() {}

    /** Max pooling with per-plane arg-max indices (argmax may be null). */
    public static void maxForward(float[] y, int[] argmax, float[] x, PoolShape s) {
        int H = s.inH(), W = s.inW(), P = s.outH(), Q = s.outW();
        for (int p = 0; p < s.planes(); p++)
            for (int oh = 0; oh < P; oh++)
                for (int ow = 0; ow < Q; ow++) {
                    float m = Float.NEGATIVE_INFINITY;
                    int best = -1;
                    for (int ky = 0; ky < s.kernelH(); ky++)
                        for (int kx = 0; kx < s.kernelW(); kx++) {
                            int r = oh * s.strideH() - s.padH() + ky, c = ow * s.strideW() - s.padW() + kx;
                            if (r < 0 || r >= H || c < 0 || c >= W) continue;
                            float v = x[(p * H + r) * W + c];
                            if (best < 0) best = r * W + c; // the first real cell, as PyTorch starts
                            if (v > m || Float.isNaN(v)) {
                                m = v;
                                best = r * W + c;
                            }
                        }
                    int k = (p * P + oh) * Q + ow;
                    y[k] = m;
                    if (argmax != null) argmax[k] = best;
                }
    }

    /** dx = 0, then dx[plane + argmax] += dy. */
    public static void maxBackward(float[] dx, float[] dy, int[] argmax, PoolShape s) {
        int plane = s.inH() * s.inW(), outPlane = s.outH() * s.outW();
        java.util.Arrays.fill(dx, 0, s.inputSize(), 0f);
        for (int p = 0; p < s.planes(); p++)
            for (int j = 0; j < outPlane; j++) dx[p * plane + argmax[p * outPlane + j]] += dy[p * outPlane + j];
    }

    /** Average pooling; sums in double. */
    public static void avgForward(float[] y, float[] x, PoolShape s, boolean countIncludePad) {
        int H = s.inH(), W = s.inW(), P = s.outH(), Q = s.outW();
        for (int p = 0; p < s.planes(); p++)
            for (int oh = 0; oh < P; oh++)
                for (int ow = 0; ow < Q; ow++) {
                    double sum = 0;
                    int real = 0, padded = 0;
                    for (int ky = 0; ky < s.kernelH(); ky++)
                        for (int kx = 0; kx < s.kernelW(); kx++) {
                            int r = oh * s.strideH() - s.padH() + ky, c = ow * s.strideW() - s.padW() + kx;
                            if (r >= H + s.padH() || c >= W + s.padW()) continue; // past the padded input
                            padded++;
                            if (r < 0 || r >= H || c < 0 || c >= W) continue;
                            real++;
                            sum += x[(p * H + r) * W + c];
                        }
                    y[(p * P + oh) * Q + ow] = (float) (sum / (countIncludePad ? padded : real));
                }
    }

    /** Average pooling backward: each output spreads dy / divisor over its window. */
    public static void avgBackward(float[] dx, float[] dy, PoolShape s, boolean countIncludePad) {
        int H = s.inH(), W = s.inW(), P = s.outH(), Q = s.outW();
        double[] acc = new double[s.inputSize()];
        for (int p = 0; p < s.planes(); p++)
            for (int oh = 0; oh < P; oh++)
                for (int ow = 0; ow < Q; ow++) {
                    int real = 0, padded = 0;
                    for (int pass = 0; pass < 2; pass++) {
                        double g = pass == 0 ? 0 : dy[(p * P + oh) * Q + ow] / (double) (countIncludePad ? padded : real);
                        for (int ky = 0; ky < s.kernelH(); ky++)
                            for (int kx = 0; kx < s.kernelW(); kx++) {
                                int r = oh * s.strideH() - s.padH() + ky, c = ow * s.strideW() - s.padW() + kx;
                                if (r >= H + s.padH() || c >= W + s.padW()) continue;
                                if (pass == 0) padded++;
                                if (r < 0 || r >= H || c < 0 || c >= W) continue;
                                if (pass == 0) real++;
                                else acc[(p * H + r) * W + c] += g;
                            }
                    }
                }
        for (int i = 0; i < acc.length; i++) dx[i] = (float) acc[i];
    }
}
