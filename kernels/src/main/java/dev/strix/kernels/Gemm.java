package dev.strix.kernels;

/**
 * Single-precision matrix product C = alpha * op(A) * op(B) + beta * C on row-major float arrays.
 *
 * <p>Legend: op(A) is m x k, op(B) is k x n, C is m x n. A is stored as m x k ({@code transA == false}) or
 * as k x m ({@code transA == true}, op(A) = A^T), each stored row lda floats apart; B likewise (k x n or
 * n x k, stride ldb); C is m x n with row stride ldc. Offsets say where element (0, 0) of each stored
 * matrix lies.
 *
 * <p>With SIMD on, A * B^T with a long depth and a small C takes the unpacked dot-product path of
 * {@link GemmDot}; everything else runs through {@link GemmBlocked}: panels of A and B are packed into
 * thread-local buffers and an {@code MR x NR} register-blocked FMA kernel sweeps them; large products are
 * split into column (or row) bands, one per worker of {@link Parallel}. With SIMD off a plain blocked
 * scalar loop runs instead. {@code beta == 0} overwrites C without reading it (NaN in C is ignored).
 */
public final class Gemm {
    /** Below this many multiply-adds a product runs on the calling thread. */
    static final long PARALLEL_MIN_FLOPS = 1L << 18;

    private Gemm() {}

    /**
     * C = alpha * op(A) * op(B) + beta * C.
     *
     * @param transA use A^T: A is stored k x m instead of m x k
     * @param transB use B^T: B is stored n x k instead of k x n
     * @param m      rows of op(A) and C
     * @param n      columns of op(B) and C
     * @param k      columns of op(A), rows of op(B)
     * @param a      A, (transA ? k x m : m x k) from aOff, row stride lda
     * @param b      B, (transB ? n x k : k x n) from bOff, row stride ldb
     * @param c      C, m x n from cOff, row stride ldc; read only when beta != 0, then overwritten
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        checkArguments(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        if (!Simd.ENABLED) {
            scalar(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        int threads = Parallel.threads();
        long flops = (long) m * n * k;
        if (!transA && transB && GemmDot.suits(m, n, k)) {
            int quads = (m + 3) / 4, bands = flops < PARALLEL_MIN_FLOPS ? 1 : Math.min(threads, quads);
            if (bands <= 1) {
                GemmDot.run(0, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            } else {
                Parallel.forEachChunk(bands, band -> {
                    int i0 = (int) ((long) quads * band / bands) * 4;
                    int i1 = Math.min(m, (int) ((long) quads * (band + 1) / bands) * 4);
                    GemmDot.run(i0, i1, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
                });
            }
            return;
        }
        if (threads == 1 || flops < PARALLEL_MIN_FLOPS) {
            GemmBlocked.run(transA, transB, 0, m, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        int nr = GemmBlocked.NR, mr = GemmBlocked.MR;
        int colTiles = (n + nr - 1) / nr, rowTiles = (m + mr - 1) / mr;
        // column bands keep each worker's packed B block in its own L2; rows only when columns are too few
        boolean byColumns = colTiles >= 4 * threads || colTiles >= rowTiles;
        int tiles = byColumns ? colTiles : rowTiles;
        int bands = Math.min(threads, tiles);
        if (bands <= 1) {
            GemmBlocked.run(transA, transB, 0, m, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        Parallel.forEachChunk(bands, band -> {
            int t0 = (int) ((long) tiles * band / bands), t1 = (int) ((long) tiles * (band + 1) / bands);
            if (byColumns) {
                int j0 = t0 * nr, j1 = Math.min(n, t1 * nr);
                GemmBlocked.run(transA, transB, 0, m, j0, j1, k, alpha, a, aOff, lda, b, bOff, ldb,
                        beta, c, cOff, ldc);
            } else {
                int i0 = t0 * mr, i1 = Math.min(m, t1 * mr);
                GemmBlocked.run(transA, transB, i0, i1, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                        beta, c, cOff, ldc);
            }
        });
    }

    /** C = beta * C over an m x n block (beta == 0 writes zeros). */
    static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else {
                for (int j = 0; j < n; j++) c[row + j] *= beta;
            }
        }
    }

    /** Scalar path (SIMD off): C = beta*C, then rows of C gather alpha*a(i,p) * row p of op(B). */
    private static void scalar(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float beta, float[] c, int cOff, int ldc) {
        scale(m, n, beta, c, cOff, ldc);
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int p = 0; p < k; p++) {
                float av = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
                if (transB) {
                    for (int j = 0; j < n; j++) c[row + j] += av * b[bOff + j * ldb + p];
                } else {
                    int brow = bOff + p * ldb;
                    for (int j = 0; j < n; j++) c[row + j] += av * b[brow + j];
                }
            }
        }
    }

    /** Validates sizes, strides and that every addressed element lies inside its array. */
    static void checkArguments(boolean transA, boolean transB, int m, int n, int k,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0)
            throw new IllegalArgumentException("sgemm sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        checkMatrix("C", c, cOff, ldc, m, n);
    }

    private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) return;
        if (x == null) throw new IllegalArgumentException("sgemm: " + name + " is null");
        if (ld < cols)
            throw new IllegalArgumentException("sgemm: ld" + name.toLowerCase() + "=" + ld + " is smaller than the "
                    + cols + " columns of stored " + name);
        long end = off + (long) (rows - 1) * ld + cols;
        if (off < 0 || end > x.length)
            throw new IllegalArgumentException("sgemm: stored " + name + " (" + rows + " x " + cols + ", offset " + off
                    + ", stride " + ld + ") needs " + end + " floats but the array has " + x.length);
    }
}
