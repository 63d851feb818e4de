package dev.strix.nn.cuda;

import dev.strix.cuda.Cublas;

/**
 * A row-major GEMM rewritten as the column-major {@code cublasSgemm} call that computes it.
 *
 * <p>Row-major C (m x n) = op(A) (m x k) op(B) (k x n) is, read column-major, C^T (n x m) =
 * op(B)^T (n x k) op(A)^T (k x m). A row-major matrix with leading dimension ld is the column-major
 * transpose with the same ld, so the call swaps the operands and the sizes and keeps every flag and
 * leading dimension: {@code sgemm(opB, opA, n, m, k, alpha, B, ldb, A, lda, beta, C, ldc)}. Element offsets
 * become byte offsets (4 bytes per float) added to the device addresses.
 *
 * @param transFirst   {@code cublasOperation_t} of the first operand (B)
 * @param transSecond  {@code cublasOperation_t} of the second operand (A)
 * @param rows         column-major m of the call (= n)
 * @param cols         column-major n of the call (= m)
 * @param inner        k
 * @param firstOffset  byte offset into B
 * @param ldFirst      ldb
 * @param secondOffset byte offset into A
 * @param ldSecond     lda
 * @param outOffset    byte offset into C
 * @param ldOut        ldc
 */
public record GemmPlan(int transFirst, int transSecond, int rows, int cols, int inner, long firstOffset, int ldFirst,
                       long secondOffset, int ldSecond, long outOffset, int ldOut) {

    /** The column-major call for the row-major product described by the {@code Device.gemm} arguments. */
    public static GemmPlan rowMajor(boolean transA, boolean transB, int m, int n, int k, int aOffset, int lda,
                                    int bOffset, int ldb, int cOffset, int ldc) {
        return new GemmPlan(transB ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N,
                transA ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N, n, m, k, 4L * bOffset, ldb, 4L * aOffset, lda,
                4L * cOffset, ldc);
    }
}
