package dev.strix.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strix.cuda.Cublas;
import dev.strix.cuda.Cudnn;
import dev.strix.kernels.ConvShape;
import dev.strix.kernels.GemmReference;
import dev.strix.kernels.PoolShape;
import dev.strix.nn.testing.Assertions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

/** What the CUDA device hands to cuDNN and cuBLAS, checked without a GPU. */
class CudaPlansTest {

    @Test
    void convolutionDescriptorsFollowTheShape() {
        ConvShape s = new ConvShape(2, 6, 13, 31, 9, 3, 5, 2, 3, 1, 2, 2, 1, 3);
        ConvDescriptors d = ConvDescriptors.plan(s);
        assertArrayEquals(new int[] {2, 6, 13, 31}, d.input());
        assertArrayEquals(new int[] {9, 2, 3, 5}, d.filter());
        assertArrayEquals(new int[] {2, 9, s.outH(), s.outW()}, d.output());
        assertArrayEquals(new int[] {1, 9, 1, 1}, d.bias());
        assertArrayEquals(new int[] {1, 2, 2, 3, 2, 1}, d.convolution());
        assertEquals(3, d.groups());
        // (13 + 2 - 2*2 - 1) / 2 + 1 = 6 and (31 + 4 - 5) / 3 + 1 = 11
        assertArrayEquals(new int[] {2, 9, 6, 11}, d.output());
    }

    @ParameterizedTest
    @CsvSource({"1,1,1,0,1,1", "7,3,1,1,1,1", "13,3,2,1,1,1", "31,5,3,2,2,2", "65,7,4,3,1,3", "8,1,8,0,1,1"})
    void convolutionOutputSizeMatchesTheCpuRule(int in, int k, int stride, int pad, int dilation, int groups) {
        ConvShape s = new ConvShape(1, 2 * groups, in, in + 1, 4 * groups, k, k, stride, stride, pad, pad, dilation,
                dilation, groups);
        int[] out = ConvDescriptors.plan(s).output();
        assertEquals(s.outH(), out[2]);
        assertEquals(s.outW(), out[3]);
    }

    @Test
    void poolingDescriptorsCarryTheWindowAndTheMode() {
        PoolShape s = new PoolShape(2, 3, 13, 7, 3, 2, 2, 1, 1, 1, false);
        PoolDescriptors max = PoolDescriptors.plan(s, PoolDescriptors.Kind.MAX);
        assertEquals(Cudnn.CUDNN_POOLING_MAX_DETERMINISTIC, max.mode());
        assertArrayEquals(new int[] {3, 2}, max.window());
        assertArrayEquals(new int[] {1, 1}, max.pad());
        assertArrayEquals(new int[] {2, 1}, max.stride());
        assertArrayEquals(new int[] {2, 3, 13, 7}, max.input());
        assertArrayEquals(new int[] {2, 3, s.outH(), s.outW()}, max.output());
        assertEquals(Cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING,
                PoolDescriptors.plan(s, PoolDescriptors.average(true)).mode());
        assertEquals(Cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING,
                PoolDescriptors.plan(s, PoolDescriptors.average(false)).mode());
    }

    @Test
    void ceilModeIsAcceptedWhenItDoesNotChangeTheOutputSize() {
        // (8 - 2) / 2 + 1 = 4 either way
        PoolShape same = new PoolShape(1, 1, 8, 8, 2, 2, 2, 2, 0, 0, true);
        assertArrayEquals(new int[] {1, 1, 4, 4}, PoolDescriptors.plan(same, PoolDescriptors.Kind.MAX).output());
    }

    @Test
    void ceilModeThatChangesTheOutputSizeIsRefusedWithAClearMessage() {
        // 7x7, kernel 2, stride 2: floor gives 3, ceil gives 4
        PoolShape s = new PoolShape(1, 4, 7, 7, 2, 2, 2, 2, 0, 0, true);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> PoolDescriptors.plan(s, PoolDescriptors.Kind.MAX));
        assertEquals("pooling with ceil_mode=true is not supported on CUDA (cuDNN has no ceil mode): input 7x7, "
                + "kernel 2x2, stride 2x2, pad 0x0 gives 4x4 with ceil mode but 3x3 without; use ceil_mode=false or "
                + "pad the input", e.getMessage());
    }

    @Test
    void batchNormFlattensTrailingDimensions() {
        assertArrayEquals(new int[] {4, 3, 35, 1}, NormDescriptors.input(new int[] {4, 3, 5, 7}));
        assertArrayEquals(new int[] {4, 3, 1, 1}, NormDescriptors.input(new int[] {4, 3}));
        assertArrayEquals(new int[] {2, 5, 24, 1}, NormDescriptors.input(new int[] {2, 5, 2, 3, 4}));
        assertArrayEquals(new int[] {1, 3, 1, 1}, NormDescriptors.perChannel(new int[] {4, 3, 5, 7}));
        assertThrows(IllegalArgumentException.class, () -> NormDescriptors.input(new int[] {5}));
    }

    @Test
    void mathModesFollowThePrecisionSwitch() {
        assertEquals(Cublas.CUBLAS_TF32_TENSOR_OP_MATH, MathModes.cublasMathMode(false));
        assertEquals(Cublas.CUBLAS_DEFAULT_MATH, MathModes.cublasMathMode(true));
        assertEquals(Cudnn.CUDNN_DEFAULT_MATH, MathModes.convolutionMathType(false));
        assertEquals(Cudnn.CUDNN_FMA_MATH, MathModes.convolutionMathType(true));
        assertTrue(MathModes.acceptsAlgorithm(Cudnn.CUDNN_TENSOR_OP_MATH, false));
        assertTrue(MathModes.acceptsAlgorithm(Cudnn.CUDNN_FMA_MATH, true));
        assertFalse(MathModes.acceptsAlgorithm(Cudnn.CUDNN_TENSOR_OP_MATH, true));
        assertFalse(MathModes.acceptsAlgorithm(Cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION, false));
        assertFalse(MathModes.acceptsAlgorithm(Cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION, true));
    }

    /**
     * Column-major SGEMM exactly as cuBLAS defines it: C = alpha op(A) op(B) + beta C with element (i, j) of a
     * matrix at {@code off + i + j * ld}.
     */
    private static void columnMajorSgemm(int opA, int opB, int m, int n, int k, float alpha, float[] a, long aOff,
                                         int lda, float[] b, long bOff, int ldb, float beta, float[] c, long cOff,
                                         int ldc) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float av = opA == Cublas.CUBLAS_OP_N ? a[(int) aOff + i + p * lda] : a[(int) aOff + p + i * lda];
                    float bv = opB == Cublas.CUBLAS_OP_N ? b[(int) bOff + p + j * ldb] : b[(int) bOff + j + p * ldb];
                    sum += (double) av * bv;
                }
                int ci = (int) cOff + i + j * ldc;
                c[ci] = (float) (alpha * sum + (beta == 0f ? 0.0 : (double) beta * c[ci]));
            }
    }

    @ParameterizedTest
    @CsvSource({"false,false,7,13,5", "true,false,1,31,7", "false,true,13,1,65", "true,true,31,7,13", "false,false,1,1,1"})
    void rowMajorGemmBecomesTheSwappedColumnMajorCall(boolean transA, boolean transB, int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(m * 1000L + n * 10L + k);
        int aOff = 3, bOff = 5, cOff = 2;
        int lda = (transA ? m : k) + 2, ldb = (transB ? k : n) + 1, ldc = n + 3;
        float[] a = random(r, aOff + (transA ? k : m) * lda);
        float[] b = random(r, bOff + (transB ? n : k) * ldb);
        float[] c0 = random(r, cOff + m * ldc);
        float[] expected = c0.clone(), actual = c0.clone();
        GemmReference.sgemm(transA, transB, m, n, k, 0.75f, a, aOff, lda, b, bOff, ldb, -0.5f, expected, cOff, ldc);
        GemmPlan p = GemmPlan.rowMajor(transA, transB, m, n, k, aOff, lda, bOff, ldb, cOff, ldc);
        // byte offsets become element offsets again for the host simulation; the first operand is B
        columnMajorSgemm(p.transFirst(), p.transSecond(), p.rows(), p.cols(), p.inner(), 0.75f, b,
                p.firstOffset() / 4, p.ldFirst(), a, p.secondOffset() / 4, p.ldSecond(), -0.5f, actual,
                p.outOffset() / 4, p.ldOut());
        // both sum in double and round once: identical up to the last float rounding
        Assertions.assertClose("gemm via the column-major call", expected, actual, 1e-6, 1e-6);
        assertEquals(4L * cOff, p.outOffset());
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }
}
