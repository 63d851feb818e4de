package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * 2-D max and average pooling, forward and backward, with PyTorch's semantics.
 *
 * <p>Legend: x, dx: (N, C, H, W); y, dy, argmax: (N, C, P, Q) with P = s.outH(), Q = s.outW(); all contiguous.
 * argmax holds, per output, the index h * W + w of the chosen input inside its own (n, c) plane. Max pooling
 * pads with -inf and lets NaN win; average pooling divides by the window clipped to the padded input
 * (countIncludePad) or to the real input. Windows at stride 1 that lie inside the input horizontally run on
 * the vector path. Scalar twin: {@link PoolingReference}.
 */
public final class Pooling {
    private static final int GRAIN = 1 << 14;

    private Pooling() {}

    /** Max pooling. y: (N, C, P, Q); argmax: (N, C, P, Q) or null; x: (N, C, H, W). */
    public static void maxForward(float[] y, int[] argmax, float[] x, PoolShape s) {
        check(y, s.outputSize(), x, s.inputSize());
        if (argmax != null && argmax.length < s.outputSize())
            throw new IllegalArgumentException("argmax holds " + argmax.length + " < " + s.outputSize());
        int H = s.inH(), W = s.inW(), P = s.outH(), Q = s.outW();
        Parallel.forRange(s.planes(), planeGrain(s), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xo = p * H * W, yo = p * P * Q;
                for (int oh = 0; oh < P; oh++) {
                    int hs = oh * s.strideH() - s.padH(), he = Math.min(hs + s.kernelH(), H);
                    hs = Math.max(hs, 0);
                    int row = yo + oh * Q;
                    int v0 = 0, v1 = 0; // [v0, v1): columns done on the vector path
                    if (argmax == null && Simd.ENABLED && s.strideW() == 1) {
                        v0 = Math.min(s.padW(), Q);
                        v1 = v0 + Simd.F.loopBound(Math.max(0, Math.min(Q, W - s.kernelW() + s.padW() + 1) - v0));
                        for (int ow = v0; ow < v1; ow += Simd.LANES) {
                            FloatVector m = FloatVector.broadcast(Simd.F, Float.NEGATIVE_INFINITY);
                            for (int r = hs; r < he; r++) {
                                int base = xo + r * W + ow - s.padW();
                                for (int kx = 0; kx < s.kernelW(); kx++)
                                    m = m.max(FloatVector.fromArray(Simd.F, x, base + kx));
                            }
                            m.intoArray(y, row + ow);
                        }
                    }
                    for (int ow = 0; ow < Q; ow++) {
                        if (ow == v0) ow = v1;
                        if (ow >= Q) break;
                        int ws = ow * s.strideW() - s.padW(), we = Math.min(ws + s.kernelW(), W);
                        ws = Math.max(ws, 0);
                        float m = Float.NEGATIVE_INFINITY;
                        int best = hs * W + ws;
                        for (int r = hs; r < he; r++)
                            for (int c = ws; c < we; c++) {
                                float v = x[xo + r * W + c];
                                if (v > m || Float.isNaN(v)) { // as PyTorch: the last NaN wins
                                    m = v;
                                    best = r * W + c;
                                }
                            }
                        y[row + ow] = m;
                        if (argmax != null) argmax[row + ow] = best;
                    }
                }
            }
        });
    }

    /** Max pooling backward: dx[argmax] += dy. dx: (N, C, H, W) (overwritten); dy, argmax: (N, C, P, Q). */
    public static void maxBackward(float[] dx, float[] dy, int[] argmax, PoolShape s) {
        check(dy, s.outputSize(), dx, s.inputSize());
        if (argmax.length < s.outputSize())
            throw new IllegalArgumentException("argmax holds " + argmax.length + " < " + s.outputSize());
        int plane = s.inH() * s.inW(), outPlane = s.outH() * s.outW();
        Parallel.forRange(s.planes(), planeGrain(s), (p0, p1) -> {
            java.util.Arrays.fill(dx, p0 * plane, p1 * plane, 0f);
            for (int p = p0; p < p1; p++) {
                int xo = p * plane, yo = p * outPlane;
                for (int j = 0; j < outPlane; j++) {
                    int a = argmax[yo + j];
                    if (a < 0 || a >= plane) throw new IllegalArgumentException("argmax " + a + " outside a plane of " + plane);
                    dx[xo + a] += dy[yo + j];
                }
            }
        });
    }

    /** Average pooling. y: (N, C, P, Q); x: (N, C, H, W). */
    public static void avgForward(float[] y, float[] x, PoolShape s, boolean countIncludePad) {
        check(y, s.outputSize(), x, s.inputSize());
        int H = s.inH(), W = s.inW(), P = s.outH(), Q = s.outW();
        Parallel.forRange(s.planes(), planeGrain(s), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xo = p * H * W, yo = p * P * Q;
                for (int oh = 0; oh < P; oh++) {
                    int hs = oh * s.strideH() - s.padH(), he = Math.min(hs + s.kernelH(), H + s.padH());
                    int padRows = he - hs;
                    hs = Math.max(hs, 0);
                    he = Math.min(he, H);
                    int row = yo + oh * Q;
                    int v0 = 0, v1 = 0;
                    if (Simd.ENABLED && s.strideW() == 1) {
                        v0 = Math.min(s.padW(), Q);
                        v1 = v0 + Simd.F.loopBound(Math.max(0, Math.min(Q, W - s.kernelW() + s.padW() + 1) - v0));
                        // inside horizontally the window spans kernelW columns both padded and clipped
                        float inv = 1f / ((countIncludePad ? padRows : he - hs) * s.kernelW());
                        for (int ow = v0; ow < v1; ow += Simd.LANES) {
                            FloatVector acc = FloatVector.zero(Simd.F);
                            for (int r = hs; r < he; r++) {
                                int base = xo + r * W + ow - s.padW();
                                for (int kx = 0; kx < s.kernelW(); kx++)
                                    acc = acc.add(FloatVector.fromArray(Simd.F, x, base + kx));
                            }
                            acc.mul(inv).intoArray(y, row + ow);
                        }
                    }
                    for (int ow = 0; ow < Q; ow++) {
                        if (ow == v0) ow = v1;
                        if (ow >= Q) break;
                        int ws = ow * s.strideW() - s.padW(), we = Math.min(ws + s.kernelW(), W + s.padW());
                        int padCols = we - ws;
                        ws = Math.max(ws, 0);
                        we = Math.min(we, W);
                        float sum = 0f;
                        for (int r = hs; r < he; r++)
                            for (int c = ws; c < we; c++) sum += x[xo + r * W + c];
                        int div = countIncludePad ? padRows * padCols : (he - hs) * (we - ws);
                        y[row + ow] = sum / div;
                    }
                }
            }
        });
    }

    /** Average pooling backward. dx: (N, C, H, W) (overwritten); dy: (N, C, P, Q). */
    public static void avgBackward(float[] dx, float[] dy, PoolShape s, boolean countIncludePad) {
        check(dy, s.outputSize(), dx, s.inputSize());
        int H = s.inH(), W = s.inW(), P = s.outH(), Q = s.outW();
        Parallel.forRange(s.planes(), planeGrain(s), (p0, p1) -> {
            java.util.Arrays.fill(dx, p0 * H * W, p1 * H * W, 0f);
            for (int p = p0; p < p1; p++) {
                int xo = p * H * W, yo = p * P * Q;
                for (int oh = 0; oh < P; oh++) {
                    int hs = oh * s.strideH() - s.padH(), he = Math.min(hs + s.kernelH(), H + s.padH());
                    int padRows = he - hs;
                    hs = Math.max(hs, 0);
                    he = Math.min(he, H);
                    for (int ow = 0; ow < Q; ow++) {
                        int ws = ow * s.strideW() - s.padW(), we = Math.min(ws + s.kernelW(), W + s.padW());
                        int padCols = we - ws;
                        ws = Math.max(ws, 0);
                        we = Math.min(we, W);
                        int div = countIncludePad ? padRows * padCols : (he - hs) * (we - ws);
                        float g = dy[yo + oh * Q + ow] / div;
                        for (int r = hs; r < he; r++) {
                            int base = xo + r * W, c = ws;
                            if (Simd.ENABLED && we - ws >= Simd.LANES) {
                                FloatVector vg = FloatVector.broadcast(Simd.F, g);
                                int bound = ws + Simd.F.loopBound(we - ws);
                                for (; c < bound; c += Simd.LANES)
                                    FloatVector.fromArray(Simd.F, dx, base + c).add(vg).intoArray(dx, base + c);
                            }
                            for (; c < we; c++) dx[base + c] += g;
                        }
                    }
                }
            }
        });
    }

    private static int planeGrain(PoolShape s) {
        long perPlane = (long) s.inH() * s.inW() + (long) s.outH() * s.outW() * s.kernelH() * s.kernelW();
        return (int) Math.max(1, GRAIN / Math.max(1, perPlane));
    }

    private static void check(float[] out, int outSize, float[] in, int inSize) {
        if (out.length < outSize || in.length < inSize)
            throw new IllegalArgumentException("arrays of " + out.length + " and " + in.length + " elements, need "
                    + outSize + " and " + inSize);
    }
}
