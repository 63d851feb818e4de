#!/usr/bin/env python3
"""Writes the evaluation fixture read by dev.strix.detection.eval.EvaluatorFixtureTest.

An independent numpy implementation of the two reference evaluators, on a random scene set:
  * Pascal VOC: the devkit's voc_eval (the py-faster-rcnn port of VOCevaldet.m): pixel-inclusive IoU,
    `ovmax > 0.5` strictly, difficult objects neither TP nor FP and not counted in npos, duplicates FP,
    11-point (VOC07) and area ("all points", VOC2010+) AP with the precision envelope.
  * COCO: pycocotools' COCOeval for iouType='bbox' (evaluate / computeIoU / evaluateImg / accumulate /
    summarize), with maskUtils.iou's bbIou written out (crowd IoU = intersection / detection area).

Mapping of Strix's flags onto the two protocols (the same in the Java evaluator):
  * VOC: a crowd object is treated like a difficult one (the devkit has no crowd flag).
  * COCO: gt['ignore'] = iscrowd or difficult; only crowd objects use the crowd IoU and may be matched
    more than once.
Sorting is stable everywhere (the MATLAB devkit's sort and pycocotools' mergesort are stable), so tied
scores keep the input order; images are visited in sorted-id order as in COCOeval (np.unique).

Boxes are stored as float32 values (x1, y1, x2, y2) in continuous pixel coordinates; the evaluators
convert them exactly as the Java code does (VOC: xmin = x1 + 1, xmax = x2; COCO: [x1, y1, x2-x1, y2-y1]).

Usage: /usr/bin/python3 make_eval_fixture.py [output.json]
"""
import json
import os
import sys

import numpy as np

SEED = 20240607
CLASS_NAMES = ["circle", "square", "triangle", "ghost"]  # "ghost" has detections but no ground truth
NUM_GT_CLASSES = 3
NUM_IMAGES = 30


def f32(v):
    return float(np.float32(v))


# ---------------------------------------------------------------- random scenes

def make_scenes(rng):
    images, detections = [], []
    ids = rng.choice(np.arange(1, 5000), size=NUM_IMAGES, replace=False)  # dataset order != sorted order
    for n, image_id in enumerate(ids):
        w, h = int(rng.integers(160, 641)), int(rng.integers(160, 481))
        objects = []
        num_objects = 0 if n == 3 else int(rng.integers(0, 7))
        for _ in range(num_objects):
            size = float(np.exp(rng.uniform(np.log(6), np.log(min(w, h) * 0.9))))
            bw, bh = size * rng.uniform(0.6, 1.4), size * rng.uniform(0.6, 1.4)
            x1 = rng.uniform(-0.05 * bw, w - 0.95 * bw)
            y1 = rng.uniform(-0.05 * bh, h - 0.95 * bh)
            x1, y1 = max(0.0, round(x1, 1)), max(0.0, round(y1, 1))
            x2, y2 = min(float(w), round(x1 + bw, 1)), min(float(h), round(y1 + bh, 1))
            if x2 - x1 < 1 or y2 - y1 < 1:
                continue
            r = rng.uniform()
            objects.append({
                "box": [f32(x1), f32(y1), f32(x2), f32(y2)],
                "class": int(rng.integers(0, NUM_GT_CLASSES)),
                "difficult": bool(r < 0.12),
                "crowd": bool(0.12 <= r < 0.2),
            })
        images.append({"id": str(int(image_id)), "width": w, "height": h, "objects": objects})

        def add(box, cls, score):
            x1, y1, x2, y2 = box
            x1, y1 = round(max(-2.0, x1), 2), round(max(-2.0, y1), 2)
            x2, y2 = round(max(x1 + 0.5, x2), 2), round(max(y1 + 0.5, y2), 2)
            score = max(0.01, round(float(score), 2))  # two decimals: many tied scores
            detections.append({"image_id": str(int(image_id)), "box": [f32(x1), f32(y1), f32(x2), f32(y2)],
                               "class": int(cls), "score": f32(score)})

        for o in objects:
            x1, y1, x2, y2 = o["box"]
            bw, bh = x2 - x1, y2 - y1
            for _ in range(int(rng.choice([0, 1, 1, 1, 2, 3]))):
                jitter = rng.normal(0.0, rng.choice([0.03, 0.08, 0.2]), 4) * [bw, bh, bw, bh]
                cls = o["class"] if rng.uniform() > 0.1 else int(rng.integers(0, len(CLASS_NAMES)))
                add([x1 + jitter[0], y1 + jitter[1], x2 + jitter[2], y2 + jitter[3]], cls, rng.uniform(0.05, 1.0))
        for _ in range(int(rng.integers(0, 5))):
            bw, bh = rng.uniform(4, w / 2), rng.uniform(4, h / 2)
            x1, y1 = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
            add([x1, y1, x1 + bw, y1 + bh], int(rng.integers(0, len(CLASS_NAMES))), rng.uniform(0.01, 0.7))
        if n == 5:  # more than 100 detections of one class in one image: maxDets truncation
            for _ in range(130):
                bw, bh = rng.uniform(8, w / 3), rng.uniform(8, h / 3)
                x1, y1 = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
                add([x1, y1, x1 + bw, y1 + bh], 0, rng.uniform(0.01, 1.0))
            for o in objects:
                if o["class"] == 0:
                    x1, y1, x2, y2 = o["box"]
                    add([x1 + 0.5, y1, x2, y2 - 0.5], 0, 0.02)
    order = rng.permutation(len(detections))  # detections arrive in no particular order
    return images, [detections[i] for i in order]


# ---------------------------------------------------------------- Pascal VOC devkit (voc_eval)

def voc_ap(rec, prec, use_07_metric=False):
    if use_07_metric:
        ap = 0.
        for t in np.arange(0., 1.1, 0.1):
            if np.sum(rec >= t) == 0:
                p = 0
            else:
                p = np.max(prec[rec >= t])
            ap = ap + p / 11.
    else:
        mrec = np.concatenate(([0.], rec, [1.]))
        mpre = np.concatenate(([0.], prec, [0.]))
        for i in range(mpre.size - 1, 0, -1):
            mpre[i - 1] = np.maximum(mpre[i - 1], mpre[i])
        i = np.where(mrec[1:] != mrec[:-1])[0]
        ap = np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1])
    return ap


def to_voc_box(b):  # continuous (x1, y1, x2, y2) -> devkit 1-based inclusive (xmin, ymin, xmax, ymax)
    return [b[0] + 1.0, b[1] + 1.0, b[2], b[3]]


def voc_eval(images, detections, cls, ovthresh=0.5):
    class_recs, npos = {}, 0
    for im in images:
        R = [o for o in im["objects"] if o["class"] == cls]
        bbox = np.array([to_voc_box(o["box"]) for o in R], dtype=np.float64).reshape(-1, 4)
        difficult = np.array([o["difficult"] or o["crowd"] for o in R]).astype(bool)
        det = [False] * len(R)
        npos = npos + sum(~difficult)
        class_recs[im["id"]] = {"bbox": bbox, "difficult": difficult, "det": det}
    dets = [d for d in detections if d["class"] == cls]
    image_ids = [d["image_id"] for d in dets]
    confidence = np.array([d["score"] for d in dets], dtype=np.float64)
    BB = np.array([to_voc_box(d["box"]) for d in dets], dtype=np.float64).reshape(-1, 4)
    nd = len(image_ids)
    tp, fp = np.zeros(nd), np.zeros(nd)
    if nd > 0:
        sorted_ind = np.argsort(-confidence, kind="mergesort")
        BB = BB[sorted_ind, :]
        image_ids = [image_ids[x] for x in sorted_ind]
        for d in range(nd):
            R = class_recs[image_ids[d]]
            bb = BB[d, :].astype(float)
            ovmax = -np.inf
            BBGT = R["bbox"].astype(float)
            if BBGT.size > 0:
                ixmin = np.maximum(BBGT[:, 0], bb[0])
                iymin = np.maximum(BBGT[:, 1], bb[1])
                ixmax = np.minimum(BBGT[:, 2], bb[2])
                iymax = np.minimum(BBGT[:, 3], bb[3])
                iw = np.maximum(ixmax - ixmin + 1., 0.)
                ih = np.maximum(iymax - iymin + 1., 0.)
                inters = iw * ih
                uni = ((bb[2] - bb[0] + 1.) * (bb[3] - bb[1] + 1.) +
                       (BBGT[:, 2] - BBGT[:, 0] + 1.) * (BBGT[:, 3] - BBGT[:, 1] + 1.) - inters)
                overlaps = inters / uni
                ovmax = np.max(overlaps)
                jmax = np.argmax(overlaps)
            if ovmax > ovthresh:
                if not R["difficult"][jmax]:
                    if not R["det"][jmax]:
                        tp[d] = 1.
                        R["det"][jmax] = 1
                    else:
                        fp[d] = 1.
            else:
                fp[d] = 1.
    if npos == 0:
        return None  # no ground truth: excluded from the mean
    fp = np.cumsum(fp)
    tp = np.cumsum(tp)
    rec = tp / float(npos)
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    return {"ap07": float(voc_ap(rec, prec, True)), "ap": float(voc_ap(rec, prec, False)),
            "recall": rec.tolist(), "precision": prec.tolist(), "npos": int(npos)}


# ---------------------------------------------------------------- COCOeval (iouType='bbox')

class Params:
    def __init__(self, img_ids, cat_ids):
        self.imgIds = img_ids
        self.catIds = cat_ids
        self.iouThrs = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
        self.recThrs = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
        self.maxDets = [1, 10, 100]
        self.areaRng = [[0 ** 2, 1e5 ** 2], [0 ** 2, 32 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e5 ** 2]]
        self.areaRngLbl = ["all", "small", "medium", "large"]


def xywh(b):
    return [b[0], b[1], b[2] - b[0], b[3] - b[1]]


def bb_iou(dt, gt, iscrowd):  # maskApi.c bbIou; returns [len(dt), len(gt)]
    o = np.zeros((len(dt), len(gt)))
    for g, G in enumerate(gt):
        ga = G[2] * G[3]
        crowd = iscrowd[g]
        for d, D in enumerate(dt):
            da = D[2] * D[3]
            w = min(D[2] + D[0], G[2] + G[0]) - max(D[0], G[0])
            if w <= 0:
                continue
            h = min(D[3] + D[1], G[3] + G[1]) - max(D[1], G[1])
            if h <= 0:
                continue
            i = w * h
            u = da if crowd else da + ga - i
            o[d, g] = i / u
    return o


def sorted_image_ids(ids):
    if all(s.isdigit() and (s == "0" or not s.startswith("0")) for s in ids):
        return sorted(ids, key=int)
    return sorted(ids)


class CocoEval:
    def __init__(self, images, detections, num_classes):
        self.params = Params(sorted_image_ids([im["id"] for im in images]), list(range(num_classes)))
        self._gts, self._dts = {}, {}
        ann_id = 0
        for im in images:
            for o in im["objects"]:
                ann_id += 1
                b = xywh(o["box"])
                gt = {"id": ann_id, "bbox": b, "area": b[2] * b[3], "iscrowd": int(o["crowd"]),
                      "ignore": int(o["crowd"] or o["difficult"])}
                self._gts.setdefault((im["id"], o["class"]), []).append(gt)
        for n, d in enumerate(detections):
            b = xywh(d["box"])
            dt = {"id": n + 1, "bbox": b, "area": b[2] * b[3], "score": d["score"], "iscrowd": 0}
            self._dts.setdefault((d["image_id"], d["class"]), []).append(dt)

    def evaluate(self):
        p = self.params
        self.ious = {(i, c): self.computeIoU(i, c) for i in p.imgIds for c in p.catIds}
        maxDet = p.maxDets[-1]
        self.evalImgs = [self.evaluateImg(i, c, a, maxDet) for c in p.catIds for a in p.areaRng for i in p.imgIds]

    def computeIoU(self, imgId, catId):
        p = self.params
        gt = self._gts.get((imgId, catId), [])
        dt = self._dts.get((imgId, catId), [])
        if len(gt) == 0 and len(dt) == 0:
            return []
        inds = np.argsort([-d["score"] for d in dt], kind="mergesort")
        dt = [dt[i] for i in inds]
        if len(dt) > p.maxDets[-1]:
            dt = dt[0:p.maxDets[-1]]
        g = [g["bbox"] for g in gt]
        d = [d["bbox"] for d in dt]
        iscrowd = [int(o["iscrowd"]) for o in gt]
        return bb_iou(d, g, iscrowd)

    def evaluateImg(self, imgId, catId, aRng, maxDet):
        p = self.params
        gt = self._gts.get((imgId, catId), [])
        dt = self._dts.get((imgId, catId), [])
        if len(gt) == 0 and len(dt) == 0:
            return None
        for g in gt:
            if g["ignore"] or (g["area"] < aRng[0] or g["area"] > aRng[1]):
                g["_ignore"] = 1
            else:
                g["_ignore"] = 0
        gtind = np.argsort([g["_ignore"] for g in gt], kind="mergesort")
        gt = [gt[i] for i in gtind]
        dtind = np.argsort([-d["score"] for d in dt], kind="mergesort")
        dt = [dt[i] for i in dtind[0:maxDet]]
        iscrowd = [int(o["iscrowd"]) for o in gt]
        ious = self.ious[imgId, catId][:, gtind] if len(self.ious[imgId, catId]) > 0 else self.ious[imgId, catId]
        T, G, D = len(p.iouThrs), len(gt), len(dt)
        gtm = np.zeros((T, G))
        dtm = np.zeros((T, D))
        gtIg = np.array([g["_ignore"] for g in gt])
        dtIg = np.zeros((T, D))
        if not len(ious) == 0:
            for tind, t in enumerate(p.iouThrs):
                for dind, d in enumerate(dt):
                    iou = min([t, 1 - 1e-10])
                    m = -1
                    for gind, g in enumerate(gt):
                        if gtm[tind, gind] > 0 and not iscrowd[gind]:
                            continue
                        if m > -1 and gtIg[m] == 0 and gtIg[gind] == 1:
                            break
                        if ious[dind, gind] < iou:
                            continue
                        iou = ious[dind, gind]
                        m = gind
                    if m == -1:
                        continue
                    dtIg[tind, dind] = gtIg[m]
                    dtm[tind, dind] = gt[m]["id"]
                    gtm[tind, m] = d["id"]
        a = np.array([d["area"] < aRng[0] or d["area"] > aRng[1] for d in dt]).reshape((1, len(dt)))
        dtIg = np.logical_or(dtIg, np.logical_and(dtm == 0, np.repeat(a, T, 0)))
        return {"dtMatches": dtm, "dtScores": [d["score"] for d in dt], "gtIgnore": gtIg, "dtIgnore": dtIg}

    def accumulate(self):
        p = self.params
        T, R, K, A, M = len(p.iouThrs), len(p.recThrs), len(p.catIds), len(p.areaRng), len(p.maxDets)
        precision = -np.ones((T, R, K, A, M))
        recall = -np.ones((T, K, A, M))
        I0, A0 = len(p.imgIds), len(p.areaRng)
        for k in range(K):
            Nk = k * A0 * I0
            for a in range(A):
                Na = a * I0
                for m, maxDet in enumerate(p.maxDets):
                    E = [self.evalImgs[Nk + Na + i] for i in range(I0)]
                    E = [e for e in E if e is not None]
                    if len(E) == 0:
                        continue
                    dtScores = np.concatenate([e["dtScores"][0:maxDet] for e in E])
                    inds = np.argsort(-dtScores, kind="mergesort")
                    dtm = np.concatenate([e["dtMatches"][:, 0:maxDet] for e in E], axis=1)[:, inds]
                    dtIg = np.concatenate([e["dtIgnore"][:, 0:maxDet] for e in E], axis=1)[:, inds]
                    gtIg = np.concatenate([e["gtIgnore"] for e in E])
                    npig = np.count_nonzero(gtIg == 0)
                    if npig == 0:
                        continue
                    tps = np.logical_and(dtm, np.logical_not(dtIg))
                    fps = np.logical_and(np.logical_not(dtm), np.logical_not(dtIg))
                    tp_sum = np.cumsum(tps, axis=1).astype(dtype=np.float64)
                    fp_sum = np.cumsum(fps, axis=1).astype(dtype=np.float64)
                    for t, (tp, fp) in enumerate(zip(tp_sum, fp_sum)):
                        tp, fp = np.array(tp), np.array(fp)
                        nd = len(tp)
                        rc = tp / npig
                        pr = tp / (fp + tp + np.spacing(1))
                        q = np.zeros((R,))
                        recall[t, k, a, m] = rc[-1] if nd else 0
                        pr, q = pr.tolist(), q.tolist()
                        for i in range(nd - 1, 0, -1):
                            if pr[i] > pr[i - 1]:
                                pr[i - 1] = pr[i]
                        inds = np.searchsorted(rc, p.recThrs, side="left")
                        try:
                            for ri, pi in enumerate(inds):
                                q[ri] = pr[pi]
                        except IndexError:
                            pass
                        precision[t, :, k, a, m] = np.array(q)
        self.precision, self.recall = precision, recall

    def summarize_one(self, ap=1, iouThr=None, areaRng="all", maxDets=100):
        p = self.params
        aind = [i for i, aRng in enumerate(p.areaRngLbl) if aRng == areaRng]
        mind = [i for i, mDet in enumerate(p.maxDets) if mDet == maxDets]
        if ap == 1:
            s = self.precision
            if iouThr is not None:
                s = s[np.where(iouThr == p.iouThrs)[0]]
            s = s[:, :, :, aind, mind]
        else:
            s = self.recall
            if iouThr is not None:
                s = s[np.where(iouThr == p.iouThrs)[0]]
            s = s[:, :, aind, mind]
        return -1.0 if len(s[s > -1]) == 0 else float(np.mean(s[s > -1]))

    def stats(self):
        keys = ["ap", "ap50", "ap75", "ap_small", "ap_medium", "ap_large",
                "ar1", "ar10", "ar100", "ar_small", "ar_medium", "ar_large"]
        vals = [self.summarize_one(1), self.summarize_one(1, iouThr=.5), self.summarize_one(1, iouThr=.75),
                self.summarize_one(1, areaRng="small"), self.summarize_one(1, areaRng="medium"),
                self.summarize_one(1, areaRng="large"), self.summarize_one(0, maxDets=1),
                self.summarize_one(0, maxDets=10), self.summarize_one(0, maxDets=100),
                self.summarize_one(0, areaRng="small"), self.summarize_one(0, areaRng="medium"),
                self.summarize_one(0, areaRng="large")]
        return dict(zip(keys, vals))

    def per_class_ap(self):
        out = []
        for k in range(len(self.params.catIds)):
            s = self.precision[:, :, k, 0, 2]
            out.append(float(np.mean(s[s > -1])) if np.any(s > -1) else None)
        return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "resources", "fixtures", "eval", "random_scenes.json")
    out_path = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else default)
    rng = np.random.default_rng(SEED)
    images, detections = make_scenes(rng)

    voc = [voc_eval(images, detections, k) for k in range(len(CLASS_NAMES))]
    present = [r for r in voc if r is not None]
    coco = CocoEval(images, detections, len(CLASS_NAMES))
    coco.evaluate()
    coco.accumulate()
    expected = {
        "voc07_map50": float(np.mean([r["ap07"] for r in present])),
        "voc_map50": float(np.mean([r["ap"] for r in present])),
        "per_class_voc07": [None if r is None else r["ap07"] for r in voc],
        "per_class_voc": [None if r is None else r["ap"] for r in voc],
        "per_class_npos": [0 if r is None else r["npos"] for r in voc],
        "pr_curves": [None if r is None else {"recall": r["recall"], "precision": r["precision"]} for r in voc],
        "coco": coco.stats(),
        "per_class_coco_ap": coco.per_class_ap(),
        "coco_iou_thresholds": coco.params.iouThrs.tolist(),
        "coco_recall_thresholds": coco.params.recThrs.tolist(),
    }
    doc = {"generator": "src/test/python/make_eval_fixture.py (seed %d, numpy %s)" % (SEED, np.__version__),
           "class_names": CLASS_NAMES, "images": images, "detections": detections, "expected": expected}
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote %s: %d images, %d objects, %d detections" % (
        out_path, len(images), sum(len(im["objects"]) for im in images), len(detections)))
    print("VOC07 mAP50 %.6f  VOC mAP50 %.6f" % (expected["voc07_map50"], expected["voc_map50"]))
    print("COCO " + "  ".join("%s %.6f" % kv for kv in expected["coco"].items()))


if __name__ == "__main__":
    main()
