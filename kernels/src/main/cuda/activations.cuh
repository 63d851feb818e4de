// Pointwise activations, forward and backward (the formulas of dev.strix.kernels.Activations).
//
// Legend: n = element count; y, x, dx, dy, s: (n) contiguous. kind = ordinal of dev.strix.kernels.Activation
// {RELU, LEAKY_RELU, SILU, SIGMOID, TANH}; alpha = LeakyReLU slope (ignored by the others). y may be x and dx
// may be dy. Backward reads s = the forward output y when fromY != 0, the forward input x otherwise (the
// launcher picks which, as Activations.backward does).
#pragma once
#include "common.cuh"

__device__ __forceinline__ float activation_forward(int kind, float alpha, float v) {
    switch (kind) {
        case 0: return java_max(v, 0.0f);
        case 1: return v > 0.0f ? v : v * alpha;
        case 2: return v / (1.0f + expf(-v));
        case 3: return 1.0f / (1.0f + expf(-v));
        default: return tanhf(v);
    }
}

__device__ __forceinline__ float activation_backward(int kind, float alpha, float g, float s, int fromY) {
    switch (kind) {
        case 0: return s > 0.0f ? g : 0.0f;
        case 1: return s > 0.0f ? g : g * alpha;
        case 2: {
            float sig = 1.0f / (1.0f + expf(-s));
            return g * (sig * fmaf(s, 1.0f - sig, 1.0f));
        }
        case 3: {
            float sig = fromY ? s : 1.0f / (1.0f + expf(-s));
            return g * (1.0f - sig) * sig;
        }
        default: {
            float t = fromY ? s : tanhf(s);
            return g * (1.0f - t * t);
        }
    }
}

// y[i] = kind(x[i]). y, x: (n).
extern "C" __global__ void activation_forward_kernel1(int kind, float alpha, float* y, const float* x, long long n) {
    GRID_STRIDE(i, n) y[i] = activation_forward(kind, alpha, x[i]);
}

// dx[i] = dy[i] * kind'(...) from s[i] (y when fromY, x otherwise). dx, dy, s: (n).
extern "C" __global__ void activation_backward_kernel1(int kind, float alpha, float* dx, const float* dy,
                                                      const float* s, int fromY, long long n) {
    GRID_STRIDE(i, n) dx[i] = activation_backward(kind, alpha, dy[i], s[i], fromY);
}
