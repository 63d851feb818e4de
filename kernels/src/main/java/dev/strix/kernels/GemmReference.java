package dev.strix.kernels;

/**
 * Scalar twin of {@link Gemm}: the plain triple loop, accumulating each dot product in double.
 *
 * <p>Legend (row-major, as in {@link Gemm}): op(A) is m x k, op(B) is k x n, C is m x n; A is stored as
 * m x k ({@code transA == false}) or k x m ({@code transA == true}) with row stride lda, likewise B as
 * k x n or n x k with row stride ldb, C as m x n with row stride ldc.
 */
public final class GemmReference {
    private GemmReference() {}

    /**
     * C = alpha * op(A) * op(B) + beta * C; with beta == 0 the old contents of C are ignored.
     *
     * @param a A, stored (transA ? k x m : m x k) from aOff with row stride lda
     * @param b B, stored (transB ? n x k : k x n) from bOff with row stride ldb
     * @param c C, m x n from cOff with row stride ldc; overwritten
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        Gemm.checkArguments(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += (double) av * bv;
                }
                int ci = cOff + i * ldc + j;
                double old = beta == 0f ? 0.0 : (double) beta * c[ci];
                c[ci] = (float) (alpha * sum + old);
            }
        }
    }
}
