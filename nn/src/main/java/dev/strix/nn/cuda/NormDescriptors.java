package dev.strix.nn.cuda;

import java.util.Arrays;

/**
 * Batch-norm geometry for cuDNN: any (N, C, d2, d3, ...) tensor is normalised per channel over N and the
 * trailing dimensions, so it is described to cuDNN as the 4-D NCHW tensor (N, C, d2*d3*..., 1) with
 * {@code CUDNN_BATCHNORM_SPATIAL}; the per-channel tensors are (1, C, 1, 1).
 */
public final class NormDescriptors {
    private NormDescriptors() {}

    /** (N, C, HW, 1) for an input of {@code shape} (rank >= 2). */
    public static int[] input(int[] shape) {
        if (shape.length < 2)
            throw new IllegalArgumentException("batch norm needs (N, C, ...) input, got " + Arrays.toString(shape));
        long hw = 1;
        for (int i = 2; i < shape.length; i++) hw *= shape[i];
        return new int[] {shape[0], shape[1], Math.toIntExact(hw), 1};
    }

    /** (1, C, 1, 1) for the scale, bias, mean and variance of an input of {@code shape}. */
    public static int[] perChannel(int[] shape) {
        return new int[] {1, input(shape)[1], 1, 1};
    }
}
