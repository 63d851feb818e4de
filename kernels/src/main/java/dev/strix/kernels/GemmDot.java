package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The dot-product path of {@link Gemm} for C = alpha * A * B^T when both operands run along the depth:
 * A is m x k (row stride lda), B is stored n x k (row stride ldb), C is m x n (row stride ldc).
 *
 * <p>Without packing, it pays off when m and n are small and k is long (filter gradients of convolutions:
 * Kg x D outputs summed over thousands of pixels). A 4 x 4 block of C is 16 vector accumulators fed by 4
 * rows of A and 4 rows of B over one depth chunk of {@link #KB} (kept in L1), then reduced across lanes.
 * The first depth chunk applies beta (beta == 0 does not read C); later chunks add.
 */
final class GemmDot {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.F.length();
    /** Depth chunk: 4 rows of A over KB floats stay in L1 while the rows of B stream past. */
    static final int KB = 1024;

    private GemmDot() {}

    /**
     * Whether this path beats packing for an m x n x k product: packing costs (m + n) * k copies, which only
     * pays off when C is large or the depth short (measured crossover on AVX-512: k around 256 to 512).
     */
    static boolean suits(int m, int n, int k) {
        return k >= 512 || k >= 128 && (long) m * n <= 8192;
    }

    /** Computes rows [i0, i1) of C (all n columns) = alpha A B^T + beta C. */
    static void run(int i0, int i1, int n, int k, float alpha, float[] a, int aOff, int lda,
                    float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        float[] red = new float[16];
        for (int p0 = 0; p0 < k; p0 += KB) {
            int kb = Math.min(KB, k - p0);
            boolean first = p0 == 0;
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                int j = 0;
                for (; j + 4 <= n; j += 4) block4x4(a, aOff + i * lda + p0, lda, b, bOff + j * ldb + p0, ldb, kb,
                        alpha, first, beta, c, cOff + i * ldc + j, ldc, red);
                for (; j < n; j++) {
                    for (int r = 0; r < 4; r++) {
                        float d = dot(a, aOff + (i + r) * lda + p0, b, bOff + j * ldb + p0, kb);
                        put(c, cOff + (i + r) * ldc + j, alpha * d, first, beta);
                    }
                }
            }
            for (; i < i1; i++) {
                for (int j = 0; j < n; j++) {
                    float d = dot(a, aOff + i * lda + p0, b, bOff + j * ldb + p0, kb);
                    put(c, cOff + i * ldc + j, alpha * d, first, beta);
                }
            }
        }
    }

    /** Takes one accumulator's lane sum (reduced by the caller: passing the vector itself could box it), adds the scalar tail of the dot product [p, kb) and stores it into C. */
    private static void finish(float lanes, float[] a, int ao, float[] b, int bo, int p, int kb, float alpha,
                               boolean first, float beta, float[] c, int at) {
        float s = lanes;
        for (int q = p; q < kb; q++) s += a[ao + q] * b[bo + q];
        put(c, at, alpha * s, first, beta);
    }

    private static void put(float[] c, int at, float v, boolean first, float beta) {
        if (!first) c[at] += v;
        else c[at] = beta == 0f ? v : v + beta * c[at];
    }

    /** Dot product of x[xo ..] and y[yo ..] over kb floats. */
    private static float dot(float[] x, int xo, float[] y, int yo, int kb) {
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F);
        int p = 0;
        for (; p + 2 * L <= kb; p += 2 * L) {
            s0 = FloatVector.fromArray(F, x, xo + p).fma(FloatVector.fromArray(F, y, yo + p), s0);
            s1 = FloatVector.fromArray(F, x, xo + p + L).fma(FloatVector.fromArray(F, y, yo + p + L), s1);
        }
        float s = Simd.sum(s0.add(s1));
        for (; p < kb; p++) s += x[xo + p] * y[yo + p];
        return s;
    }

    /** C[4 x 4 at co] (+)= alpha * A rows (4 at ao) . B rows (4 at bo) over kb floats; red: 16 floats of scratch. */
    private static void block4x4(float[] a, int ao, int lda, float[] b, int bo, int ldb, int kb,
                                 float alpha, boolean first, float beta, float[] c, int co, int ldc, float[] red) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int a1 = ao + lda, a2 = a1 + lda, a3 = a2 + lda, b1 = bo + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        int p = 0;
        for (int bound = kb - L; p <= bound; p += L) {
            FloatVector x0 = FloatVector.fromArray(F, a, ao + p), x1 = FloatVector.fromArray(F, a, a1 + p);
            FloatVector x2 = FloatVector.fromArray(F, a, a2 + p), x3 = FloatVector.fromArray(F, a, a3 + p);
            FloatVector y = FloatVector.fromArray(F, b, bo + p);
            c00 = x0.fma(y, c00); c10 = x1.fma(y, c10); c20 = x2.fma(y, c20); c30 = x3.fma(y, c30);
            y = FloatVector.fromArray(F, b, b1 + p);
            c01 = x0.fma(y, c01); c11 = x1.fma(y, c11); c21 = x2.fma(y, c21); c31 = x3.fma(y, c31);
            y = FloatVector.fromArray(F, b, b2 + p);
            c02 = x0.fma(y, c02); c12 = x1.fma(y, c12); c22 = x2.fma(y, c22); c32 = x3.fma(y, c32);
            y = FloatVector.fromArray(F, b, b3 + p);
            c03 = x0.fma(y, c03); c13 = x1.fma(y, c13); c23 = x2.fma(y, c23); c33 = x3.fma(y, c33);
        }
        // the 16 lane sums by ConvImplicit.dot4x4's transposing tree: the same bits as Simd.sum of each
        // accumulator, for a quarter of the shuffles; red[t] is accumulator (SUM_ROW[t], SUM_COL[t])
        VectorMask<Float> m1 = ConvImplicit.M1, m2 = ConvImplicit.M2, m3 = ConvImplicit.M3, m4 = ConvImplicit.M4;
        VectorShuffle<Float> s1 = ConvImplicit.S1, s2 = ConvImplicit.S2, s3 = ConvImplicit.S3, s4 = ConvImplicit.S4;
        FloatVector v0 = c00.blend(c01, m1).add(c01.blend(c00, m1).rearrange(s1));
        FloatVector v1 = c02.blend(c03, m1).add(c03.blend(c02, m1).rearrange(s1));
        FloatVector v2 = c10.blend(c11, m1).add(c11.blend(c10, m1).rearrange(s1));
        FloatVector v3 = c12.blend(c13, m1).add(c13.blend(c12, m1).rearrange(s1));
        FloatVector v4 = c20.blend(c21, m1).add(c21.blend(c20, m1).rearrange(s1));
        FloatVector v5 = c22.blend(c23, m1).add(c23.blend(c22, m1).rearrange(s1));
        FloatVector v6 = c30.blend(c31, m1).add(c31.blend(c30, m1).rearrange(s1));
        FloatVector v7 = c32.blend(c33, m1).add(c33.blend(c32, m1).rearrange(s1));
        FloatVector w0 = v0.blend(v1, m2).add(v1.blend(v0, m2).rearrange(s2));
        FloatVector w1 = v2.blend(v3, m2).add(v3.blend(v2, m2).rearrange(s2));
        FloatVector w2 = v4.blend(v5, m2).add(v5.blend(v4, m2).rearrange(s2));
        FloatVector w3 = v6.blend(v7, m2).add(v7.blend(v6, m2).rearrange(s2));
        if (L >= 8) {
            FloatVector x0 = w0.blend(w1, m3).add(w1.blend(w0, m3).rearrange(s3));
            FloatVector x1 = w2.blend(w3, m3).add(w3.blend(w2, m3).rearrange(s3));
            if (L >= 16) {
                x0.blend(x1, m4).add(x1.blend(x0, m4).rearrange(s4)).intoArray(red, 0);
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
        for (int t = 0; t < 16; t++) {
            int r = ConvImplicit.SUM_ROW[t], q = ConvImplicit.SUM_COL[t];
            finish(red[t], a, ao + r * lda, b, bo + q * ldb, p, kb, alpha, first, beta, c, co + r * ldc + q);
        }
    }
}
