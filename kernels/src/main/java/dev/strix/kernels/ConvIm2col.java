package dev.strix.kernels;

/**
 * Unfolding between one image's channel group and the column matrix that turns a convolution into a GEMM.
 *
 * <p>Legend: the image part is {@code channels} planes of H x W starting at {@code xOff}; the column matrix
 * ("col") holds rows (c, r, s) in that order (channels * R * S rows, matching the OIHW weight layout) and
 * one column per output pixel of the range [p0, p1) of the flattened P x Q output, row stride p1 - p0.
 * col[(c, r, s), pix] = x[c, oy*strideH - padH + r*dilationH, ox*strideW - padW + s*dilationW] (0 outside).
 */
final class ConvIm2col {
    private ConvIm2col() {}

    /** Fills col ((channels*R*S) x (p1-p0)) from x for output pixels [p0, p1). */
    static void im2col(float[] x, int xOff, int channels, ConvShape s, int p0, int p1, float[] col) {
        im2col(x, xOff, channels, s, p0, p1, col, 0, p1 - p0);
    }

    /** Fills col rows from colOff, row stride ld (>= p1 - p0), for output pixels [p0, p1) of x. */
    static void im2col(float[] x, int xOff, int channels, ConvShape s, int p0, int p1, float[] col, int colOff,
                       int ld) {
        int kh = s.kernelH(), kw = s.kernelW(), plane = s.inH() * s.inW();
        int row = 0;
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < kh; r++) {
                for (int t = 0; t < kw; t++, row++)
                    unfoldRow(x, xOff + c * plane, s, r, t, p0, p1, col, colOff + row * ld);
            }
        }
    }

    /**
     * Fills col in GEMM panel layout for output pixels [p0, p1): the pixels are cut into panels of
     * {@code nr} columns, panel j starting at j * depth * nr (depth = channels*R*S), element (row, col) of a
     * panel at row * nr + col; columns past p1 in the last panel are zero. {@code rowBuf} holds p1 - p0 floats.
     */
    static void im2colPanels(float[] x, int xOff, int channels, ConvShape s, int p0, int p1, int nr,
                             float[] col, float[] rowBuf) {
        int kh = s.kernelH(), kw = s.kernelW(), plane = s.inH() * s.inW(), tn = p1 - p0;
        int depth = channels * kh * kw, panelSize = depth * nr;
        int row = 0;
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < kh; r++) {
                for (int t = 0; t < kw; t++, row++) {
                    unfoldRow(x, xOff + c * plane, s, r, t, p0, p1, rowBuf, 0);
                    int at = row * nr;
                    for (int j = 0; j < tn; j += nr, at += panelSize) {
                        int len = Math.min(nr, tn - j);
                        System.arraycopy(rowBuf, j, col, at, len);
                        if (len < nr) java.util.Arrays.fill(col, at + len, at + nr, 0f);
                    }
                }
            }
        }
    }

    /** Row (r, t) of one channel's unfolding: out[outOff + pix - p0] for output pixels [p0, p1). */
    private static void unfoldRow(float[] x, int plane, ConvShape s, int r, int t, int p0, int p1,
                                  float[] out, int outOff) {
        int h = s.inH(), w = s.inW(), ow = s.outW(), sh = s.strideH(), sw = s.strideW();
        int dyOff = r * s.dilationH() - s.padH(), dxOff = t * s.dilationW() - s.padW();
        int qLo = firstInside(dxOff, sw), qHi = lastInside(dxOff, sw, w, ow);
        int dst = outOff;
        int pix = p0;
        while (pix < p1) {
            int oy = pix / ow, ox = pix - oy * ow;
            int end = Math.min(p1, pix - ox + ow), len = end - pix, oxEnd = ox + len;
            int ih = oy * sh + dyOff;
            int lo = Math.max(ox, qLo), hi = Math.min(oxEnd, qHi);
            if (ih < 0 || ih >= h || hi <= lo) {
                java.util.Arrays.fill(out, dst, dst + len, 0f);
            } else {
                java.util.Arrays.fill(out, dst, dst + (lo - ox), 0f);
                int src = plane + ih * w + lo * sw + dxOff, d = dst + (lo - ox);
                if (sw == 1) {
                    System.arraycopy(x, src, out, d, hi - lo);
                } else {
                    for (int q = 0; q < hi - lo; q++) out[d + q] = x[src + q * sw];
                }
                java.util.Arrays.fill(out, dst + (hi - ox), dst + len, 0f);
            }
            dst += len;
            pix = end;
        }
    }

    /** Adds col ((channels*R*S) x (p1-p0)) back onto dx: the transpose of {@link #im2col}. */
    static void col2imAdd(float[] col, int channels, ConvShape s, int p0, int p1, float[] dx, int dxOff) {
        int kh = s.kernelH(), kw = s.kernelW(), h = s.inH(), w = s.inW(), ow = s.outW();
        int sh = s.strideH(), sw = s.strideW(), tn = p1 - p0;
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = dxOff + c * h * w;
            for (int r = 0; r < kh; r++) {
                int dyOff = r * s.dilationH() - s.padH();
                for (int t = 0; t < kw; t++, row++) {
                    int dxShift = t * s.dilationW() - s.padW();
                    int qLo = firstInside(dxShift, sw), qHi = lastInside(dxShift, sw, w, ow);
                    int src = row * tn;
                    int pix = p0;
                    while (pix < p1) {
                        int oy = pix / ow, ox = pix - oy * ow;
                        int end = Math.min(p1, pix - ox + ow), len = end - pix, oxEnd = ox + len;
                        int ih = oy * sh + dyOff;
                        if (ih >= 0 && ih < h) {
                            int lo = Math.max(ox, qLo), hi = Math.min(oxEnd, qHi);
                            int d = plane + ih * w + lo * sw + dxShift, from = src + (lo - ox);
                            if (sw == 1) {
                                for (int q = 0; q < hi - lo; q++) dx[d + q] += col[from + q];
                            } else {
                                for (int q = 0; q < hi - lo; q++) dx[d + q * sw] += col[from + q];
                            }
                        }
                        src += len;
                        pix = end;
                    }
                }
            }
        }
    }

    /** Smallest output column q with q*stride + shift >= 0. */
    private static int firstInside(int shift, int stride) {
        return shift >= 0 ? 0 : (-shift + stride - 1) / stride;
    }

    /** One past the largest output column q (below outW) with q*stride + shift < w. */
    private static int lastInside(int shift, int stride, int w, int outW) {
        int limit = w - 1 - shift;
        if (limit < 0) return 0;
        return Math.min(outW, limit / stride + 1);
    }
}
