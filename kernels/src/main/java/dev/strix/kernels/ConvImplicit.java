package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution forward as an implicit GEMM: the register-blocked micro-kernel of {@link GemmBlocked} reads its
 * B operand straight from a zero-padded copy of the image instead of from an unfolded column matrix.
 *
 * <p>Legend (see {@link ConvShape}): x (N, C, H, W), w (K, C, R, S), y (N, K, P, Q), stride T, padding and
 * dilation as in the shape, groups 1. Per image the input is copied once into T x T phase planes of the padded
 * image ("xs"): plane (a, b) of channel c holds padded[i*T + a, j*T + b] at row i, column j, Hs x Ws floats
 * (Hs = ceil((H + 2 padH) / T), likewise Ws). Output pixel (p, q) is computed at grid index g = p * Ws + q, and
 * tap (r, s) of channel c, with dr = r*dilationH and ds = s*dilationW, reads
 * <pre>
 *   xs[c, dr % T, ds % T][p + dr / T, q + ds / T] = xs[base(c, r, s) + g],
 *   base(c, r, s) = ((c*T + dr % T)*T + ds % T) * Hs*Ws + (dr / T) * Ws + ds / T,
 * </pre>
 * so the depth row (c, r, s) of the virtual column matrix is a contiguous run of xs starting at base. The grid
 * has Ws - Q extra columns per output row whose values are computed and dropped; xs never has to be unfolded
 * (an im2col writes R*S/T^2 times the input). The image is the unit of work on the {@link Parallel} pool.
 */
final class ConvImplicit {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.F.length();
    private static final int MR = GemmBlocked.MR, NR = GemmBlocked.NR;
    /** Grid pixels per output tile (whole output rows, at least one). */
    private static final int TILE = 512;
    /** Weight floats beyond which small images go to the packed GEMM path instead (see {@link #forward}). */
    private static final long BIG_WEIGHTS = 256 * 1024;

    private static final ThreadLocal<float[][]> PHASES = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> OUT = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> WEIGHTS = ThreadLocal.withInitial(() -> new float[1][0]);

    private ConvImplicit() {}

    /** Whether this path applies: SIMD on, one group, and at least one image per worker thread. */
    static boolean suits(ConvShape s) {
        return Simd.ENABLED && s.groups() == 1 && s.batch() >= Parallel.threads()
                && !(s.kernelH() == 1 && s.kernelW() == 1 && s.strideH() == 1 && s.strideW() == 1);
    }

    /** Sizes of the phase planes and the grid. */
    private record Geometry(int t, int hs, int ws, int planes, int depth, int[] base, int size) {
        static Geometry of(ConvShape s) {
            if (s.strideH() != s.strideW()) return null;
            int t = s.strideH();
            int hs = (s.inH() + 2 * s.padH() + t - 1) / t, ws = (s.inW() + 2 * s.padW() + t - 1) / t;
            int c = s.inChannels(), kh = s.kernelH(), kw = s.kernelW(), depth = c * kh * kw;
            int plane = hs * ws;
            int[] base = new int[depth];
            int p = 0, max = 0;
            for (int ci = 0; ci < c; ci++) {
                for (int r = 0; r < kh; r++) {
                    int dr = r * s.dilationH();
                    for (int q = 0; q < kw; q++, p++) {
                        int ds = q * s.dilationW();
                        base[p] = ((ci * t + dr % t) * t + ds % t) * plane + (dr / t) * ws + ds / t;
                        max = Math.max(max, base[p]);
                    }
                }
            }
            int grid = (s.outH() * ws + NR - 1) / NR * NR;
            return new Geometry(t, hs, ws, c * t * t, depth, base, Math.max(max + grid, c * t * t * plane) + NR);
        }
    }

    /**
     * y = conv(x, w) + bias, then max(0, y) when {@code relu}, for a shape that {@link #suits}; returns false
     * (having done nothing) when the geometry does not fit this path (unequal strides, or large weights on small
     * images).
     */
    static boolean forward(float[] y, float[] x, float[] w, float[] bias, ConvShape s, boolean relu) {
        Geometry geo = Geometry.of(s);
        if (geo == null) return false;
        int k = s.outChannels(), depth = geo.depth;
        // weights past L2 streamed once per image for only a few pixel blocks: the packed GEMM reuses them better
        if ((long) k * depth > BIG_WEIGHTS && s.outH() * geo.ws < 256) return false;
        float[] wp = buffer(WEIGHTS, GemmBlocked.packedASize(k, depth));
        GemmBlocked.packAParallel(false, w, 0, depth, 0, k, 0, depth, 1f, wp, 0);
        Parallel.forEachItem(s.batch(), n -> image(y, x, wp, bias, s, geo, n, relu));
        return true;
    }

    /** One image: phase planes, then tiles of whole output rows through the micro-kernel, then the copy-out. */
    private static void image(float[] y, float[] x, float[] wp, float[] bias, ConvShape s, Geometry geo, int n,
                              boolean relu) {
        int c = s.inChannels(), k = s.outChannels(), p = s.outH(), q = s.outW(), ws = geo.ws;
        float[] xs = buffer(PHASES, geo.size);
        phases(xs, x, n * c * s.inH() * s.inW(), s, geo);
        int rowsPerTile = Math.max(1, Math.min(p, TILE / ws));
        int cols = (rowsPerTile * ws + NR - 1) / NR * NR, rows = (k + MR - 1) / MR * MR;
        float[] out = buffer(OUT, rows * cols);
        int yImage = n * k * p * q;
        for (int oy0 = 0; oy0 < p; oy0 += rowsPerTile) {
            int oy1 = Math.min(p, oy0 + rowsPerTile), g0 = oy0 * ws, gn = (oy1 - oy0) * ws;
            for (int i = 0; i < k; i += MR) {
                int ao = i * geo.depth, rem = k - i;
                // a last slab of 1 or up to 4 real rows (the heads' 1- and 4-output convolutions) skips the
                // zero rows that the packing pads it with
                if (rem == 1) {
                    for (int j = 0; j < gn; j += NR) kernel1(geo.depth, wp, ao, xs, geo.base, g0 + j, out, i * cols + j);
                } else if (rem <= 4) {
                    for (int j = 0; j < gn; j += NR) kernel4(geo.depth, wp, ao, xs, geo.base, g0 + j, out, i * cols + j, cols);
                } else {
                    for (int j = 0; j < gn; j += NR) kernel(geo.depth, wp, ao, xs, geo.base, g0 + j, out, i * cols + j, cols);
                }
            }
            for (int ki = 0; ki < k; ki++) {
                float b = bias == null ? 0f : bias[ki];
                for (int oy = oy0; oy < oy1; oy++)
                    copyRow(out, ki * cols + (oy - oy0) * ws, y, yImage + (ki * p + oy) * q, q, b, relu);
            }
        }
    }

    /**
     * Adds the filter gradient of images [n0, n1) to acc (K, C, R, S): dw[k, (c, r, s)] += sum over grid pixels g
     * of dyGrid[k, g] * xs[base(c, r, s) + g], where dyGrid is dy laid out on the grid with zeros in the extra
     * columns. Dot products of 4 gradient rows against 4 shifted image rows at a time, in grid chunks of
     * {@link #DOT_CHUNK} so that the chunk's image planes and gradient rows stay in L2; the gradient rows are
     * padded with zeros to whole vectors, so the dot products have no scalar tails. Returns false (having
     * done nothing) when the geometry does not fit this path or the grid is too short for it to pay off.
     */
    static boolean filterImages(float[] acc, float[] dy, float[] x, ConvShape s, int n0, int n1) {
        return filterImages(acc, dy, x, s, n0, n1, false);
    }

    /** {@link #filterImages}; {@code anySize} skips the size test (so that tests reach every geometry). */
    static boolean filterImages(float[] acc, float[] dy, float[] x, ConvShape s, int n0, int n1, boolean anySize) {
        Geometry geo = Geometry.of(s);
        if (geo == null) return false;
        int k = s.outChannels(), depth = geo.depth, p = s.outH(), q = s.outW(), ws = geo.ws, grid = p * ws;
        int plane = geo.hs * ws, planes = geo.planes;
        // small planes: several images side by side in every phase plane, so that one dot product runs over all of
        // their grids and the 16 lane sums of a 4 x 4 block are folded once per group rather than once per image
        int most = Math.max(1, GROUP_COLUMNS / plane), count = n1 - n0;
        int groups = Math.max(1, (count + most - 1) / most), group = Math.max(1, (count + groups - 1) / groups);
        // short grids one image at a time: 16 lane reductions per 4 x 4 block and a pass over dw per image outweigh
        // the dots, and the packed GEMM over several images at once does better there
        if (!anySize && ((group == 1 && grid < 256) || (long) k * depth > BIG_WEIGHTS)) return false;
        int[] base = geo.base, shifted = new int[depth];
        float[] red = new float[16];
        for (int n = n0; n < n1; n += group) {
            int cnt = Math.min(group, n1 - n), stride = cnt * plane;
            // grid pixel g of image i sits at i * plane + g in every phase plane and in the gradient rows, which are
            // zero outside the grids and padded with zeros to whole vectors
            int ld = ((cnt - 1) * plane + grid + L - 1) / L * L;
            int maxBase = 0;
            for (int j = 0; j < depth; j++) {
                shifted[j] = base[j] / plane * stride + base[j] % plane;
                maxBase = Math.max(maxBase, shifted[j]);
            }
            int filled = planes * stride, size = Math.max(filled, maxBase + ld) + NR;
            float[] xs = buffer(PHASES, size), dyg = buffer(OUT, k * ld);
            for (int i = 0; i < cnt; i++) phases(xs, x, (n + i) * s.inChannels() * s.inH() * s.inW(), s, geo, stride, i * plane);
            java.util.Arrays.fill(xs, filled, size, 0f); // read past the last plane only where the gradient is 0
            java.util.Arrays.fill(dyg, 0, k * ld, 0f);
            for (int i = 0; i < cnt; i++)
                for (int ki = 0; ki < k; ki++)
                    for (int oy = 0; oy < p; oy++)
                        System.arraycopy(dy, (((n + i) * k + ki) * p + oy) * q, dyg, ki * ld + i * plane + oy * ws, q);
            int chunks = (ld + DOT_CHUNK - 1) / DOT_CHUNK, chunk = (ld / L + chunks - 1) / chunks * L;
            for (int g0 = 0; g0 < ld; g0 += chunk) {
                int kb = Math.min(chunk, ld - g0);
                int i = 0;
                for (; i + 4 <= k; i += 4) {
                    int ao = i * ld + g0, j = 0;
                    for (; j + 4 <= depth; j += 4)
                        dot4x4(dyg, ao, ld, xs, shifted[j] + g0, shifted[j + 1] + g0, shifted[j + 2] + g0,
                                shifted[j + 3] + g0, kb, acc, i * depth + j, depth, red);
                    for (; j < depth; j++) {
                        for (int r = 0; r < 4; r++)
                            acc[(i + r) * depth + j] += dot(dyg, ao + r * ld, xs, shifted[j] + g0, kb);
                    }
                }
                for (; i < k; i++) {
                    for (int j = 0; j < depth; j++) acc[i * depth + j] += dot(dyg, i * ld + g0, xs, shifted[j] + g0, kb);
                }
            }
        }
        return true;
    }

    /** Grid positions one filter-gradient dot product aims for when several small images share it. */
    private static final int GROUP_COLUMNS = 1200;

    /** Grid pixels per dot-product chunk of {@link #filterImages} at most (chunks are split evenly). */
    private static final int DOT_CHUNK = 2048;

    /** Dot product of x[xo ..] and y[yo ..] over len floats. */
    private static float dot(float[] x, int xo, float[] y, int yo, int len) {
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= len; i += 2 * L) {
            s0 = FloatVector.fromArray(F, x, xo + i).fma(FloatVector.fromArray(F, y, yo + i), s0);
            s1 = FloatVector.fromArray(F, x, xo + i + L).fma(FloatVector.fromArray(F, y, yo + i + L), s1);
        }
        float sum = Simd.sum(s0.add(s1));
        for (; i < len; i++) sum += x[xo + i] * y[yo + i];
        return sum;
    }

    /**
     * c[4 x 4 at co, row stride ldc] += rows a (4 at ao, stride lda) . rows b (at b0..b3) over len floats (a
     * multiple of the lane count); {@code red} is 16 floats of scratch.
     */
    static void dot4x4(float[] a, int ao, int lda, float[] b, int b0, int b1, int b2, int b3, int len,
                       float[] c, int co, int ldc, float[] red) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int a1 = ao + lda, a2 = a1 + lda, a3 = a2 + lda;
        int i = 0;
        for (int bound = len - L; i <= bound; i += L) {
            FloatVector x0 = FloatVector.fromArray(F, a, ao + i), x1 = FloatVector.fromArray(F, a, a1 + i);
            FloatVector x2 = FloatVector.fromArray(F, a, a2 + i), x3 = FloatVector.fromArray(F, a, a3 + i);
            FloatVector y = FloatVector.fromArray(F, b, b0 + i);
            c00 = x0.fma(y, c00); c10 = x1.fma(y, c10); c20 = x2.fma(y, c20); c30 = x3.fma(y, c30);
            y = FloatVector.fromArray(F, b, b1 + i);
            c01 = x0.fma(y, c01); c11 = x1.fma(y, c11); c21 = x2.fma(y, c21); c31 = x3.fma(y, c31);
            y = FloatVector.fromArray(F, b, b2 + i);
            c02 = x0.fma(y, c02); c12 = x1.fma(y, c12); c22 = x2.fma(y, c22); c32 = x3.fma(y, c32);
            y = FloatVector.fromArray(F, b, b3 + i);
            c03 = x0.fma(y, c03); c13 = x1.fma(y, c13); c23 = x2.fma(y, c23); c33 = x3.fma(y, c33);
        }
        // The 16 lane sums by a transposing tree: each level folds two vectors into one, the first half of every
        // lane segment taking the first vector's halves added, the second half the second's, so each final lane
        // holds one accumulator's sum. Every lane adds exactly the pairs Simd.sum adds (lane i + lane i + h), in
        // the same tree, so the sums are bit-identical to Simd.sum's, for a quarter of its shuffles and adds.
        // Written out rather than through a helper taking FloatVectors (a call C2 does not inline boxes them).
        FloatVector v0 = c00.blend(c01, M1).add(c01.blend(c00, M1).rearrange(S1));
        FloatVector v1 = c02.blend(c03, M1).add(c03.blend(c02, M1).rearrange(S1));
        FloatVector v2 = c10.blend(c11, M1).add(c11.blend(c10, M1).rearrange(S1));
        FloatVector v3 = c12.blend(c13, M1).add(c13.blend(c12, M1).rearrange(S1));
        FloatVector v4 = c20.blend(c21, M1).add(c21.blend(c20, M1).rearrange(S1));
        FloatVector v5 = c22.blend(c23, M1).add(c23.blend(c22, M1).rearrange(S1));
        FloatVector v6 = c30.blend(c31, M1).add(c31.blend(c30, M1).rearrange(S1));
        FloatVector v7 = c32.blend(c33, M1).add(c33.blend(c32, M1).rearrange(S1));
        FloatVector w0 = v0.blend(v1, M2).add(v1.blend(v0, M2).rearrange(S2));
        FloatVector w1 = v2.blend(v3, M2).add(v3.blend(v2, M2).rearrange(S2));
        FloatVector w2 = v4.blend(v5, M2).add(v5.blend(v4, M2).rearrange(S2));
        FloatVector w3 = v6.blend(v7, M2).add(v7.blend(v6, M2).rearrange(S2));
        if (L >= 8) {
            FloatVector x0 = w0.blend(w1, M3).add(w1.blend(w0, M3).rearrange(S3));
            FloatVector x1 = w2.blend(w3, M3).add(w3.blend(w2, M3).rearrange(S3));
            if (L >= 16) {
                x0.blend(x1, M4).add(x1.blend(x0, M4).rearrange(S4)).intoArray(red, 0);
            } else {
                x0.intoArray(red, 0);
                x1.intoArray(red, L);
            }
        } else {
            w0.intoArray(red, 0);
            w1.intoArray(red, L);
            w2.intoArray(red, 2 * L);
            w3.intoArray(red, 3 * L);
        }
        for (int t = 0; t < 16; t++) c[co + SUM_ROW[t] * ldc + SUM_COL[t]] += red[t];
    }

    /**
     * Masks (lanes with bit h set) and shuffles (lane i reads lane i ^ h) of the levels h = L/2, L/4, L/8, L/16
     * of {@link #dot4x4}'s reduction (null below one lane), and where each of the 16 sums ends: accumulator
     * (SUM_ROW[t], SUM_COL[t]) at position t of the stored final vectors.
     */
    static final VectorMask<Float> M1, M2, M3, M4;
    static final VectorShuffle<Float> S1, S2, S3, S4;
    static final int[] SUM_ROW = new int[16], SUM_COL = new int[16];

    static {
        @SuppressWarnings("unchecked") VectorMask<Float>[] m = new VectorMask[4];
        @SuppressWarnings("unchecked") VectorShuffle<Float>[] sh = new VectorShuffle[4];
        for (int k = 0, h = L / 2; k < 4; k++, h /= 2) {
            if (h < 1) continue;
            boolean[] bits = new boolean[L];
            for (int i = 0; i < L; i++) bits[i] = (i & h) != 0;
            m[k] = VectorMask.fromArray(F, bits, 0);
            int hh = h;
            sh[k] = VectorShuffle.fromOp(F, i -> i ^ hh);
        }
        M1 = m[0]; M2 = m[1]; M3 = m[2]; M4 = m[3];
        S1 = sh[0]; S2 = sh[1]; S3 = sh[2]; S4 = sh[3];
        // follow which accumulator (r * 4 + c) each lane holds through the same folds
        int[][] owner = new int[16][L];
        int[] order = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}; // c00, c01, c02, c03, c10, ...
        for (int v = 0; v < 16; v++) java.util.Arrays.fill(owner[v], order[v]);
        int count = 16;
        for (int h = L / 2; h >= 1 && count > 1 && (16 / count) < L; h /= 2) {
            int[][] next = new int[count / 2][L];
            for (int v = 0; v < count / 2; v++)
                for (int i = 0; i < L; i++) next[v][i] = (i & h) != 0 ? owner[2 * v + 1][i] : owner[2 * v][i];
            owner = next;
            count /= 2;
        }
        for (int v = 0; v < count; v++)
            for (int i = 0; i < L; i++) {
                int t = v * L + i;
                if (t < 16) { SUM_ROW[t] = owner[v][i] / 4; SUM_COL[t] = owner[v][i] % 4; }
            }
    }

    /** dst[0 .. len) = src[0 .. len) + b, then max(0, .) when {@code relu}. */
    private static void copyRow(float[] src, int so, float[] dst, int d0, int len, float b, boolean relu) {
        int i = 0;
        FloatVector bv = FloatVector.broadcast(F, b), zero = FloatVector.zero(F);
        if (relu) {
            for (int bound = F.loopBound(len); i < bound; i += L)
                FloatVector.fromArray(F, src, so + i).add(bv).max(zero).intoArray(dst, d0 + i);
            for (; i < len; i++) dst[d0 + i] = Math.max(0f, src[so + i] + b);
        } else {
            for (int bound = F.loopBound(len); i < bound; i += L)
                FloatVector.fromArray(F, src, so + i).add(bv).intoArray(dst, d0 + i);
            for (; i < len; i++) dst[d0 + i] = src[so + i] + b;
        }
    }

    /** Fills the phase planes of one image (x from xOff) with the zero-padded input; see the class legend. */
    static void phases(float[] xs, float[] x, int xOff, ConvShape s, Geometry geo) {
        phases(xs, x, xOff, s, geo, geo.hs * geo.ws, 0);
    }

    /**
     * {@link #phases} with consecutive phase planes {@code plane} floats apart (at least hs * ws) and this image's
     * plane starting {@code at} floats into each: several images side by side within every phase plane.
     */
    static void phases(float[] xs, float[] x, int xOff, ConvShape s, Geometry geo, int plane, int at) {
        int t = geo.t, hs = geo.hs, ws = geo.ws, h = s.inH(), w = s.inW();
        int ph = s.padH(), pw = s.padW();
        for (int c = 0; c < s.inChannels(); c++) {
            int src = xOff + c * h * w;
            if (t == 1 && w < 32) {
                shortPlane(xs, c * plane + at, x, src, h, w, hs, ws, ph, pw);
                continue;
            }
            for (int a = 0; a < t; a++) {
                for (int i = 0; i < hs; i++) {
                    int ih = i * t + a - ph, d0 = ((c * t + a) * t) * plane + at + i * ws;
                    if (ih < 0 || ih >= h) {
                        for (int b = 0; b < t; b++) java.util.Arrays.fill(xs, d0 + b * plane, d0 + b * plane + ws, 0f);
                    } else if (t == 1) {
                        int lo = Math.min(ws, pw), hi = Math.min(ws, w + pw);
                        for (int j = 0; j < lo; j++) xs[d0 + j] = 0f;
                        System.arraycopy(x, src + ih * w, xs, d0 + lo, hi - lo);
                        for (int j = hi; j < ws; j++) xs[d0 + j] = 0f;
                    } else {
                        phaseRow(xs, d0, plane, x, src + ih * w, w, t, ws, pw);
                    }
                }
            }
        }
    }

    /**
     * Splits one padded input row over its t column phases: phase b, column j (at d0 + b*plane + j) gets padded
     * column j*t + b, i.e. input column j*t + b - pw (0 outside the row). One pass over the row.
     */
    private static void phaseRow(float[] xs, int d0, int plane, float[] x, int row, int w, int t, int ws, int pw) {
        if (t == 2) {
            int e = d0, o = d0 + plane, j = 0;
            // left padding, then whole vectors of output columns while their 2 L inputs lie inside the row (two
            // loads split into even and odd lanes by one shuffle each and a blend), then the rest
            for (int j0 = Math.min(ws, (pw + 1) / 2); j < j0; j++) phasePair(xs, e, o, j, x, row, w, pw);
            for (; j + L <= ws && 2 * (j + L) - pw <= w; j += L) splitPair(xs, e, o, j, x, row + 2 * j - pw);
            // the last whole vector whose inputs lie inside the row, overlapping the one before (the same values
            // again), so that only the columns past the row's end are left to the scalar loop (for a 128-wide
            // row with padding 1: 1 column instead of 16)
            int last = Math.min(ws, (w + pw) / 2) - L;
            if (j < ws && last > j - L && last >= (pw + 1) / 2) {
                splitPair(xs, e, o, last, x, row + 2 * last - pw);
                j = last + L;
            }
            for (; j < ws; j++) phasePair(xs, e, o, j, x, row, w, pw);
            return;
        }
        int padded = ws * t;
        for (int pc = 0; pc < padded; pc++) {
            int iw = pc - pw, j = pc / t, b = pc - j * t;
            xs[d0 + b * plane + j] = iw >= 0 && iw < w ? x[row + iw] : 0f;
        }
    }

    /** Columns j .. j + L - 1 of the even and odd phase rows from the 2 L inputs at x[i0 ..]. */
    private static void splitPair(float[] xs, int e, int o, int j, float[] x, int i0) {
        FloatVector v0 = FloatVector.fromArray(F, x, i0), v1 = FloatVector.fromArray(F, x, i0 + L);
        v0.rearrange(EVEN).blend(v1.rearrange(EVEN), HIGH).intoArray(xs, e + j);
        v0.rearrange(ODD).blend(v1.rearrange(ODD), HIGH).intoArray(xs, o + j);
    }

    /**
     * The padded plane of one channel with rows shorter than 32 floats (stride 1, hs x ws from d): zeros, then the
     * input rows element by element. Row by row, with a System.arraycopy call and the padding stores for each
     * 8-float row, the copy took half of a 64-channel 8 x 8 convolution's time.
     */
    private static void shortPlane(float[] xs, int d, float[] x, int src, int h, int w, int hs, int ws, int ph, int pw) {
        java.util.Arrays.fill(xs, d, d + hs * ws, 0f);
        int copy = Math.min(w, ws - pw);
        for (int ih = 0; ih < h; ih++) {
            int i = ih + ph;
            if (i >= hs) break;
            for (int j = 0, to = d + i * ws + pw, from = src + ih * w; j < copy; j++) xs[to + j] = x[from + j];
        }
    }

    /** Column j of the even and odd phase rows of a stride-2 split (zero outside the input row). */
    private static void phasePair(float[] xs, int e, int o, int j, float[] x, int row, int w, int pw) {
        int i0 = 2 * j - pw, i1 = i0 + 1;
        xs[e + j] = i0 >= 0 && i0 < w ? x[row + i0] : 0f;
        xs[o + j] = i1 >= 0 && i1 < w ? x[row + i1] : 0f;
    }

    /** Lane i reads lane 2i (EVEN) or 2i + 1 (ODD) mod L; HIGH selects lanes L/2 .. L - 1. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, i -> (2 * i) & (L - 1));
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(F, i -> (2 * i + 1) & (L - 1));
    private static final VectorMask<Float> HIGH = VectorMask.fromLong(F, ((1L << L) - 1) & ~((1L << (L / 2)) - 1));

    /** The 8 x 2-vector micro-kernel with B row p at xs[base[p] + g]: out tile = A panel * B over depth. */
    private static void kernel(int depth, float[] ap, int ao, float[] xs, int[] base, int g,
                               float[] out, int oo, int ldo) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F), c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F), c71 = FloatVector.zero(F);
        for (int p = 0; p < depth; p++, ao += MR) {
            int bo = base[p] + g;
            FloatVector b0 = FloatVector.fromArray(F, xs, bo);
            FloatVector b1 = FloatVector.fromArray(F, xs, bo + L);
            FloatVector a;
            a = FloatVector.broadcast(F, ap[ao]);
            c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, ap[ao + 1]);
            c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, ap[ao + 2]);
            c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, ap[ao + 3]);
            c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, ap[ao + 4]);
            c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, ap[ao + 5]);
            c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(F, ap[ao + 6]);
            c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(F, ap[ao + 7]);
            c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
        }
        c00.intoArray(out, oo); c01.intoArray(out, oo + L);
        c10.intoArray(out, oo + ldo); c11.intoArray(out, oo + ldo + L);
        c20.intoArray(out, oo + 2 * ldo); c21.intoArray(out, oo + 2 * ldo + L);
        c30.intoArray(out, oo + 3 * ldo); c31.intoArray(out, oo + 3 * ldo + L);
        c40.intoArray(out, oo + 4 * ldo); c41.intoArray(out, oo + 4 * ldo + L);
        c50.intoArray(out, oo + 5 * ldo); c51.intoArray(out, oo + 5 * ldo + L);
        c60.intoArray(out, oo + 6 * ldo); c61.intoArray(out, oo + 6 * ldo + L);
        c70.intoArray(out, oo + 7 * ldo); c71.intoArray(out, oo + 7 * ldo + L);
    }

    /** {@link #kernel} for the first 4 rows of a packed slab (rows 4..7 are padding or unused). */
    private static void kernel4(int depth, float[] ap, int ao, float[] xs, int[] base, int g,
                                float[] out, int oo, int ldo) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        for (int p = 0; p < depth; p++, ao += MR) {
            int bo = base[p] + g;
            FloatVector b0 = FloatVector.fromArray(F, xs, bo);
            FloatVector b1 = FloatVector.fromArray(F, xs, bo + L);
            FloatVector a;
            a = FloatVector.broadcast(F, ap[ao]);
            c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, ap[ao + 1]);
            c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, ap[ao + 2]);
            c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, ap[ao + 3]);
            c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
        }
        c00.intoArray(out, oo); c01.intoArray(out, oo + L);
        c10.intoArray(out, oo + ldo); c11.intoArray(out, oo + ldo + L);
        c20.intoArray(out, oo + 2 * ldo); c21.intoArray(out, oo + 2 * ldo + L);
        c30.intoArray(out, oo + 3 * ldo); c31.intoArray(out, oo + 3 * ldo + L);
    }

    /** {@link #kernel} for the first row of a packed slab only. */
    private static void kernel1(int depth, float[] ap, int ao, float[] xs, int[] base, int g, float[] out, int oo) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        for (int p = 0; p < depth; p++, ao += MR) {
            int bo = base[p] + g;
            FloatVector a = FloatVector.broadcast(F, ap[ao]);
            c00 = a.fma(FloatVector.fromArray(F, xs, bo), c00);
            c01 = a.fma(FloatVector.fromArray(F, xs, bo + L), c01);
        }
        c00.intoArray(out, oo); c01.intoArray(out, oo + L);
    }

    private static float[] buffer(ThreadLocal<float[][]> kind, int size) {
        float[][] holder = kind.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }
}
