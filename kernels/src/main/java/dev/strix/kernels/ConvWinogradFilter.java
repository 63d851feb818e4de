package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The filter gradient of a 3x3 stride-1 convolution through Winograd's F(2x2, 3x3) ({@link ConvWinograd}), and the
 * pieces F(4x4, 3x3)'s ({@link ConvWinograd4#backwardFilter}) shares with it: the tile-major copy of dy, the
 * per-thread sums and their micro-kernel.
 *
 * <p>Legend as in {@link ConvWinograd}; dM = A dY A^T is the back-transform of an output tile's gradient and
 * dU(k, c) = sum over tiles of dM(k) (.) V(c), one GEMM per transformed element with depth T (tiles), from which
 * dw = G^T dU G.
 */
final class ConvWinogradFilter {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.F.length();
    private static final int MR = GemmBlocked.MR, NR = GemmBlocked.NR;

    private ConvWinogradFilter() {}

    /** Per-chunk accumulators of the filter gradient's transformed sums, and the transposed dy (calling thread). */
    private static final ThreadLocal<float[][]> SUMS = ThreadLocal.withInitial(() -> new float[0][]);
    static final ThreadLocal<float[][]> DY_T = ThreadLocal.withInitial(() -> new float[1][0]);
    /** Per-thread dM of one block of the filter gradient. */
    static final ThreadLocal<float[][]> DM = ThreadLocal.withInitial(() -> new float[1][0]);
    /** Target bytes of one filter-gradient block's V and dM together. */
    private static final int FILTER_BLOCK_BYTES = 768 * 1024;

    /**
     * dw = d(sum(y * dy))/dw summed over the batch, for shapes {@link ConvWinograd#applies} to. The chain rule
     * through the forward pass: with dM_t = A dY_t A^T the 4 x 4 back-transform of output tile t's gradient,
     * dU(k, c) = sum_t dM_t(k) (.) V_t(c) (16 GEMMs of depth T, like the forward ones with the tile and channel
     * roles swapped), and dw(k, c) = G^T dU(k, c) G.
     *
     * <p>dy is first copied to tile-major order (per image, pixel by pixel, its K values side by side, padded to
     * whole tiles with zeros), so that dM is computed across output channels and each GEMM reads V rows
     * (channels over tiles, from {@link ConvWinograd#inputTransform}) against dM rows (tiles over output channels). The tiles
     * are split into one contiguous range per thread, each summing into its own buffer; the buffers are added in
     * a fixed order, so the result depends on the thread count but not on the scheduling.
     *
     * @param dw weight gradient (K, C, 3, 3), overwritten
     * @param dy output gradient (N, K, P, Q)
     * @param x  input (N, C, H, W)
     */
    static void backwardFilter(float[] dw, float[] dy, float[] x, ConvShape s) {
        if (!ConvWinograd.applies(s)) throw new IllegalArgumentException("Winograd F(2x2,3x3) does not take " + s);
        int k = s.outChannels(), c = s.inChannels(), kp = (k + NR - 1) / NR * NR, cp = (c + MR - 1) / MR * MR;
        int tilesH = (s.outH() + 1) / 2, tilesW = (s.outW() + 1) / 2, tiles = s.batch() * tilesH * tilesW;
        int chunks = Math.max(1, Math.min(Parallel.threads(), tiles / NR));
        boolean byElement = byElement(chunks, tiles, c, cp, kp);
        int parts = byElement ? Math.min(Parallel.threads(), 16) : chunks, sumCount = byElement ? 1 : chunks;
        int perChunk = byElement ? tiles : (tiles + chunks - 1) / chunks;
        int fit = Math.max(L, FILTER_BLOCK_BYTES / (64 * (c + kp)) / L * L);
        int tb = Math.min(fit, (perChunk + L - 1) / L * L);
        ConvWinograd.Geometry geo = new ConvWinograd.Geometry(s, tilesH, tilesW, kp, tb + L);
        float[] xp = ConvWinograd.buffer(ConvWinograd.PADDED, ConvWinograd.paddedSize(geo));
        ConvWinograd.pad(xp, x, geo);
        float[] dyt = ConvWinograd.buffer(DY_T, s.batch() * 4 * tilesH * tilesW * kp);
        transposeGradient(dyt, dy, s, tilesH, tilesW, kp);
        int sumSize = 16 * cp * kp;
        float[][] sums = sums(sumCount, sumSize);
        Parallel.forEachChunk(parts, ci -> {
            // by tiles: chunk bounds on whole vectors of tiles (pairs of tile rows start on an even row), all
            // elements into the chunk's own sums; by element: all tiles, the chunk's elements of the one sum
            int t0 = byElement || ci == 0 ? 0 : (int) ((long) tiles * ci / chunks) / L * L;
            int t1 = byElement || ci == chunks - 1 ? tiles : (int) ((long) tiles * (ci + 1) / chunks) / L * L;
            int x0 = byElement ? 16 * ci / parts : 0, x1 = byElement ? 16 * (ci + 1) / parts : 16;
            float[] acc = sums[byElement ? 0 : ci];
            float[][] sc = ConvWinograd.SCRATCH.get();
            float[] v = ConvWinograd.grow(sc, 0, 16 * cp * geo.ldv() + L);
            float[] dm = ConvWinograd.buffer(DM, 16 * dmStride(tb, kp));
            for (int b0 = t0; b0 < t1; b0 += tb) {
                int b1 = Math.min(t1, b0 + tb);
                ConvWinograd.inputTransform(xp, geo, b0, b1, v);
                gradientTransform(dm, dyt, geo, b0, b1, tb);
                for (int xi = x0; xi < x1; xi++) {
                    int vo = xi * c * geo.ldv(), mo = xi * dmStride(tb, kp), so = xi * cp * kp;
                    for (int ir = 0; ir < cp; ir += MR)
                        for (int jr = 0; jr < kp; jr += NR)
                            filterKernel(b1 - b0, v, vo + ir * geo.ldv(), geo.ldv(), dm, mo + jr, kp, acc,
                                    so + ir * kp + jr, kp, b0 == t0);
                }
            }
            if (t0 >= t1) java.util.Arrays.fill(acc, 0, sumSize, 0f);
        });
        filterGradient(dw, sums, sumCount, k, c, kp, cp);
    }

    /** For tests: 1 splits the filter gradient by transformed element, 0 by tiles, -1 (the default) by cost. */
    static int split = -1;

    /**
     * Whether {@code chunks} threads split the filter gradient by transformed element rather than by tiles. By tiles,
     * each thread writes a sum of cp * kp floats per element and the sums are read back and added at the end; by
     * element, each thread transforms all T tiles (c + kp values per tile and element) and writes only its own
     * elements of one sum. DetNet's 256-channel 8 x 8 layer (T = 128) ran slower on two threads by tiles than on one.
     */
    static boolean byElement(int chunks, int tiles, int c, int cp, int kp) {
        if (chunks <= 1) return false;
        if (split >= 0) return split == 1;
        return (long) cp * kp >= (long) tiles * (c + kp) / 2;
    }

    /** Floats from one element's dM to the next: tb * kp plus a cache line (see {@link #uStride}). */
    private static int dmStride(int tb, int kp) {
        return tb * kp + 16;
    }

    /** The calling thread's {@code count} sum buffers of at least {@code size} floats. */
    static float[][] sums(int count, int size) {
        float[][] held = SUMS.get();
        if (held.length < count) {
            held = java.util.Arrays.copyOf(held, count);
            SUMS.set(held);
        }
        for (int i = 0; i < count; i++) if (held[i] == null || held[i].length < size) held[i] = new float[size];
        return held;
    }

    /**
     * dyt (per image: 2 tilesH x 2 tilesW pixels, each kp floats) = dy's values, zero for pixels past P or Q and
     * channels past K.
     */
    static void transposeGradient(float[] dyt, float[] dy, ConvShape s, int tilesH, int tilesW, int kp) {
        int k = s.outChannels(), p = s.outH(), q = s.outW(), pq = p * q, rows = 2 * tilesH, cols = 2 * tilesW;
        Parallel.forRange(s.batch() * rows, Math.max(1, 4096 / (cols * kp)), (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int n = row / rows, i = row - n * rows, base = row * cols * kp;
                if (i >= p) {
                    java.util.Arrays.fill(dyt, base, base + cols * kp, 0f);
                    continue;
                }
                // channels side by side, L of them per pass over the row (L input rows streamed at once)
                for (int c0 = 0; c0 < kp; c0 += L) {
                    for (int j = 0; j < cols; j++) {
                        int at = base + j * kp + c0;
                        if (j >= q) {
                            java.util.Arrays.fill(dyt, at, at + L, 0f);
                            continue;
                        }
                        int src = (n * k + c0) * pq + i * q + j;
                        for (int ch = 0; ch < L; ch++) dyt[at + ch] = c0 + ch < k ? dy[src + ch * pq] : 0f;
                    }
                }
            }
        });
    }

    /**
     * dm: element xi of block column col (tile t0 + col) and output channel ch at dm[xi * dmStride + col * kp + ch] =
     * (A dY A^T)(xi) of that tile's 2 x 2 gradient (a, b over c, d): rows (a, a + c, a - c, -c) of the first
     * column and likewise (b, ...) of the second, each row (u, v) spread to (u, u + v, u - v, -v).
     */
    private static void gradientTransform(float[] dm, float[] dyt, ConvWinograd.Geometry geo, int t0, int t1, int tb) {
        int kp = geo.kp(), tilesW = geo.tilesW(), perImage = geo.tilesH() * tilesW, cols = 2 * tilesW;
        int xiStride = dmStride(tb, kp);
        for (int t = t0; t < t1; t++) {
            int n = t / perImage, r = t - n * perImage, i = r / tilesW, j = r - i * tilesW;
            int top = ((n * 2 * geo.tilesH() + 2 * i) * cols + 2 * j) * kp, bottom = top + cols * kp;
            int at = (t - t0) * kp;
            for (int ch = 0; ch < kp; ch += L) {
                FloatVector a = FloatVector.fromArray(F, dyt, top + ch), b = FloatVector.fromArray(F, dyt, top + kp + ch);
                FloatVector cc = FloatVector.fromArray(F, dyt, bottom + ch);
                FloatVector d = FloatVector.fromArray(F, dyt, bottom + kp + ch);
                FloatVector u1 = a.add(cc), v1 = b.add(d), u2 = a.sub(cc), v2 = b.sub(d);
                int o = at + ch;
                a.intoArray(dm, o);
                a.add(b).intoArray(dm, o + xiStride);
                a.sub(b).intoArray(dm, o + 2 * xiStride);
                b.neg().intoArray(dm, o + 3 * xiStride);
                u1.intoArray(dm, o + 4 * xiStride);
                u1.add(v1).intoArray(dm, o + 5 * xiStride);
                u1.sub(v1).intoArray(dm, o + 6 * xiStride);
                v1.neg().intoArray(dm, o + 7 * xiStride);
                u2.intoArray(dm, o + 8 * xiStride);
                u2.add(v2).intoArray(dm, o + 9 * xiStride);
                u2.sub(v2).intoArray(dm, o + 10 * xiStride);
                v2.neg().intoArray(dm, o + 11 * xiStride);
                cc.neg().intoArray(dm, o + 12 * xiStride);
                cc.add(d).neg().intoArray(dm, o + 13 * xiStride);
                d.sub(cc).intoArray(dm, o + 14 * xiStride);
                d.intoArray(dm, o + 15 * xiStride);
            }
        }
    }

    /**
     * dw(k, c) = G^T dU(k, c) G with dU(xi) the chunks' sums (element xi of channel pair (c, k) at
     * xi * cp * kp + c * kp + k), added in chunk order. L output channels at a time, through a small buffer
     * into dw (a vector scatter is no faster here).
     */
    private static void filterGradient(float[] dw, float[][] sums, int chunks, int k, int c, int kp, int cp) {
        int stride = cp * kp;
        Parallel.forRange(c, Math.max(1, 1024 / kp), (c0, c1) -> {
            float[] tail = new float[9 * L];
            for (int ch = c0; ch < c1; ch++)
                for (int k0 = 0; k0 < k; k0 += L) gradientTaps(dw, sums, chunks, stride, ch * kp + k0, k0, k, c, ch, tail);
        });
    }

    /**
     * The 9 taps of dw for input channel ch and output channels [k0, k0 + L) from the sums at offset at. A method of
     * its own, called c K / L times a call, so that C2 compiles it within a call or two: inside the per-thread loop
     * it ran in C1's code until that loop had run its 60 000 iterations, about 30 calls of the 256-channel layer,
     * which the training step makes once.
     */
    private static void gradientTaps(float[] dw, float[][] sums, int chunks, int stride, int at, int k0, int k, int c,
                                     int ch, float[] tail) {
        FloatVector d0 = sum(sums, chunks, 0 * stride + at);
        FloatVector d1 = sum(sums, chunks, 1 * stride + at);
        FloatVector d2 = sum(sums, chunks, 2 * stride + at);
        FloatVector d3 = sum(sums, chunks, 3 * stride + at);
        FloatVector d4 = sum(sums, chunks, 4 * stride + at);
        FloatVector d5 = sum(sums, chunks, 5 * stride + at);
        FloatVector d6 = sum(sums, chunks, 6 * stride + at);
        FloatVector d7 = sum(sums, chunks, 7 * stride + at);
        FloatVector d8 = sum(sums, chunks, 8 * stride + at);
        FloatVector d9 = sum(sums, chunks, 9 * stride + at);
        FloatVector d10 = sum(sums, chunks, 10 * stride + at);
        FloatVector d11 = sum(sums, chunks, 11 * stride + at);
        FloatVector d12 = sum(sums, chunks, 12 * stride + at);
        FloatVector d13 = sum(sums, chunks, 13 * stride + at);
        FloatVector d14 = sum(sums, chunks, 14 * stride + at);
        FloatVector d15 = sum(sums, chunks, 15 * stride + at);
        // G^T D: rows (D0 + (D1 + D2) / 2, (D1 - D2) / 2, (D1 + D2) / 2 + D3) of each column
        FloatVector h0 = d4.add(d8).mul(0.5f);
        FloatVector g00 = d0.add(h0), g10 = d4.sub(d8).mul(0.5f), g20 = h0.add(d12);
        FloatVector h1 = d5.add(d9).mul(0.5f);
        FloatVector g01 = d1.add(h1), g11 = d5.sub(d9).mul(0.5f), g21 = h1.add(d13);
        FloatVector h2 = d6.add(d10).mul(0.5f);
        FloatVector g02 = d2.add(h2), g12 = d6.sub(d10).mul(0.5f), g22 = h2.add(d14);
        FloatVector h3 = d7.add(d11).mul(0.5f);
        FloatVector g03 = d3.add(h3), g13 = d7.sub(d11).mul(0.5f), g23 = h3.add(d15);
        // (.) G: each row (e0 + (e1 + e2) / 2, (e1 - e2) / 2, (e1 + e2) / 2 + e3)
        FloatVector m0 = g01.add(g02).mul(0.5f);
        FloatVector w00 = g00.add(m0), w01 = g01.sub(g02).mul(0.5f), w02 = m0.add(g03);
        FloatVector m1 = g11.add(g12).mul(0.5f);
        FloatVector w10 = g10.add(m1), w11 = g11.sub(g12).mul(0.5f), w12 = m1.add(g13);
        FloatVector m2 = g21.add(g22).mul(0.5f);
        FloatVector w20 = g20.add(m2), w21 = g21.sub(g22).mul(0.5f), w22 = m2.add(g23);
        w00.intoArray(tail, 0 * L);
        w01.intoArray(tail, 1 * L);
        w02.intoArray(tail, 2 * L);
        w10.intoArray(tail, 3 * L);
        w11.intoArray(tail, 4 * L);
        w12.intoArray(tail, 5 * L);
        w20.intoArray(tail, 6 * L);
        w21.intoArray(tail, 7 * L);
        w22.intoArray(tail, 8 * L);
        scatterTaps(dw, tail, k0, k, c, ch);
    }

    /** dw[(o * c + ch) * 9 + tap] = tail[tap * L + o - k0] for the output channels o of [k0, min(k, k0 + L)). */
    static void scatterTaps(float[] dw, float[] tail, int k0, int k, int c, int ch) {
        for (int o = k0, end = Math.min(k, k0 + L); o < end; o++) {
            int to = (o * c + ch) * 9, from = o - k0;
            for (int tap = 0; tap < 9; tap++) dw[to + tap] = tail[tap * L + from];
        }
    }

    /** The chunks' sums at one offset, added in chunk order. */
    static FloatVector sum(float[][] sums, int chunks, int at) {
        FloatVector v = FloatVector.fromArray(F, sums[0], at);
        for (int ci = 1; ci < chunks; ci++) v = v.add(FloatVector.fromArray(F, sums[ci], at));
        return v;
    }

    /**
     * acc tile (8 rows of input channels x 2 vectors of output channels, row stride lda) = (first) or += the sum
     * over depth tiles of V rows (stride ldv) times dM rows (stride ldm).
     */
    static void filterKernel(int depth, float[] v, int vo, int ldv, float[] dm, int mo, int ldm,
                                     float[] acc, int ao, int lda, boolean first) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F), c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F), c71 = FloatVector.zero(F);
        for (int t = 0; t < depth; t++, vo++, mo += ldm) {
            FloatVector b0 = FloatVector.fromArray(F, dm, mo);
            FloatVector b1 = FloatVector.fromArray(F, dm, mo + L);
            FloatVector a;
            a = FloatVector.broadcast(F, v[vo]);
            c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, v[vo + ldv]);
            c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, v[vo + 2 * ldv]);
            c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, v[vo + 3 * ldv]);
            c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, v[vo + 4 * ldv]);
            c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, v[vo + 5 * ldv]);
            c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(F, v[vo + 6 * ldv]);
            c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(F, v[vo + 7 * ldv]);
            c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
        }
        if (!first) {
            c00 = c00.add(FloatVector.fromArray(F, acc, ao)); c01 = c01.add(FloatVector.fromArray(F, acc, ao + L));
            c10 = c10.add(FloatVector.fromArray(F, acc, ao + lda));
            c11 = c11.add(FloatVector.fromArray(F, acc, ao + lda + L));
            c20 = c20.add(FloatVector.fromArray(F, acc, ao + 2 * lda));
            c21 = c21.add(FloatVector.fromArray(F, acc, ao + 2 * lda + L));
            c30 = c30.add(FloatVector.fromArray(F, acc, ao + 3 * lda));
            c31 = c31.add(FloatVector.fromArray(F, acc, ao + 3 * lda + L));
            c40 = c40.add(FloatVector.fromArray(F, acc, ao + 4 * lda));
            c41 = c41.add(FloatVector.fromArray(F, acc, ao + 4 * lda + L));
            c50 = c50.add(FloatVector.fromArray(F, acc, ao + 5 * lda));
            c51 = c51.add(FloatVector.fromArray(F, acc, ao + 5 * lda + L));
            c60 = c60.add(FloatVector.fromArray(F, acc, ao + 6 * lda));
            c61 = c61.add(FloatVector.fromArray(F, acc, ao + 6 * lda + L));
            c70 = c70.add(FloatVector.fromArray(F, acc, ao + 7 * lda));
            c71 = c71.add(FloatVector.fromArray(F, acc, ao + 7 * lda + L));
        }
        c00.intoArray(acc, ao); c01.intoArray(acc, ao + L);
        c10.intoArray(acc, ao + lda); c11.intoArray(acc, ao + lda + L);
        c20.intoArray(acc, ao + 2 * lda); c21.intoArray(acc, ao + 2 * lda + L);
        c30.intoArray(acc, ao + 3 * lda); c31.intoArray(acc, ao + 3 * lda + L);
        c40.intoArray(acc, ao + 4 * lda); c41.intoArray(acc, ao + 4 * lda + L);
        c50.intoArray(acc, ao + 5 * lda); c51.intoArray(acc, ao + 5 * lda + L);
        c60.intoArray(acc, ao + 6 * lda); c61.intoArray(acc, ao + 6 * lda + L);
        c70.intoArray(acc, ao + 7 * lda); c71.intoArray(acc, ao + 7 * lda + L);
    }
}
