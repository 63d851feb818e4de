package dev.strix.detection.data.augment;

/**
 * Draws a source image into a region of a {@code (3, S, S)} float frame through a {@link LetterboxTransform}.
 * Each output pixel averages {@code k x k} bilinear samples spread over its footprint in the source
 * ({@code k = ceil(1 / scale)}, at most 8), which avoids aliasing when shrinking; pixels whose centre maps outside
 * the source are left untouched (the caller fills them first).
 */
final class Resampler {
    private static final int MAX_TAPS = 8;

    private Resampler() {
    }

    /**
     * @param src    packed {@code 0xRRGGBB}, row-major {@code (h, w)}
     * @param chw    output {@code (3, size, size)}, values in [0, 1]
     * @param region {@code [x0, y0, x1, y1)} in output pixels; only these pixels are written
     */
    static void render(int[] src, int w, int h, LetterboxTransform t, float[] chw, int size, int[] region) {
        int x0 = Math.max(0, region[0]), y0 = Math.max(0, region[1]);
        int x1 = Math.min(size, region[2]), y1 = Math.min(size, region[3]);
        if (x0 >= x1 || y0 >= y1) return;
        double inv = 1.0 / t.scale();
        int k = (int) Math.min(MAX_TAPS, Math.max(1, Math.ceil(inv - 1e-9)));
        int nx = x1 - x0, ny = y1 - y0;
        // per output column and tap: left source index and weight of the right neighbour; -1 marks outside
        int[] colIdx = new int[nx * k];
        float[] colW = new float[nx * k];
        boolean[] colIn = new boolean[nx];
        for (int u = 0; u < nx; u++) {
            double cx = (x0 + u + 0.5 - t.padX()) * inv;
            if (t.flipped()) cx = w - cx;
            colIn[u] = cx >= 0 && cx <= w;
            for (int j = 0; j < k; j++) {
                double sx = cx + ((j + 0.5) / k - 0.5) * inv * (t.flipped() ? -1 : 1) - 0.5;
                taps(sx, w, colIdx, colW, u * k + j);
            }
        }
        int[] rowIdx = new int[ny * k];
        float[] rowW = new float[ny * k];
        boolean[] rowIn = new boolean[ny];
        for (int v = 0; v < ny; v++) {
            double cy = (y0 + v + 0.5 - t.padY()) * inv;
            rowIn[v] = cy >= 0 && cy <= h;
            for (int j = 0; j < k; j++) taps(cy + ((j + 0.5) / k - 0.5) * inv - 0.5, h, rowIdx, rowW, v * k + j);
        }
        int plane = size * size;
        float norm = 1f / (255f * k * k);
        for (int v = 0; v < ny; v++) {
            if (!rowIn[v]) continue;
            int out = (y0 + v) * size + x0;
            for (int u = 0; u < nx; u++) {
                if (!colIn[u]) continue;
                float r = 0, g = 0, b = 0;
                for (int jy = 0; jy < k; jy++) {
                    int ry = rowIdx[v * k + jy];
                    float wy = rowW[v * k + jy];
                    int ryb = Math.min(ry + 1, h - 1);
                    for (int jx = 0; jx < k; jx++) {
                        int cxi = colIdx[u * k + jx];
                        float wx = colW[u * k + jx];
                        int cxb = Math.min(cxi + 1, w - 1);
                        int p00 = src[ry * w + cxi], p01 = src[ry * w + cxb], p10 = src[ryb * w + cxi], p11 = src[ryb * w + cxb];
                        float w00 = (1 - wx) * (1 - wy), w01 = wx * (1 - wy), w10 = (1 - wx) * wy, w11 = wx * wy;
                        r += w00 * (p00 >>> 16 & 255) + w01 * (p01 >>> 16 & 255) + w10 * (p10 >>> 16 & 255) + w11 * (p11 >>> 16 & 255);
                        g += w00 * (p00 >>> 8 & 255) + w01 * (p01 >>> 8 & 255) + w10 * (p10 >>> 8 & 255) + w11 * (p11 >>> 8 & 255);
                        b += w00 * (p00 & 255) + w01 * (p01 & 255) + w10 * (p10 & 255) + w11 * (p11 & 255);
                    }
                }
                chw[out + u] = r * norm;
                chw[plane + out + u] = g * norm;
                chw[2 * plane + out + u] = b * norm;
            }
        }
    }

    /** Left index (clamped to the image) and right weight for a sample at continuous index {@code s}. */
    private static void taps(double s, int n, int[] idx, float[] weight, int at) {
        double c = Math.max(0, Math.min(n - 1, s));
        int i = (int) Math.floor(c);
        if (i >= n - 1) {
            idx[at] = n - 1;
            weight[at] = 0;
        } else {
            idx[at] = i;
            weight[at] = (float) (c - i);
        }
    }
}
