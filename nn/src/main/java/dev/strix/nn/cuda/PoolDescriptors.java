package dev.strix.nn.cuda;

import dev.strix.cuda.Cudnn;
import dev.strix.kernels.PoolShape;

/**
 * The numbers a pooling op hands to cuDNN, computed without touching the GPU.
 *
 * <p>cuDNN has no ceil mode: its output size is always floor((in + 2 pad - k) / stride) + 1. A
 * {@link PoolShape} with {@code ceilMode} is accepted when its output size is the same as in floor mode (then
 * no window reaches past the padded input and both modes compute the same thing) and refused otherwise with
 * an {@link UnsupportedOperationException}. In floor mode no window extends past the padding either, so
 * cuDNN's include-padding divisor (always kernelH * kernelW) matches PyTorch's.
 *
 * @param mode   {@code cudnnPoolingMode_t}
 * @param window {kernelH, kernelW}
 * @param pad    {padH, padW}
 * @param stride {strideH, strideW}
 * @param input  x (N, C, H, W)
 * @param output y (N, C, P, Q)
 */
public record PoolDescriptors(int mode, int[] window, int[] pad, int[] stride, int[] input, int[] output) {

    /** Which pooling. */
    public enum Kind {
        /** Max pooling; the gradient goes to one maximum ({@code CUDNN_POOLING_MAX_DETERMINISTIC}). */
        MAX,
        /** Average counting padded cells in the divisor. */
        AVG_INCLUDE_PAD,
        /** Average over the cells inside the input only. */
        AVG_EXCLUDE_PAD
    }

    /**
     * The descriptors for {@code s}.
     *
     * @throws UnsupportedOperationException when {@code s.ceilMode()} changes the output size
     */
    public static PoolDescriptors plan(PoolShape s, Kind kind) {
        int outH = floorOutput(s.inH(), s.kernelH(), s.strideH(), s.padH());
        int outW = floorOutput(s.inW(), s.kernelW(), s.strideW(), s.padW());
        if (outH != s.outH() || outW != s.outW())
            throw new UnsupportedOperationException("pooling with ceil_mode=true is not supported on CUDA (cuDNN has no"
                    + " ceil mode): input " + s.inH() + "x" + s.inW() + ", kernel " + s.kernelH() + "x" + s.kernelW()
                    + ", stride " + s.strideH() + "x" + s.strideW() + ", pad " + s.padH() + "x" + s.padW()
                    + " gives " + s.outH() + "x" + s.outW() + " with ceil mode but " + outH + "x" + outW
                    + " without; use ceil_mode=false or pad the input");
        int mode = switch (kind) {
            case MAX -> Cudnn.CUDNN_POOLING_MAX_DETERMINISTIC;
            case AVG_INCLUDE_PAD -> Cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
            case AVG_EXCLUDE_PAD -> Cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
        };
        return new PoolDescriptors(mode, new int[] {s.kernelH(), s.kernelW()}, new int[] {s.padH(), s.padW()},
                new int[] {s.strideH(), s.strideW()}, new int[] {s.batch(), s.channels(), s.inH(), s.inW()},
                new int[] {s.batch(), s.channels(), outH, outW});
    }

    /** The average kind for PyTorch's {@code count_include_pad}. */
    public static Kind average(boolean countIncludePad) {
        return countIncludePad ? Kind.AVG_INCLUDE_PAD : Kind.AVG_EXCLUDE_PAD;
    }

    /** cuDNN's pooling output size: 1 + (in + 2 pad - k) / stride. */
    static int floorOutput(int in, int k, int stride, int pad) {
        return 1 + (in + 2 * pad - k) / stride;
    }
}
