// Softmax and log-softmax over the middle axis of an (outer, dim, inner) view, with their backwards
// (the formulas of dev.strix.kernels.Softmax).
//
// Legend: y, x, dx, dy: (outer, dim, inner) contiguous; element (o, d, i) sits at (o * dim + d) * inner + i.
// log != 0 selects log-softmax. y may be x and dx may be dy. Row kernels (inner == 1): one block per row of
// dim elements (rows = outer), grid-stride over rows. Column kernels (inner > 1): one thread per (o, i),
// walking d in order. Forward: m = max (0 when every value is -inf), e = exp(x - m), s = sum e;
// softmax y = e * (1 / s), log-softmax y = (x - m) - log(s). Backward: softmax dx = y * (dy - sum(dy * y)),
// log-softmax dx = dy - exp(y) * sum(dy).
#pragma once
#include "common.cuh"

extern "C" __global__ void softmax_row_kernel1(float* y, const float* x, int rows, int dim, int log) {
    __shared__ float fscratch[32];
    __shared__ double dscratch[32];
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + (long long)r * dim;
        float* yr = y + (long long)r * dim;
        float m = -INFINITY;
        for (int d = threadIdx.x; d < dim; d += blockDim.x) m = java_max(m, xr[d]);
        m = block_max(m, fscratch);
        if (m == -INFINITY) m = 0.0f;
        double s = 0.0;
        for (int d = threadIdx.x; d < dim; d += blockDim.x) {
            float e = expf(xr[d] - m);
            s += e;
            if (!log) yr[d] = e;
        }
        float sum = (float)block_sum(s, dscratch);
        if (log) {
            float logSum = logf(sum);
            for (int d = threadIdx.x; d < dim; d += blockDim.x) yr[d] = (xr[d] - m) - logSum;
        } else {
            float inv = 1.0f / sum;
            for (int d = threadIdx.x; d < dim; d += blockDim.x) yr[d] = yr[d] * inv;
        }
    }
}

extern "C" __global__ void softmax_col_kernel1(float* y, const float* x, int outer, int dim, int inner, int log) {
    GRID_STRIDE(t, (long long)outer * inner) {
        long long o = t / inner, i = t - o * inner;
        long long base = o * dim * inner + i;
        float m = -INFINITY;
        for (int d = 0; d < dim; d++) m = java_max(m, x[base + (long long)d * inner]);
        if (m == -INFINITY) m = 0.0f;
        double s = 0.0;
        for (int d = 0; d < dim; d++) {
            long long k = base + (long long)d * inner;
            float e = expf(x[k] - m);
            s += e;
            if (!log) y[k] = e;
        }
        float sum = (float)s;
        if (log) {
            float logSum = logf(sum);
            for (int d = 0; d < dim; d++) {
                long long k = base + (long long)d * inner;
                y[k] = (x[k] - m) - logSum;
            }
        } else {
            float inv = 1.0f / sum;
            for (int d = 0; d < dim; d++) y[base + (long long)d * inner] *= inv;
        }
    }
}

extern "C" __global__ void softmax_backward_row_kernel1(float* dx, const float* dy, const float* y, int rows, int dim,
                                                       int log) {
    __shared__ double scratch[32];
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        long long off = (long long)r * dim;
        double s = 0.0;
        for (int d = threadIdx.x; d < dim; d += blockDim.x)
            s += log ? (double)dy[off + d] : (double)dy[off + d] * y[off + d];
        float sum = (float)block_sum(s, scratch);
        for (int d = threadIdx.x; d < dim; d += blockDim.x) {
            float g = dy[off + d], v = y[off + d];
            dx[off + d] = log ? g - expf(v) * sum : v * (g - sum);
        }
    }
}

extern "C" __global__ void softmax_backward_col_kernel1(float* dx, const float* dy, const float* y, int outer, int dim,
                                                       int inner, int log) {
    GRID_STRIDE(t, (long long)outer * inner) {
        long long o = t / inner, i = t - o * inner;
        long long base = o * dim * inner + i;
        double s = 0.0;
        for (int d = 0; d < dim; d++) {
            long long k = base + (long long)d * inner;
            s += log ? (double)dy[k] : (double)dy[k] * y[k];
        }
        float sum = (float)s;
        for (int d = 0; d < dim; d++) {
            long long k = base + (long long)d * inner;
            float g = dy[k], v = y[k];
            dx[k] = log ? g - expf(v) * sum : v * (g - sum);
        }
    }
}
