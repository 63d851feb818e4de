#!/usr/bin/env python3
"""DetNet step benchmark in PyTorch: the peer that `strix bench model` is compared with.

Same model (the reference detnet.py), same synthetic batch recipe, same step definition and the same JSON
keys on the last stdout line as `strix bench model`:

  infer  model.eval(), forward under torch.no_grad() (no decoding or NMS)
  train  forward (train mode) -> FCOS target assignment of the fixed boxes (tensor ops on the device) ->
         sigmoid focal loss (alpha 0.25, gamma 2) / max(1, positives)
         + GIoU on positives weighted by the centerness target / max(1e-6, sum of weights)
         + centerness BCE on positives / max(1, positives)    (summed with weight 1)
         -> backward -> SGD (lr 0.01, momentum 0.9, weight decay 1e-4 on conv weights only) -> zero_grad

The assignment follows DESIGN.md and Strix's FcosAssigner: locations at floor(s/2) + i*s; a location is a
candidate for a box when it lies strictly inside the box's centre region (the box clipped to cx +- 1.5 s,
cy +- 1.5 s) and max(l, t, r, b) is within the level's range ([0, 64], [64, 128], [128, inf) for strides
8, 16, 32, bounds inclusive); among candidates the smallest box wins (first on ties). Everything is masks and
`where`, with no data-dependent shapes and no host synchronisation, so the whole step can be captured in a
CUDA graph (--cuda-graph).

The boxes come from the same SplitMix64 recipe as Strix's SyntheticTargets (identical boxes and classes for
the same seed); the input pixels come from torch's generator (their values do not change the cost).

Usage:
  /usr/bin/python3 benchmarks/pytorch/detnet_bench.py --batch 8 --size 256 --mode train --threads 2
  python3 benchmarks/pytorch/detnet_bench.py --device cuda --batch 32 --size 512 --mode train --cuda-graph
"""
import argparse
import importlib.util
import json
import math
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

MASK64 = (1 << 64) - 1
STRIDES = (8, 16, 32)
RANGES = ((0.0, 64.0), (64.0, 128.0), (128.0, math.inf))
CENTER_RADIUS = 1.5


class SplitMix64:
    """The generator of Strix's bench.SplitMix64, bit for bit."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next_long(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def next_double(self):
        return (self.next_long() >> 11) * 2.0 ** -53

    def next_int(self, bound):
        return int(math.floor(self.next_double() * bound))


def synthetic_targets(batch, size, classes, seed):
    """Per image a list of (x1, y1, x2, y2, class): Strix's SyntheticTargets.generate."""
    rnd = SplitMix64(seed)
    images = []
    for _ in range(batch):
        objects = []
        for _ in range(2 + rnd.next_int(4)):
            side = size * 0.08 * (0.9 / 0.08) ** rnd.next_double()
            ratio = 2.0 ** (2.0 * rnd.next_double() - 1.0)
            w, h = (side, side / ratio) if ratio >= 1 else (side * ratio, side)
            x1 = rnd.next_double() * (size - w)
            y1 = rnd.next_double() * (size - h)
            objects.append((x1, y1, x1 + w, y1 + h, rnd.next_int(classes)))
        images.append(objects)
    return images


def load_detnet(reference_dir):
    path = os.path.join(reference_dir, "detnet.py")
    if not os.path.isfile(path):
        sys.exit(f"detnet_bench.py: {path} not found (pass --reference DIR, the folder that holds detnet.py)")
    spec = importlib.util.spec_from_file_location("detnet_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DetNet


class Targets:
    """The fixed boxes as padded device tensors, and the location grid of the three levels."""

    def __init__(self, images, size, device):
        m = max(len(o) for o in images)
        boxes = torch.zeros(len(images), m, 4)
        labels = torch.zeros(len(images), m, dtype=torch.long)
        present = torch.zeros(len(images), m, dtype=torch.bool)
        for n, objects in enumerate(images):
            for i, (x1, y1, x2, y2, c) in enumerate(objects):
                boxes[n, i] = torch.tensor([x1, y1, x2, y2])
                labels[n, i] = c
                present[n, i] = True
        xs, ys, st, lo, hi = [], [], [], [], []
        for s, (a, b) in zip(STRIDES, RANGES):
            side = math.ceil(size / s)
            centers = torch.arange(side, dtype=torch.float32) * s + s // 2
            yy, xx = torch.meshgrid(centers, centers, indexing="ij")
            xs.append(xx.reshape(-1))
            ys.append(yy.reshape(-1))
            count = side * side
            st.append(torch.full((count,), float(s)))
            lo.append(torch.full((count,), a))
            hi.append(torch.full((count,), b))
        self.boxes, self.labels, self.present = boxes.to(device), labels.to(device), present.to(device)
        self.x, self.y = torch.cat(xs).to(device), torch.cat(ys).to(device)
        self.stride, self.low, self.high = torch.cat(st).to(device), torch.cat(lo).to(device), torch.cat(hi).to(device)


def assign(t):
    """FCOS assignment: returns positive mask (N, L), class (N, L), ltrb targets (N, L, 4), centerness (N, L)."""
    x, y = t.x[None, :, None], t.y[None, :, None]                      # (1, L, 1)
    b = t.boxes[:, None, :, :]                                          # (N, 1, M, 4)
    x1, y1, x2, y2 = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
    l, top, r, bot = x - x1, y - y1, x2 - x, y2 - y                    # (N, L, M)
    rad = (CENTER_RADIUS * t.stride)[None, :, None]
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    inside = (x > torch.maximum(cx - rad, x1)) & (x < torch.minimum(cx + rad, x2)) \
        & (y > torch.maximum(cy - rad, y1)) & (y < torch.minimum(cy + rad, y2))
    m = torch.maximum(torch.maximum(l, r), torch.maximum(top, bot))
    in_range = (m >= t.low[None, :, None]) & (m <= t.high[None, :, None])
    candidate = inside & in_range & t.present[:, None, :]
    area = ((x2 - x1) * (y2 - y1)).expand_as(l)
    area = torch.where(candidate, area, torch.full_like(area, math.inf))
    best_area, best = area.min(dim=2)                                   # first index on ties
    positive = torch.isfinite(best_area)
    ltrb = torch.stack((l, top, r, bot), dim=3).gather(2, best[:, :, None, None].expand(-1, -1, 1, 4))[:, :, 0]
    labels = t.labels.gather(1, best)
    lr_min, lr_max = torch.minimum(ltrb[..., 0], ltrb[..., 2]), torch.maximum(ltrb[..., 0], ltrb[..., 2])
    tb_min, tb_max = torch.minimum(ltrb[..., 1], ltrb[..., 3]), torch.maximum(ltrb[..., 1], ltrb[..., 3])
    ctr = torch.sqrt((lr_min / lr_max.clamp_min(1e-12)) * (tb_min / tb_max.clamp_min(1e-12)))
    ctr = torch.where(positive, ctr, torch.zeros_like(ctr))
    return positive, labels, ltrb, ctr


def flatten(levels):
    """Per-level (N, K, h, w) maps as (N, L, K), levels in order, row-major inside a level."""
    return torch.cat([o.flatten(2).transpose(1, 2) for o in levels], dim=1)


def giou_loss(p, g, eps=1e-7):
    """GIoU loss of (x1, y1, x2, y2) boxes, elementwise over the leading dims."""
    ix1, iy1 = torch.maximum(p[..., 0], g[..., 0]), torch.maximum(p[..., 1], g[..., 1])
    ix2, iy2 = torch.minimum(p[..., 2], g[..., 2]), torch.minimum(p[..., 3], g[..., 3])
    inter = (ix2 - ix1).clamp_min(0) * (iy2 - iy1).clamp_min(0)
    area_p = (p[..., 2] - p[..., 0]) * (p[..., 3] - p[..., 1])
    area_g = (g[..., 2] - g[..., 0]) * (g[..., 3] - g[..., 1])
    union = area_p + area_g - inter
    iou = inter / (union + eps)
    ex1, ey1 = torch.minimum(p[..., 0], g[..., 0]), torch.minimum(p[..., 1], g[..., 1])
    ex2, ey2 = torch.maximum(p[..., 2], g[..., 2]), torch.maximum(p[..., 3], g[..., 3])
    enclose = (ex2 - ex1) * (ey2 - ey1)
    return 1 - iou + (enclose - union) / (enclose + eps)


def fcos_loss(outputs, targets, num_classes):
    """The three task losses of DetNet's recipe (masks only, no host sync)."""
    positive, labels, ltrb, ctr_t = assign(targets)
    cls = flatten([o[0] for o in outputs])                              # (N, L, C)
    box = flatten([o[1] for o in outputs])                              # (N, L, 4)
    ctr = flatten([o[2] for o in outputs])[..., 0]                     # (N, L)
    pos = positive.float()
    n_pos = pos.sum().clamp_min(1.0)
    one_hot = F.one_hot(labels, num_classes).float() * pos[..., None]
    p = torch.sigmoid(cls)
    ce = F.binary_cross_entropy_with_logits(cls, one_hot, reduction="none")
    p_t = p * one_hot + (1 - p) * (1 - one_hot)
    alpha_t = 0.25 * one_hot + 0.75 * (1 - one_hot)
    loss_cls = (alpha_t * ce * (1 - p_t) ** 2).sum() / n_pos
    sign = torch.tensor([-1.0, -1.0, 1.0, 1.0], device=box.device)
    dummy = torch.tensor([-1.0, -1.0, 1.0, 1.0], device=box.device)
    pos4 = positive[..., None]
    pred_box = torch.where(pos4, box * sign, dummy)
    target_box = torch.where(pos4, ltrb * sign, dummy)
    loss_box = (giou_loss(pred_box, target_box) * ctr_t).sum() / ctr_t.sum().clamp_min(1e-6)
    loss_ctr = (F.binary_cross_entropy_with_logits(ctr, ctr_t, reduction="none") * pos).sum() / n_pos
    return loss_cls, loss_box, loss_ctr


def decay_groups(model, weight_decay):
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def forward_flops_per_image(model, size, device):
    """Convolution FLOPs of one forward pass (multiply-add = 2), counted with hooks."""
    total = [0]

    def hook(m, inp, out):
        total[0] += 2 * out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size, device=device))
    model.train(was_training)
    for h in handles:
        h.remove()
    return total[0]


def cpu_peak_gflops(threads):
    """Same nominal formula as Strix's DevicePeak.Nominal: cores x GHz x lanes x 2 x FMA units."""
    ghz, lanes, amd = 0.0, 8, False
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        for line in text.splitlines():
            if line.startswith("cpu MHz"):
                ghz = max(ghz, float(line.split(":")[1]) / 1000)
            elif line.startswith("vendor_id"):
                amd = "AuthenticAMD" in line
            elif line.startswith("flags"):
                lanes = 16 if " avx512f" in line else 8 if " avx2" in line else 4
    except OSError:
        pass
    ghz = float(os.environ.get("STRIX_CPU_GHZ", ghz or 3.0))
    fma = 1 if lanes >= 16 and amd else 2
    cores = max(1, min(threads, os.cpu_count() or 1))
    return cores * ghz * lanes * 2 * fma


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", default=os.path.join(repo, "..", "shared", "reference"),
                    help="folder with detnet.py (default: ../shared/reference relative to the repository root)")
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--mode", choices=("train", "infer"), required=True)
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    ap.add_argument("--classes", type=int, default=20)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--fpn", type=int, default=64)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (default: leave as is)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cuda-graph", action="store_true", help="capture the whole step in one CUDA graph")
    ap.add_argument("--peak-gflops", type=float, default=0.0,
                    help="device peak for peak_fraction: on CUDA the only one; on the CPU the measured peak Strix "
                         "reports as peak_gflops (default there: the nominal cores x GHz x lanes x 2 x FMA units)")
    ap.add_argument("--json", help="also write the JSON result to this file")
    a = ap.parse_args()
    if a.batch < 1 or a.size < 32 or a.size % 32 or a.iters < 1 or a.warmup < 0:
        sys.exit("detnet_bench.py: need batch >= 1, size a positive multiple of 32, iters >= 1, warmup >= 0")
    if a.cuda_graph and a.device != "cuda":
        sys.exit("detnet_bench.py: --cuda-graph needs --device cuda")
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    cuda = a.device == "cuda"
    if cuda:
        torch.backends.cudnn.benchmark = True
    device = torch.device(a.device)

    DetNet = load_detnet(a.reference)
    torch.manual_seed(a.seed)
    model = DetNet(num_classes=a.classes, w=a.width, fpn=a.fpn, depth=a.depth).to(device)
    gen = torch.Generator().manual_seed(a.seed + 1)
    static_x = torch.rand(a.batch, 3, a.size, a.size, generator=gen).to(device)
    targets = Targets(synthetic_targets(a.batch, a.size, a.classes, a.seed + 2), a.size, device)
    flops_image = forward_flops_per_image(model, a.size, device)
    optimizer = torch.optim.SGD(decay_groups(model, 1e-4), lr=0.01, momentum=0.9, weight_decay=1e-4)
    losses = {}

    def train_step():
        outputs = model(static_x)
        lc, lb, lt = fcos_loss(outputs, targets, a.classes)
        total = lc + lb + lt
        total.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses["total"] = total

    def infer_step():
        with torch.no_grad():
            losses["out"] = model(static_x)

    if a.mode == "train":
        model.train()
        step = train_step
    else:
        model.eval()
        step = infer_step

    if a.cuda_graph:
        # whole-step capture as in PyTorch's CUDA-graph notes: warm up on a side stream, then capture once
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(max(3, a.warmup)):
                step()
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        optimizer.zero_grad(set_to_none=True)
        with torch.cuda.graph(graph):
            if a.mode == "train":
                outputs = model(static_x)
                lc, lb, lt = fcos_loss(outputs, targets, a.classes)
                total = lc + lb + lt
                total.backward()
                optimizer.step()
                losses["total"] = total
            else:
                infer_step()
        run = graph.replay
    else:
        run = step
        for _ in range(a.warmup):
            run()

    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(a.iters):
        t0 = time.perf_counter()
        run()
        if cuda:
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1000)
    ms = statistics.median(times)
    img_s = a.batch * 1000 / ms
    factor = 3 if a.mode == "train" else 1
    gflops = flops_image * a.batch * factor / (ms * 1e6)
    nominal = 0.0 if cuda else cpu_peak_gflops(a.threads or torch.get_num_threads())
    peak = a.peak_gflops if cuda or a.peak_gflops > 0 else nominal
    result = {
        "ms_per_step": round(ms, 4),
        "img_per_s": round(img_s, 3),
        "gflops": round(gflops, 3),
        "peak_fraction": round(gflops / peak, 5) if peak > 0 else 0.0,
        "peak_heap_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 2),
        "peak_device_mb": round(torch.cuda.max_memory_allocated() / 2 ** 20, 2) if cuda else 0.0,
        "impl": "pytorch-graph" if a.cuda_graph else "pytorch",
        "model": "detnet", "mode": a.mode, "device": a.device, "batch": a.batch, "size": a.size,
        "classes": a.classes, "width": a.width, "fpn": a.fpn, "depth": a.depth,
        "threads": a.threads or torch.get_num_threads(), "warmup": a.warmup, "iters": a.iters,
        "ms_min": round(min(times), 4), "ms_max": round(max(times), 4), "steps_ms": [round(t, 3) for t in times],
        "gflop_per_image": round(flops_image / 1e9, 5), "flops_factor": factor, "peak_gflops": round(peak, 2),
        "torch": torch.__version__,
    }
    if not cuda:
        result["peak_source"] = "given" if a.peak_gflops > 0 else "nominal"
        result["peak_gflops_nominal"] = round(nominal, 2)
    if a.mode == "train":
        result["loss"] = round(float(losses["total"]), 5)
        result["positives"] = int(assign(targets)[0].sum())
    print(f"pytorch {torch.__version__} detnet {a.mode} batch {a.batch} x {a.size}, {a.device}"
          f"{' (CUDA graph)' if a.cuda_graph else ''}, {result['threads']} threads: {ms:.2f} ms/step "
          f"(median of {a.iters}, min {min(times):.2f}, max {max(times):.2f}), {img_s:.2f} img/s, "
          f"{gflops:.2f} GFLOP/s")
    line = json.dumps(result)
    if a.json:
        with open(a.json, "w") as f:
            f.write(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
