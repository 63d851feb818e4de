// In-place optimizer steps (torch.optim.SGD, Adam, AdamW) and a weight EMA, with the float formulas of
// dev.strix.kernels.OptimizerUpdates; the launcher derives the constants from the hyper-parameters exactly as
// the CPU kernel does.
//
// Legend: n = element count; p, g, buf, m, v, ema: (n) contiguous; g is never written.
// sgd flags: bit 0 = use momentum (buf valid), bit 1 = nesterov, bit 2 = first step (buf = g).
// adam: negStepSize = -lr / (1 - beta1^step), w1 = 1 - beta1, w2 = 1 - beta2, bc2s = sqrt(1 - beta2^step),
// paramScale = 1 - lr * wd for AdamW (1 otherwise), coupledDecay != 0 adds wd * p to g (Adam).
#pragma once
#include "common.cuh"

extern "C" __global__ void sgd_kernel1(float* p, const float* g, float* buf, float negLr, float momentum, float keep,
                                      float wd, int flags, long long n) {
    bool useMomentum = flags & 1, nesterov = flags & 2, firstStep = flags & 4;
    GRID_STRIDE(i, n) {
        float pv = p[i], gv = g[i];
        if (wd != 0.0f) gv = fmaf(pv, wd, gv);
        if (useMomentum) {
            float b = firstStep ? gv : fmaf(buf[i], momentum, gv * keep);
            buf[i] = b;
            gv = nesterov ? fmaf(b, momentum, gv) : b;
        }
        p[i] = fmaf(gv, negLr, pv);
    }
}

extern "C" __global__ void adam_kernel1(float* p, const float* g, float* m, float* v, float negStepSize, float w1,
                                       float beta2, float w2, float bc2s, float eps, float wd, float paramScale,
                                       int coupledDecay, long long n) {
    GRID_STRIDE(i, n) {
        float pv = p[i], gv = g[i];
        if (paramScale != 1.0f) pv *= paramScale;
        if (coupledDecay) gv = fmaf(pv, wd, gv);
        float m0 = m[i];
        float mv = fmaf(gv - m0, w1, m0);
        float vv = fmaf(v[i], beta2, gv * gv * w2);
        m[i] = mv;
        v[i] = vv;
        float denom = sqrtf(vv) / bc2s + eps;
        p[i] = fmaf(mv / denom, negStepSize, pv);
    }
}

// ema = fma(ema, decay, p * w) with w = 1 - decay.
extern "C" __global__ void ema_kernel1(float* ema, const float* p, float decay, float w, long long n) {
    GRID_STRIDE(i, n) ema[i] = fmaf(ema[i], decay, p[i] * w);
}
