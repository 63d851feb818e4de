package dev.strix.nn.cuda;

import dev.strix.kernels.ConvShape;

/**
 * The numbers a convolution hands to cuDNN, computed without touching the GPU so that they can be tested
 * anywhere. Tensors are NCHW float32, filters KCRS ({@code CUDNN_TENSOR_NCHW}), the mode is cross-correlation
 * (what PyTorch calls convolution).
 *
 * @param input       x (N, C, H, W) for {@code cudnnSetTensor4dDescriptor}
 * @param filter      w (K, C/groups, R, S) for {@code cudnnSetFilter4dDescriptor}
 * @param output      y (N, K, P, Q)
 * @param bias        the bias as a broadcastable tensor (1, K, 1, 1)
 * @param convolution {padH, padW, strideH, strideW, dilationH, dilationW} for
 *                    {@code cudnnSetConvolution2dDescriptor}
 * @param groups      for {@code cudnnSetConvolutionGroupCount}
 */
public record ConvDescriptors(int[] input, int[] filter, int[] output, int[] bias, int[] convolution, int groups) {

    /** The descriptors of {@code s}; the output size follows cuDNN's (and PyTorch's) floor rule. */
    public static ConvDescriptors plan(ConvShape s) {
        int outH = outputSize(s.inH(), s.kernelH(), s.strideH(), s.padH(), s.dilationH());
        int outW = outputSize(s.inW(), s.kernelW(), s.strideW(), s.padW(), s.dilationW());
        return new ConvDescriptors(
                new int[] {s.batch(), s.inChannels(), s.inH(), s.inW()},
                new int[] {s.outChannels(), s.inChannelsPerGroup(), s.kernelH(), s.kernelW()},
                new int[] {s.batch(), s.outChannels(), outH, outW},
                new int[] {1, s.outChannels(), 1, 1},
                new int[] {s.padH(), s.padW(), s.strideH(), s.strideW(), s.dilationH(), s.dilationW()},
                s.groups());
    }

    /** cuDNN's output-size formula: 1 + (in + 2 pad - ((k - 1) dilation + 1)) / stride. */
    static int outputSize(int in, int k, int stride, int pad, int dilation) {
        return 1 + (in + 2 * pad - ((k - 1) * dilation + 1)) / stride;
    }
}
