// Host check of the per-element math of losses.cuh: every analytic gradient against a central finite
// difference, on seeded random inputs away from the kinks of min/max/ReLU. Runs without a GPU:
//
//   nvcc -o /tmp/losses_check kernels/src/test/cuda/losses_check.cu && /tmp/losses_check
//
// (LossesMathCheckTest runs it where nvcc is installed.) Prints one line per check and exits 1 on a mismatch.
#include <cmath>
#include <cstdio>
#include <cstdint>
#include "../../main/cuda/losses.cuh"

static uint64_t state = 0x9E3779B97F4A7C15ull;
static double uniform(double lo, double hi) {  // SplitMix64
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return lo + (hi - lo) * ((z >> 11) * (1.0 / 9007199254740992.0));
}

static int failures = 0;
// |fd - analytic| <= atol + rtol |analytic|
static void expect(const char* what, int i, double analytic, double fd, double atol, double rtol) {
    if (!(std::fabs(fd - analytic) <= atol + rtol * std::fabs(analytic))) {
        if (failures++ < 20) std::printf("MISMATCH %s case %d: analytic %.7g, finite difference %.7g\n", what, i,
                                         analytic, fd);
    }
}

// CIoU's aspect term v and its weight alpha = v / (1 - IoU + v + eps), which the loss treats as a constant.
static void ciou_terms(const float* p, const float* g, float eps, double* v, double* alpha) {
    double k = 4.0 / (M_PI * M_PI);
    double angle = std::atan((g[2] - g[0]) / ((g[3] - g[1]) + (double)eps)) - std::atan((p[2] - p[0]) / ((p[3] - p[1]) + (double)eps));
    *v = k * angle * angle;
    double iou = 1.0 - box_loss(0, eps, p, g, 0.0f, nullptr);
    *alpha = *v / ((1.0 - iou) + *v + eps);
}

// The CIoU loss with alpha frozen at alpha0: what the analytic gradient differentiates.
static double ciou_fixed_alpha(const float* p, const float* g, float eps, double alpha0) {
    double v, alpha;
    ciou_terms(p, g, eps, &v, &alpha);
    return box_loss(2, eps, p, g, 0.0f, nullptr) + alpha0 * v;
}

static bool near_kink(const float* p, const float* g, float h) {
    for (int k = 0; k < 4; k++)
        if (std::fabs(p[k] - g[k]) < 4 * h) return true;
    // overlaps close to zero (the ReLU of the intersection)
    float iw = std::fmin(p[2], g[2]) - std::fmax(p[0], g[0]), ih = std::fmin(p[3], g[3]) - std::fmax(p[1], g[1]);
    return std::fabs(iw) < 4 * h || std::fabs(ih) < 4 * h;
}

int main() {
    const char* names[] = {"iou", "giou", "diou", "ciou"};
    const float eps = 1e-7f, h = 1e-2f;
    int checked = 0;
    for (int kind = 0; kind < 4; kind++) {
        for (int i = 0; i < 4000; i++) {
            float p[4], g[4];
            for (float* b : {p, g}) {
                float x = (float)uniform(0, 80), y = (float)uniform(0, 80);
                b[0] = x; b[1] = y; b[2] = x + (float)uniform(1, 40); b[3] = y + (float)uniform(1, 40);
            }
            if (near_kink(p, g, h)) continue;
            float d[4];
            float dyv = (float)uniform(0.5, 2.0);
            box_loss(kind, eps, p, g, dyv, d);
            double v0, alpha0;
            ciou_terms(p, g, eps, &v0, &alpha0);
            for (int k = 0; k < 4; k++) {
                float q[4] = {p[0], p[1], p[2], p[3]};
                q[k] = p[k] + h;
                double up = kind == 3 ? ciou_fixed_alpha(q, g, eps, alpha0) : box_loss(kind, eps, q, g, 0.0f, nullptr);
                q[k] = p[k] - h;
                double down = kind == 3 ? ciou_fixed_alpha(q, g, eps, alpha0) : box_loss(kind, eps, q, g, 0.0f, nullptr);
                // float loss rounding (1e-7) over 2h gives 5e-6; truncation is O(h^2)
                expect(names[kind], i, d[k], dyv * (up - down) / (2.0 * h), 2e-5, 2e-2);
            }
            checked++;
        }
    }
    // the value itself against a direct double evaluation of IoU for one simple pair
    float a[4] = {0, 0, 2, 2}, b[4] = {1, 1, 3, 3};
    expect("iou value", 0, 1.0 - 1.0 / 7.0, box_loss(0, 0.0f, a, b, 0, nullptr), 1e-6, 0);
    expect("giou value", 0, 1.0 - (1.0 / 7.0 - 2.0 / 9.0), box_loss(1, 0.0f, a, b, 0, nullptr), 1e-6, 0);
    expect("diou value", 0, 1.0 - 1.0 / 7.0 + 2.0 / 18.0, box_loss(2, 0.0f, a, b, 0, nullptr), 1e-6, 0);
    double v, alpha;
    ciou_terms(a, b, 0.0f, &v, &alpha);
    expect("ciou value", 0, box_loss(2, 0.0f, a, b, 0, nullptr) + alpha * v, box_loss(3, 0.0f, a, b, 0, nullptr), 1e-6, 1e-6);
    for (int i = 0; i < 4000; i++) {
        float x = (float)uniform(-6, 6), t = i % 3 == 0 ? (float)uniform(0, 1) : (float)(i % 2);
        const float hx = 1e-3f;
        double fd = ((double)bce_with_logits(x + hx, t) - bce_with_logits(x - hx, t)) / (2.0 * hx);
        expect("bce", i, bce_with_logits_grad(x, t), fd, 2e-4, 1e-2);
        float alpha = i % 4 == 0 ? -1.0f : 0.25f, gamma = (float)(i % 3);  // gamma 0, 1, 2
        fd = ((double)focal_loss(x + hx, t, alpha, gamma) - focal_loss(x - hx, t, alpha, gamma)) / (2.0 * hx);
        expect("focal", i, focal_loss_grad(x, t, alpha, gamma), fd, 2e-4, 1e-2);
        checked++;
    }
    std::printf("losses_check: %d cases, %d mismatches\n", checked, failures);
    return failures == 0 ? 0 : 1;
}
