// Shared helpers of the Strix PTX kernels.
//
// Legend: n = element count (long long); every float* is a device address of contiguous float32 data unless a
// stride array says otherwise. Dims8 carries up to 8 sizes or element strides by value (unused entries are 0).
// Blocks are 1-D with a multiple of 32 threads (at most 1024); grids are 1-D and every elementwise kernel
// walks its range with a grid-stride loop, so any grid size is correct. Reductions never use atomics: each
// sum is taken in a fixed order that depends only on the sizes and the launch shape, so results repeat bit
// for bit.
#pragma once

#define STRIX_MAX_RANK 8

struct Dims8 {
    int v[STRIX_MAX_RANK];
};

__device__ __forceinline__ long long global_thread() {
    return (long long)blockIdx.x * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ long long grid_threads() {
    return (long long)gridDim.x * blockDim.x;
}

#define GRID_STRIDE(i, n) for (long long i = global_thread(); i < (n); i += grid_threads())

// Math.max(float, float) of Java: NaN propagates and +0 is larger than -0.
__device__ __forceinline__ float java_max(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a > b) return a;
    if (b > a) return b;
    return signbit(a) ? b : a;
}

// Math.min(float, float) of Java: NaN propagates and -0 is smaller than +0.
__device__ __forceinline__ float java_min(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a < b) return a;
    if (b < a) return b;
    return signbit(a) ? a : b;
}

// Offset of the element whose flat row-major index over shape[0, rank) is flat, with the given strides.
__device__ __forceinline__ long long strided_offset(long long flat, int rank, const Dims8& shape,
                                                    const Dims8& strides) {
    long long off = 0;
    for (int d = rank - 1; d >= 0; d--) {
        int size = shape.v[d];
        long long q = flat / size;
        off += (flat - q * size) * (long long)strides.v[d];
        flat = q;
    }
    return off;
}

// Sum over the block of one value per thread, in a fixed order; every thread gets the result. scratch holds
// 32 entries in shared memory. All threads of the block must call it.
template <typename T>
__device__ T block_sum(T v, T* scratch) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < warps ? scratch[lane] : T(0);
        for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
        if (lane == 0) scratch[0] = v;
    }
    __syncthreads();
    T r = scratch[0];
    __syncthreads();
    return r;
}

// Java-semantics maximum over the block (NaN propagates); every thread gets the result. Same rules as block_sum.
__device__ float block_max(float v, float* scratch) {
    for (int o = 16; o > 0; o >>= 1) v = java_max(v, __shfl_down_sync(0xffffffffu, v, o));
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < warps ? scratch[lane] : -INFINITY;
        for (int o = 16; o > 0; o >>= 1) v = java_max(v, __shfl_down_sync(0xffffffffu, v, o));
        if (lane == 0) scratch[0] = v;
    }
    __syncthreads();
    float r = scratch[0];
    __syncthreads();
    return r;
}
