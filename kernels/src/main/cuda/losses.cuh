// Detection losses, FCOS box decoding and dtype casts, forward and backward (the formulas of
// dev.strix.nn.losses.BinaryLosses and BoxLosses, dev.strix.detection.postprocess.BoxDecoder).
//
// Legend: n = element count for the pointwise losses, box count for the box ops. x = logits, t = targets in
// [0, 1], dy = upstream gradient of the per-element (per-box) loss; x, t, loss, dx, dy: (n). Boxes are rows of
// (x1, y1, x2, y2): pred, target, dpred: (n, 4); ltrb distances: (n, 4); xs, ys: location points (n). Box loss
// kind = 0 IoU, 1 GIoU, 2 DIoU, 3 CIoU; eps is added like BoxLosses (torchvision's 1e-7). Half and bfloat16
// values are stored as their 16 raw bits (unsigned short).
//
// The per-element math is __host__ __device__ so that a host program can check it against finite differences
// (kernels/src/test/cuda/losses_check.cu). Ties of min/max split the gradient evenly and ReLU has gradient 0 at 0,
// as the CPU autograd does.
#pragma once
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include "common.cuh"

#define STRIX_HD __host__ __device__ __forceinline__

// ---- binary losses on logits --------------------------------------------------------------------------------

STRIX_HD float sigmoid_f(float x) {
    return 1.0f / (1.0f + expf(-x));
}

// Stable BCE on logits: max(x, 0) - x t + log(1 + exp(-|x|)).
STRIX_HD float bce_with_logits(float x, float t) {
    return (fmaxf(x, 0.0f) - x * t) + logf(1.0f + expf(-fabsf(x)));
}

// d/dx of bce_with_logits: sigmoid(x) - t.
STRIX_HD float bce_with_logits_grad(float x, float t) {
    return sigmoid_f(x) - t;
}

// Sigmoid focal loss of one element (torchvision's sigmoid_focal_loss); alpha < 0 disables the class weight.
STRIX_HD float focal_loss(float x, float t, float alpha, float gamma) {
    float p = sigmoid_f(x);
    float pt = p * t + (1.0f - p) * (1.0f - t);
    float loss = bce_with_logits(x, t) * powf(1.0f - pt, gamma);
    return alpha >= 0.0f ? (alpha * t + (1.0f - alpha) * (1.0f - t)) * loss : loss;
}

// d/dx of focal_loss: a_t [ (p - t) m^gamma + ce gamma m^(gamma-1) dm/dx ], m = 1 - p_t,
// dm/dx = -p (1 - p) (2t - 1). The second term is 0 for gamma == 0 and where m == 0 (its limit for gamma > 0).
STRIX_HD float focal_loss_grad(float x, float t, float alpha, float gamma) {
    float p = sigmoid_f(x);
    float m = 1.0f - (p * t + (1.0f - p) * (1.0f - t));
    float g = (p - t) * powf(m, gamma);
    if (gamma != 0.0f && m > 0.0f) {
        float dm = -p * (1.0f - p) * (2.0f * t - 1.0f);
        g += bce_with_logits(x, t) * gamma * powf(m, gamma - 1.0f) * dm;
    }
    return alpha >= 0.0f ? (alpha * t + (1.0f - alpha) * (1.0f - t)) * g : g;
}

// loss[i] = bce_with_logits(x[i], t[i]). loss, x, t: (n).
extern "C" __global__ void bce_with_logits_forward_kernel1(float* loss, const float* x, const float* t, long long n) {
    GRID_STRIDE(i, n) loss[i] = bce_with_logits(x[i], t[i]);
}

// dx[i] = dy[i] (sigmoid(x[i]) - t[i]). dx, dy, x, t: (n).
extern "C" __global__ void bce_with_logits_backward_kernel1(float* dx, const float* dy, const float* x,
                                                           const float* t, long long n) {
    GRID_STRIDE(i, n) dx[i] = dy[i] * bce_with_logits_grad(x[i], t[i]);
}

// loss[i] = focal_loss(x[i], t[i]). loss, x, t: (n).
extern "C" __global__ void focal_loss_forward_kernel1(float alpha, float gamma, float* loss, const float* x,
                                                     const float* t, long long n) {
    GRID_STRIDE(i, n) loss[i] = focal_loss(x[i], t[i], alpha, gamma);
}

// dx[i] = dy[i] d focal_loss / dx. dx, dy, x, t: (n).
extern "C" __global__ void focal_loss_backward_kernel1(float alpha, float gamma, float* dx, const float* dy,
                                                      const float* x, const float* t, long long n) {
    GRID_STRIDE(i, n) dx[i] = dy[i] * focal_loss_grad(x[i], t[i], alpha, gamma);
}

// ---- IoU-family box losses ----------------------------------------------------------------------------------

// d min(a, b) / da (the even split on ties); d max(a, b) / da is min_grad(b, a).
STRIX_HD float min_grad(float a, float b) {
    return a < b ? 1.0f : (a > b ? 0.0f : 0.5f);
}

STRIX_HD float max_grad(float a, float b) {
    return a > b ? 1.0f : (a < b ? 0.0f : 0.5f);
}

// The loss of one box pair; when d is not null also d loss / d pred (4 values) scaled by dy.
STRIX_HD float box_loss(int kind, float eps, const float* p, const float* g, float dy, float* d) {
    const float px1 = p[0], py1 = p[1], px2 = p[2], py2 = p[3];
    const float gx1 = g[0], gy1 = g[1], gx2 = g[2], gy2 = g[3];
    // intersection (relu of the overlap) and union
    const float iwRaw = fminf(px2, gx2) - fmaxf(px1, gx1), ihRaw = fminf(py2, gy2) - fmaxf(py1, gy1);
    const float iw = fmaxf(iwRaw, 0.0f), ih = fmaxf(ihRaw, 0.0f);
    const float inter = iw * ih;
    const float pw = px2 - px1, ph = py2 - py1;
    const float areaP = pw * ph, areaG = (gx2 - gx1) * (gy2 - gy1);
    const float uni = areaP + areaG - inter;
    const float ue = uni + eps;
    const float iou = inter / ue;
    float loss = 1.0f - iou;
    // adjoints of the loss with respect to the intermediate terms
    float gIou = -1.0f, gUnion = 0.0f, gCw = 0.0f, gCh = 0.0f, gCx = 0.0f, gCy = 0.0f, gPw = 0.0f, gPh = 0.0f;
    const float cw = fmaxf(px2, gx2) - fminf(px1, gx1), ch = fmaxf(py2, gy2) - fminf(py1, gy1);
    if (kind == 1) {  // GIoU: + (C - U) / (C + eps)
        const float c = cw * ch, ce = c + eps;
        loss += (c - uni) / ce;
        const float gC = (uni + eps) / (ce * ce);
        gUnion += -1.0f / ce;
        gCw = gC * ch;
        gCh = gC * cw;
    } else if (kind >= 2) {  // DIoU: + rho^2 / (c^2 + eps)
        const float diag = cw * cw + ch * ch + eps;
        const float dx = (px2 + px1) * 0.5f - (gx1 + gx2) * 0.5f, dyc = (py2 + py1) * 0.5f - (gy1 + gy2) * 0.5f;
        const float rho = dx * dx + dyc * dyc;
        loss += rho / diag;
        const float gDiag = -rho / (diag * diag);
        gCw = gDiag * 2.0f * cw;
        gCh = gDiag * 2.0f * ch;
        gCx = dx / diag;   // d/d px1 = d/d px2 = 2 dx * 0.5 / diag
        gCy = dyc / diag;
        if (kind == 3) {  // CIoU: + alpha v, alpha constant
            const float k = 4.0f / (3.14159265358979323846f * 3.14159265358979323846f);
            const float rp = pw / (ph + eps);
            const float angle = atanf((gx2 - gx1) / ((gy2 - gy1) + eps)) - atanf(rp);
            const float v = k * angle * angle;
            const float alpha = v / ((1.0f - iou) + v + eps);
            loss += alpha * v;
            const float gR = alpha * k * 2.0f * angle * (-1.0f / (1.0f + rp * rp));
            gPw = gR / (ph + eps);
            gPh = gR * (-pw / ((ph + eps) * (ph + eps)));
        }
    }
    if (d != nullptr) {
        // iou = inter / (U + eps), U = areaP + areaG - inter
        const float gU = gIou * (-inter / (ue * ue)) + gUnion;
        const float gInter = gIou / ue - gU;
        const float gAreaP = gU;
        gPw += gAreaP * ph;
        gPh += gAreaP * pw;
        const float gIw = iwRaw > 0.0f ? gInter * ih : 0.0f, gIh = ihRaw > 0.0f ? gInter * iw : 0.0f;
        d[0] = dy * (-gPw - gIw * max_grad(px1, gx1) - gCw * min_grad(px1, gx1) + gCx);
        d[1] = dy * (-gPh - gIh * max_grad(py1, gy1) - gCh * min_grad(py1, gy1) + gCy);
        d[2] = dy * (gPw + gIw * min_grad(px2, gx2) + gCw * max_grad(px2, gx2) + gCx);
        d[3] = dy * (gPh + gIh * min_grad(py2, gy2) + gCh * max_grad(py2, gy2) + gCy);
    }
    return loss;
}

// loss[i] = box_loss(kind, pred row i, target row i). loss: (n); pred, target: (n, 4).
extern "C" __global__ void box_loss_forward_kernel1(int kind, float eps, float* loss, const float* pred,
                                                   const float* target, long long n) {
    GRID_STRIDE(i, n) loss[i] = box_loss(kind, eps, pred + 4 * i, target + 4 * i, 0.0f, nullptr);
}

// dpred row i = dy[i] d box_loss / d pred row i (the targets get no gradient). dpred, pred, target: (n, 4).
extern "C" __global__ void box_loss_backward_kernel1(int kind, float eps, float* dpred, const float* dy,
                                                    const float* pred, const float* target, long long n) {
    GRID_STRIDE(i, n) box_loss(kind, eps, pred + 4 * i, target + 4 * i, dy[i], dpred + 4 * i);
}

// ---- FCOS box decoding ----------------------------------------------------------------------------------------

// boxes row i = (xs[i] - l, ys[i] - t, xs[i] + r, ys[i] + b) from ltrb row i. boxes, ltrb: (n, 4); xs, ys: (n).
extern "C" __global__ void decode_ltrb_forward_kernel1(float* boxes, const float* ltrb, const float* xs,
                                                      const float* ys, long long n) {
    GRID_STRIDE(i, n) {
        boxes[4 * i] = xs[i] - ltrb[4 * i];
        boxes[4 * i + 1] = ys[i] - ltrb[4 * i + 1];
        boxes[4 * i + 2] = xs[i] + ltrb[4 * i + 2];
        boxes[4 * i + 3] = ys[i] + ltrb[4 * i + 3];
    }
}

// dltrb row i = (-dboxes0, -dboxes1, dboxes2, dboxes3). dltrb, dboxes: (n, 4).
extern "C" __global__ void decode_ltrb_backward_kernel1(float* dltrb, const float* dboxes, long long n) {
    GRID_STRIDE(i, n) {
        dltrb[4 * i] = -dboxes[4 * i];
        dltrb[4 * i + 1] = -dboxes[4 * i + 1];
        dltrb[4 * i + 2] = dboxes[4 * i + 2];
        dltrb[4 * i + 3] = dboxes[4 * i + 3];
    }
}

// ---- casts (round to nearest even) ----------------------------------------------------------------------------

// out[i] = half(x[i]) as raw bits. out: (n) 16-bit; x: (n).
extern "C" __global__ void cast_f32_to_f16_kernel1(unsigned short* out, const float* x, long long n) {
    GRID_STRIDE(i, n) out[i] = __half_as_ushort(__float2half_rn(x[i]));
}

// out[i] = float(half bits x[i]). out: (n); x: (n) 16-bit.
extern "C" __global__ void cast_f16_to_f32_kernel1(float* out, const unsigned short* x, long long n) {
    GRID_STRIDE(i, n) out[i] = __half2float(__ushort_as_half(x[i]));
}

// out[i] = bfloat16(x[i]) as raw bits. out: (n) 16-bit; x: (n).
extern "C" __global__ void cast_f32_to_bf16_kernel1(unsigned short* out, const float* x, long long n) {
    GRID_STRIDE(i, n) out[i] = __bfloat16_as_ushort(__float2bfloat16_rn(x[i]));
}

// out[i] = float(bfloat16 bits x[i]). out: (n); x: (n) 16-bit.
extern "C" __global__ void cast_bf16_to_f32_kernel1(float* out, const unsigned short* x, long long n) {
    GRID_STRIDE(i, n) out[i] = __bfloat162float(__ushort_as_bfloat16(x[i]));
}
