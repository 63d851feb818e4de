// Nearest-neighbour upsampling by integer factors, forward and backward (dev.strix.kernels.Upsample).
//
// Legend: x, dx: (planes, h, w); y, dy: (planes, h * sh, w * sw), all contiguous. Backward gives each input
// element the sum of its sh x sw block (columns of each output row first, in the CPU kernel's order), one
// thread per input element, no atomics.
#pragma once
#include "common.cuh"

// y[p, i, j] = x[p, i / sh, j / sw].
extern "C" __global__ void upsample_nearest_kernel1(float* y, const float* x, int planes, int h, int w, int sh,
                                                   int sw) {
    long long oh = (long long)h * sh, ow = (long long)w * sw;
    GRID_STRIDE(t, planes * oh * ow) {
        long long j = t % ow, rest = t / ow, i = rest % oh, p = rest / oh;
        y[t] = x[(p * h + i / sh) * w + j / sw];
    }
}

// dx[p, i, j] = sum over a < sh, b < sw of dy[p, i * sh + a, j * sw + b].
extern "C" __global__ void upsample_nearest_backward_kernel1(float* dx, const float* dy, int planes, int h, int w,
                                                            int sh, int sw) {
    long long ow = (long long)w * sw;
    GRID_STRIDE(t, (long long)planes * h * w) {
        long long j = t % w, r = t / w; // r = p * h + i
        const float* block = dy + r * sh * ow + j * sw;
        float s = 0.0f;
        for (int b = 0; b < sw; b++) {
            float c = block[b];
            for (int a = 1; a < sh; a++) c += block[a * ow + b];
            s = sw == 1 ? c : s + c;
        }
        dx[t] = s;
    }
}
