package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The packed, register-blocked SIMD path of {@link Gemm} for one band of C on one thread.
 *
 * <p>Legend: op(A) m x k, op(B) k x n, C m x n, row-major (see {@link Gemm}). Loop nest (outermost first):
 * columns in NC blocks, depth in KC blocks (B block packed: KC x NC, NR-wide panels, streamed from L2), rows in
 * MC blocks (A block packed: MC x KC, MR-tall panels with alpha folded in), then one MR-row A panel (kept in
 * L1) against every NR-column B panel, each an MR x NR tile of C held in FMA accumulators. Panels are
 * zero-padded to full MR / NR, so edge tiles are computed into a small scratch tile and merged.
 * The first KC block applies beta (beta == 0 stores without reading C); later blocks accumulate.
 */
final class GemmBlocked {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.F.length();
    /** Rows of the micro-tile. */
    static final int MR = 8;
    /** Columns of the micro-tile: 2 vectors. */
    static final int NR = 2 * L;
    /** Depth of one packed block. */
    static final int KC = 384;
    /** Rows of one packed A block. */
    static final int MC = 256;
    /** Columns of one packed B block. */
    static final int NC = 1024;

    /** Per-thread packing buffers (A block, B block, one edge tile). */
    private static final class Buffers {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * NC];
        final float[] tile = new float[MR * NR];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private GemmBlocked() {}

    /** Computes rows [i0, i1) and columns [j0, j1) of C = alpha op(A) op(B) + beta C (k >= 1). */
    static void run(boolean transA, boolean transB, int i0, int i1, int j0, int j1, int k, float alpha,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float beta, float[] c, int cOff, int ldc) {
        Buffers buf = BUFFERS.get();
        float[] ap = buf.a, bp = buf.b, tile = buf.tile;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean first = pc == 0;
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    packA(transA, a, aOff, lda, ic, mc, pc, kc, alpha, ap, 0);
                    for (int ir = 0; ir < mc; ir += MR) {
                        int mr = Math.min(MR, mc - ir);
                        int rowOff = cOff + (ic + ir) * ldc + jc;
                        for (int jr = 0; jr < nc; jr += NR) {
                            int nr = Math.min(NR, nc - jr);
                            if (mr == MR && nr == NR) {
                                kernel(kc, ap, ir * kc, bp, jr * kc, NR, c, rowOff + jr, ldc, first, beta);
                            } else {
                                kernel(kc, ap, ir * kc, bp, jr * kc, NR, tile, 0, NR, true, 0f);
                                merge(tile, mr, nr, c, rowOff + jr, ldc, first, beta);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * C = A * B + beta * C (m x n, row stride ldc) from operands packed in advance over the whole depth k.
     * A: panel of rows [r, r+MR) starts at aOff + (r/MR) * aStride, element (row, q) at q*MR + row, rows past
     * m zero (as {@link #packA} writes with kc = k). B: panel of columns [j, j+NR) starts at (j/NR) * bStride,
     * element (q, col) at q*NR + col, columns past n zero.
     */
    static void runPacked(int m, int n, int k, float[] ap, int aOff, int aStride, float[] bp, int bStride,
                          float beta, float[] c, int cOff, int ldc) {
        float[] tile = BUFFERS.get().tile;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            boolean first = pc == 0;
            for (int ir = 0; ir < m; ir += MR) {
                int mr = Math.min(MR, m - ir), aAt = aOff + (ir / MR) * aStride + pc * MR;
                int rowOff = cOff + ir * ldc;
                for (int jr = 0; jr < n; jr += NR) {
                    int nr = Math.min(NR, n - jr), bAt = (jr / NR) * bStride + pc * NR;
                    if (mr == MR && nr == NR) {
                        kernel(kc, ap, aAt, bp, bAt, NR, c, rowOff + jr, ldc, first, beta);
                    } else {
                        kernel(kc, ap, aAt, bp, bAt, NR, tile, 0, NR, true, 0f);
                        merge(tile, mr, nr, c, rowOff + jr, ldc, first, beta);
                    }
                }
            }
        }
    }

    /** Floats {@link #packA} writes for m rows over depth k (panels of MR rows, zero-padded). */
    static int packedASize(int m, int k) {
        return (m + MR - 1) / MR * MR * k;
    }

    /** Packed floats per parallel chunk of {@link #packAParallel} (about 128 KB). */
    private static final int PACK_GRAIN = 32 * 1024;

    /**
     * {@link #packA} with the panels spread over the worker threads (a convolution's weights, packed once per call
     * on the calling thread otherwise). The same values in the same places.
     */
    static void packAParallel(boolean transA, float[] a, int aOff, int lda, int i, int mc, int p, int kc, float alpha,
                              float[] dst, int dstOff) {
        int panels = (mc + MR - 1) / MR;
        int grain = Math.max(1, PACK_GRAIN / Math.max(1, MR * kc));
        if (panels <= grain) {
            packA(transA, a, aOff, lda, i, mc, p, kc, alpha, dst, dstOff);
            return;
        }
        Parallel.forRange(panels, grain, (q0, q1) -> {
            int r0 = q0 * MR, r1 = Math.min(mc, q1 * MR);
            packA(transA, a, aOff, lda, i + r0, r1 - r0, p, kc, alpha, dst, dstOff + r0 * kc);
        });
    }

    /**
     * Packs rows [i, i+mc) x depth [p, p+kc) of alpha*op(A) into MR-row panels: panel r0 starts at dstOff + r0*kc,
     * element (r, q) of a panel at q*MR + r; rows past mc are zero.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i, int mc, int p, int kc,
                      float alpha, float[] dst, int dstOff) {
        for (int r0 = 0; r0 < mc; r0 += MR) {
            int mr = Math.min(MR, mc - r0), base = dstOff + r0 * kc;
            if (transA) {
                // stored k x m: row q of storage holds op(A)(., q) contiguously
                for (int q = 0; q < kc; q++) {
                    int src = aOff + (p + q) * lda + i + r0, d = base + q * MR;
                    for (int r = 0; r < mr; r++) dst[d + r] = alpha * a[src + r];
                    for (int r = mr; r < MR; r++) dst[d + r] = 0f;
                }
            } else {
                for (int r = 0; r < mr; r++) {
                    int src = aOff + (i + r0 + r) * lda + p, d = base + r;
                    for (int q = 0; q < kc; q++) dst[d + q * MR] = alpha * a[src + q];
                }
                for (int r = mr; r < MR; r++) {
                    for (int q = 0; q < kc; q++) dst[base + r + q * MR] = 0f;
                }
            }
        }
    }

    /**
     * Packs depth [p, p+kc) x columns [j, j+nc) of op(B) into NR-column panels: panel c0 starts at c0*kc,
     * element (q, col) of a panel at q*NR + col; columns past nc are zero.
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int p, int kc, int j, int nc,
                              float[] dst) {
        for (int c0 = 0; c0 < nc; c0 += NR) {
            int nr = Math.min(NR, nc - c0), base = c0 * kc;
            if (transB) {
                for (int col = 0; col < nr; col++) {
                    int src = bOff + (j + c0 + col) * ldb + p, d = base + col;
                    for (int q = 0; q < kc; q++) dst[d + q * NR] = b[src + q];
                }
                for (int col = nr; col < NR; col++) {
                    for (int q = 0; q < kc; q++) dst[base + col + q * NR] = 0f;
                }
            } else if (nr == NR) {
                for (int q = 0; q < kc; q++) {
                    int src = bOff + (p + q) * ldb + j + c0, d = base + q * NR;
                    for (int v = 0; v < NR; v += L) FloatVector.fromArray(F, b, src + v).intoArray(dst, d + v);
                }
            } else {
                for (int q = 0; q < kc; q++) {
                    int src = bOff + (p + q) * ldb + j + c0, d = base + q * NR;
                    for (int col = 0; col < nr; col++) dst[d + col] = b[src + col];
                    for (int col = nr; col < NR; col++) dst[d + col] = 0f;
                }
            }
        }
    }

    /** Merges the top-left mr x nr of an edge tile (row stride NR) into C. */
    private static void merge(float[] tile, int mr, int nr, float[] c, int co, int ldc, boolean first, float beta) {
        for (int r = 0; r < mr; r++) {
            int row = co + r * ldc;
            for (int col = 0; col < nr; col++) {
                float t = tile[r * NR + col];
                if (!first) c[row + col] += t;
                else c[row + col] = beta == 0f ? t : t + beta * c[row + col];
            }
        }
    }

    /**
     * The 8 x 2-vector micro-kernel: C tile (+)= packed A panel * B over kc steps, B's row p (2 vectors) at
     * bo + p * bStep (NR for a packed B panel; a row stride for a plain row-major B, as {@link ConvWinograd} has).
     */
    static void kernel(int kc, float[] ap, int ao, float[] bp, int bo, int bStep,
                       float[] c, int co, int ldc, boolean first, float beta) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F), c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F), c71 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++, ao += MR, bo += bStep) {
            FloatVector b0 = FloatVector.fromArray(F, bp, bo);
            FloatVector b1 = FloatVector.fromArray(F, bp, bo + 1 * L);
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
        // written out rather than through a helper taking a FloatVector: a call C2 does not inline would box
        if (first && beta == 0f) {
            c00.intoArray(c, co);
            c01.intoArray(c, co + L);
            c10.intoArray(c, co + ldc);
            c11.intoArray(c, co + ldc + L);
            c20.intoArray(c, co + 2 * ldc);
            c21.intoArray(c, co + 2 * ldc + L);
            c30.intoArray(c, co + 3 * ldc);
            c31.intoArray(c, co + 3 * ldc + L);
            c40.intoArray(c, co + 4 * ldc);
            c41.intoArray(c, co + 4 * ldc + L);
            c50.intoArray(c, co + 5 * ldc);
            c51.intoArray(c, co + 5 * ldc + L);
            c60.intoArray(c, co + 6 * ldc);
            c61.intoArray(c, co + 6 * ldc + L);
            c70.intoArray(c, co + 7 * ldc);
            c71.intoArray(c, co + 7 * ldc + L);
        } else {
            // later depth blocks add (scale 1, exact); the first applies beta
            float scale = first ? beta : 1f;
            FloatVector.fromArray(F, c, co).mul(scale).add(c00).intoArray(c, co);
            FloatVector.fromArray(F, c, co + L).mul(scale).add(c01).intoArray(c, co + L);
            FloatVector.fromArray(F, c, co + ldc).mul(scale).add(c10).intoArray(c, co + ldc);
            FloatVector.fromArray(F, c, co + ldc + L).mul(scale).add(c11).intoArray(c, co + ldc + L);
            FloatVector.fromArray(F, c, co + 2 * ldc).mul(scale).add(c20).intoArray(c, co + 2 * ldc);
            FloatVector.fromArray(F, c, co + 2 * ldc + L).mul(scale).add(c21).intoArray(c, co + 2 * ldc + L);
            FloatVector.fromArray(F, c, co + 3 * ldc).mul(scale).add(c30).intoArray(c, co + 3 * ldc);
            FloatVector.fromArray(F, c, co + 3 * ldc + L).mul(scale).add(c31).intoArray(c, co + 3 * ldc + L);
            FloatVector.fromArray(F, c, co + 4 * ldc).mul(scale).add(c40).intoArray(c, co + 4 * ldc);
            FloatVector.fromArray(F, c, co + 4 * ldc + L).mul(scale).add(c41).intoArray(c, co + 4 * ldc + L);
            FloatVector.fromArray(F, c, co + 5 * ldc).mul(scale).add(c50).intoArray(c, co + 5 * ldc);
            FloatVector.fromArray(F, c, co + 5 * ldc + L).mul(scale).add(c51).intoArray(c, co + 5 * ldc + L);
            FloatVector.fromArray(F, c, co + 6 * ldc).mul(scale).add(c60).intoArray(c, co + 6 * ldc);
            FloatVector.fromArray(F, c, co + 6 * ldc + L).mul(scale).add(c61).intoArray(c, co + 6 * ldc + L);
            FloatVector.fromArray(F, c, co + 7 * ldc).mul(scale).add(c70).intoArray(c, co + 7 * ldc);
            FloatVector.fromArray(F, c, co + 7 * ldc + L).mul(scale).add(c71).intoArray(c, co + 7 * ldc + L);
        }
    }
}
