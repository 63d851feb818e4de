// Elementwise kernels: fill, unary and binary operators, broadcasting, scalar ops, axpy, clamp, strided copy.
//
// Legend: n = element count; out, x, a, b, y, dx, dy: (n) contiguous unless stated. out may be the same buffer
// as an input (element i is read before it is written). Operator codes are the ordinals of
// dev.strix.kernels.Elementwise.Unary {NEG, EXP, LOG, SQRT, ABS, SQUARE, RECIPROCAL, SIGN, ATAN} and
// Elementwise.Binary {ADD, SUB, MUL, DIV, MAX, MIN}; MAX/MIN follow Java's Math.max/min (NaN propagates).
// Broadcast: out is contiguous with shape[0, rank); aStrides/bStrides are element strides of a and b viewed
// with that shape (0 on broadcast dimensions). Strided copy: dst and src are addressed as
// base + offset + sum(index[d] * strides[d]) over shape[0, rank).
#pragma once
#include "common.cuh"

__device__ __forceinline__ float unary_op(int op, float v) {
    switch (op) {
        case 0: return -v;
        case 1: return expf(v);
        case 2: return logf(v);
        case 3: return sqrtf(v);
        case 4: return fabsf(v);
        case 5: return v * v;
        case 6: return 1.0f / v;
        case 7: return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : v);
        default: return atanf(v);
    }
}

__device__ __forceinline__ float binary_op(int op, float a, float b) {
    switch (op) {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        case 3: return a / b;
        case 4: return java_max(a, b);
        default: return java_min(a, b);
    }
}

// out[i] = value. out: (n).
extern "C" __global__ void fill_kernel1(float* out, float value, long long n) {
    GRID_STRIDE(i, n) out[i] = value;
}

// out[i] = op(x[i]). out, x: (n).
extern "C" __global__ void unary_kernel1(float* out, const float* x, long long n, int op) {
    GRID_STRIDE(i, n) out[i] = unary_op(op, x[i]);
}

// out[i] = op(a[i], b[i]). out, a, b: (n).
extern "C" __global__ void binary_kernel1(float* out, const float* a, const float* b, long long n, int op) {
    GRID_STRIDE(i, n) out[i] = binary_op(op, a[i], b[i]);
}

// out[i] = op(a[offset_a(i)], b[offset_b(i)]). out: shape (n = product of shape); a, b: strided views.
extern "C" __global__ void binary_broadcast_kernel1(float* out, const float* a, const float* b, long long n, int op,
                                                   int rank, Dims8 shape, Dims8 aStrides, Dims8 bStrides) {
    GRID_STRIDE(i, n) {
        long long flat = i, ao = 0, bo = 0;
        for (int d = rank - 1; d >= 0; d--) {
            int size = shape.v[d];
            long long q = flat / size, idx = flat - q * size;
            ao += idx * aStrides.v[d];
            bo += idx * bStrides.v[d];
            flat = q;
        }
        out[i] = binary_op(op, a[ao], b[bo]);
    }
}

// out[i] = x[i] * alpha. out, x: (n).
extern "C" __global__ void scale_kernel1(float* out, const float* x, float alpha, long long n) {
    GRID_STRIDE(i, n) out[i] = x[i] * alpha;
}

// out[i] = x[i] + alpha. out, x: (n).
extern "C" __global__ void add_scalar_kernel1(float* out, const float* x, float alpha, long long n) {
    GRID_STRIDE(i, n) out[i] = x[i] + alpha;
}

// y[i] = fma(x[i], alpha, y[i]). y, x: (n).
extern "C" __global__ void axpy_kernel1(float* y, float alpha, const float* x, long long n) {
    GRID_STRIDE(i, n) y[i] = fmaf(x[i], alpha, y[i]);
}

// out[i] = min(max(x[i], lo), hi) with Java's NaN rules. out, x: (n).
extern "C" __global__ void clamp_kernel1(float* out, const float* x, float lo, float hi, long long n) {
    GRID_STRIDE(i, n) out[i] = java_min(java_max(x[i], lo), hi);
}

// dx[i] = lo <= x[i] <= hi ? dy[i] : 0. dx, dy, x: (n).
extern "C" __global__ void clamp_backward_kernel1(float* dx, const float* dy, const float* x, float lo, float hi,
                                                 long long n) {
    GRID_STRIDE(i, n) {
        float v = x[i];
        dx[i] = (v >= lo && v <= hi) ? dy[i] : 0.0f;
    }
}

// dst[dstOffset + sum(idx * dstStrides)] = src[srcOffset + sum(idx * srcStrides)] for every idx in shape.
// n = product of shape[0, rank).
extern "C" __global__ void strided_copy_kernel1(float* dst, long long dstOffset, Dims8 dstStrides, const float* src,
                                               long long srcOffset, Dims8 srcStrides, int rank, Dims8 shape,
                                               long long n) {
    GRID_STRIDE(i, n) {
        long long flat = i, so = srcOffset, d0 = dstOffset;
        for (int d = rank - 1; d >= 0; d--) {
            int size = shape.v[d];
            long long q = flat / size, idx = flat - q * size;
            so += idx * srcStrides.v[d];
            d0 += idx * dstStrides.v[d];
            flat = q;
        }
        dst[d0] = src[so];
    }
}
