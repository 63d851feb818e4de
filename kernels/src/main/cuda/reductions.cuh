// Deterministic reductions: the sum (or sum of squares) of a whole buffer, and keep-dim sums over axes.
//
// Legend: n = element count; x: (n) contiguous. sum_all runs in two passes: pass 1 with a grid fixed by n
// (partials: one double per block), pass 2 one block adding the partials in order; out1 is one float.
// sum_to: x is viewed as kept dimensions keptShape[0, keptRank) (element strides keptStrides) times reduced
// dimensions redShape[0, redRank) (strides redStrides), adjacent equal-flag dimensions merged by the launcher;
// out: (outCount) = the kept dimensions, contiguous (x's shape with the reduced dimensions set to 1), redCount
// = product of redShape. Every sum accumulates in double and is rounded to float once.
#pragma once
#include "common.cuh"

// partials[block] = sum over the block's grid-stride share of x[i] (or x[i]^2). x: (n); partials: (gridDim.x).
extern "C" __global__ void sum_all_partial_kernel1(double* partials, const float* x, long long n, int squares) {
    __shared__ double scratch[32];
    double acc = 0.0;
    GRID_STRIDE(i, n) {
        float v = x[i];
        acc += squares ? (double)v * v : (double)v;
    }
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) partials[blockIdx.x] = acc;
}

// out1[0] = sum of partials[0, count), in a fixed order. One block.
extern "C" __global__ void sum_all_final_kernel1(float* out1, const double* partials, int count) {
    __shared__ double scratch[32];
    double acc = 0.0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) acc += partials[i];
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) out1[0] = (float)acc;
}

// One thread per output: out[o] = sum over r of x[kept(o) + reduced(r)]. For many outputs whose kept
// dimensions are innermost (neighbouring threads read neighbouring elements).
extern "C" __global__ void sum_to_thread_kernel1(float* out, const float* x, int outCount, int keptRank,
                                                Dims8 keptShape, Dims8 keptStrides, int redRank, Dims8 redShape,
                                                Dims8 redStrides, long long redCount) {
    GRID_STRIDE(o, (long long)outCount) {
        long long base = strided_offset(o, keptRank, keptShape, keptStrides);
        double acc = 0.0;
        for (long long r = 0; r < redCount; r++) acc += x[base + strided_offset(r, redRank, redShape, redStrides)];
        out[o] = (float)acc;
    }
}

// One block per output (grid-stride over outputs): the block's threads split the reduced range and add their
// parts in a fixed tree. For few outputs with long reductions.
extern "C" __global__ void sum_to_block_kernel1(float* out, const float* x, int outCount, int keptRank,
                                               Dims8 keptShape, Dims8 keptStrides, int redRank, Dims8 redShape,
                                               Dims8 redStrides, long long redCount) {
    __shared__ double scratch[32];
    for (int o = blockIdx.x; o < outCount; o += gridDim.x) {
        long long base = strided_offset(o, keptRank, keptShape, keptStrides);
        double acc = 0.0;
        for (long long r = threadIdx.x; r < redCount; r += blockDim.x)
            acc += x[base + strided_offset(r, redRank, redShape, redStrides)];
        acc = block_sum(acc, scratch);
        if (threadIdx.x == 0) out[o] = (float)acc;
    }
}
