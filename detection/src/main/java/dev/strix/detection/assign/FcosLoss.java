package dev.strix.detection.assign;

import dev.strix.detection.model.LevelOutput;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.losses.BinaryLosses;
import dev.strix.nn.losses.BoxLosses;
import dev.strix.nn.losses.CrossEntropyLoss;
import dev.strix.nn.losses.Reduction;
import dev.strix.nn.losses.RegressionLosses;
import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ShapeOps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The FCOS losses (Tian et al., ICCV 2019) as one scalar per task, keyed {@value #CLS}, {@value #BOX} and
 * {@value #CTR}, from the head outputs of all levels and an {@link Assignment}.
 *
 * <p>Legend: rows i run over the N*L locations of the batch (see {@link Assignment}); P is the set of positive
 * rows, V the rows that are not {@link Assignment#IGNORE ignored}, {@code n_pos = |P|}; x the class logits,
 * y the one-hot class targets, (l, t, r, b) predicted and (l*, t*, r*, b*) target distances in pixels,
 * c* the centerness target, z the centerness logit, s the location's stride.
 * <pre>
 *   cls  FOCAL  sum_{i in V} sum_c FL(x_ic, y_ic; alpha, gamma) / max(1, n_pos)          (Lin et al. 2017)
 *        BCE    sum_{i in V} sum_c BCE(x_ic, y_ic) / max(1, n_pos)
 *        SOFTMAX_CE  mean_{i in V} CE(x_i, class_i), class_i = C (the last logit) for background
 *   box  IoU family (GIoU, DIoU, CIoU, IoU): both boxes are built around the location, (-l, -t, r, b) and
 *        (-l*, -t*, r*, b*), which leaves every IoU-based loss unchanged (they are translation invariant)
 *        sum_{i in P} c*_i * loss_i / max(1e-6, sum_{i in P} c*_i)
 *        pointwise (smooth L1, L1, MSE): loss_i = sum over the 4 sides of loss((l, t, r, b)/s, (l*, t*, r*, b*)/s),
 *        weighted the same way
 *   ctr  sum_{i in P} BCE(z_i, c*_i) / max(1, n_pos)
 * </pre>
 * Selection is done by masks so that no gather op is needed: per-location losses are computed on all rows and
 * multiplied by 0/1 masks and weights before summing. Rows outside P get a valid dummy box
 * (-1, -1, 1, 1) on both sides (prediction times 0 plus the dummy), so their loss and gradient are exactly 0 and
 * no NaN can come from them. With no positive in the batch, box and ctr are 0 (with history).
 *
 * <p>An instance keeps host scratch arrays for the targets: use one per thread.
 */
public final class FcosLoss {
    /** Key of the classification loss. */
    public static final String CLS = "cls";
    /** Key of the box regression loss. */
    public static final String BOX = "box";
    /** Key of the centerness loss. */
    public static final String CTR = "ctr";
    /** Lower bound on the sum of the box weights (FCOS's 1e-6). */
    public static final float BOX_WEIGHT_EPS = 1e-6f;

    private static final float[] DUMMY_BOX = {-1f, -1f, 1f, 1f};
    private static final float[] SIDE_SIGN = {-1f, -1f, 1f, 1f};

    private final FcosLossConfig config;
    private float[] clsTarget = new float[0];
    private float[] valid = new float[0], positive = new float[0], ctrTarget = new float[0];
    private float[] boxScale = new float[0], boxShift = new float[0], boxTarget = new float[0];

    public FcosLoss(FcosLossConfig config) {
        this.config = config;
    }

    /** The losses of DetNet's recipe ({@link FcosLossConfig#defaults()}). */
    public FcosLoss() {
        this(FcosLossConfig.defaults());
    }

    public FcosLossConfig config() {
        return config;
    }

    /**
     * The three task losses, each a 0-d tensor on the outputs' device with history back to the outputs: the
     * assignment made into targets by {@link #targets} (uploaded afresh on every call), then
     * {@link #compute(List, Targets)}.
     *
     * @param outputs per level (in the assignment grid's level order): cls (N, C, h, w) (C + 1 channels for
     *                SOFTMAX_CE), box (N, 4, h, w) distances in pixels, ctr (N, 1, h, w)
     * @param targets the assignment of the same batch on the same grid
     * @return an insertion-ordered map {cls, box, ctr}
     */
    public Map<String, Tensor> compute(List<LevelOutput> outputs, Assignment targets) {
        checkLayout(outputs, targets.grid(), targets.numImages());
        return compute(outputs, targets(targets, numClasses(outputs.get(0).cls().size(1)), outputs.get(0).cls().device()));
    }

    /**
     * The three task losses from targets already on the device. Only device ops run here: nothing is uploaded
     * and nothing is read back, so with targets made once before a CUDA graph capture the whole loss (and its
     * backward pass) can be captured and replayed.
     *
     * @param outputs per level, as for {@link #compute(List, Assignment)}, on the targets' device
     * @param targets made by {@link #targets} for this loss's configuration
     * @return an insertion-ordered map {cls, box, ctr}
     */
    public Map<String, Tensor> compute(List<LevelOutput> outputs, Targets targets) {
        if (!targets.config.equals(config))
            throw new IllegalArgumentException("the targets were made for another loss configuration");
        LevelGrid grid = targets.grid;
        checkLayout(outputs, grid, targets.numImages);
        int rows = targets.rows;
        int numClasses = numClasses(outputs.get(0).cls().size(1));
        if (numClasses != targets.numClasses)
            throw new IllegalArgumentException("the classification output has " + numClasses + " classes but the "
                    + "targets were made for " + targets.numClasses);

        List<Tensor> clsLevels = new ArrayList<>(), boxLevels = new ArrayList<>(), ctrLevels = new ArrayList<>();
        for (LevelOutput o : outputs) {
            clsLevels.add(o.cls());
            boxLevels.add(o.box());
            ctrLevels.add(o.ctr());
        }
        Tensor cls = flattenLevels(clsLevels);                          // (rows, channels)
        Tensor box = flattenLevels(boxLevels);                          // (rows, 4)
        Tensor ctr = ShapeOps.reshape(flattenLevels(ctrLevels), rows); // (rows)

        Map<String, Tensor> losses = new LinkedHashMap<>();
        losses.put(CLS, classificationLoss(cls, targets));
        losses.put(BOX, boxLoss(box, targets));
        losses.put(CTR, MathOps.scale(BinaryLosses.bceWithLogits(ctr, targets.ctrTarget, targets.positive,
                Reduction.SUM), targets.posNorm));
        return losses;
    }

    /**
     * The targets of one assignment as tensors on {@code device}, made on the host and uploaded once, with the
     * normalisers the losses divide by (from the number of positives and the sum of the centerness targets,
     * computed on the host here). They stay valid after the assignment is reused.
     *
     * @param a          the assignment of the batch
     * @param numClasses classes C of the model (the SOFTMAX_CE output has C + 1 channels)
     * @param device     where the outputs live
     * @throws IllegalArgumentException when a positive's class is not below {@code numClasses}
     */
    public Targets targets(Assignment a, int numClasses, Device device) {
        if (numClasses < 1) throw new IllegalArgumentException("the model must have at least 1 class, got " + numClasses);
        int rows = a.numImages() * a.grid().numLocations();
        int numPositives = fillTargets(a, numClasses, rows);
        double weightSum = 0;
        for (int i = 0; i < rows; i++) weightSum += ctrTarget[i]; // c* on positives, 0 elsewhere
        return new Targets(this, a, numClasses, rows, numPositives, weightSum, device);
    }

    /**
     * The targets of one batch on the device (see {@link #targets}): immutable, reusable for every step on the
     * same batch. Shapes: R = N * L rows.
     */
    public static final class Targets {
        private final FcosLossConfig config;
        private final LevelGrid grid;
        private final int numImages, numClasses, rows, numPositives;
        /** 1 / max(1, n_pos). */
        private final float posNorm;
        /** 1 / max(1e-6, sum of the centerness targets). */
        private final float boxNorm;
        /** (R, C) one-hot classes, FOCAL and BCE only. */
        private final Tensor clsTarget;
        /** (R, 1) 0 on ignored rows, 1 elsewhere; null when no row is ignored. */
        private final Tensor validMask;
        /** (R, C + 1) per-class weights of the cross-entropy, SOFTMAX_CE only. */
        private final Tensor ceWeights;
        /** Rows that take part in the cross-entropy, SOFTMAX_CE only. */
        private final int ceRows;
        /** (R, 4) box scale, shift (null for pointwise losses) and target. */
        private final Tensor boxScale, boxShift, boxTarget;
        /** (R) 1 on positives; (R) c* on positives, 0 elsewhere (also the box weight). */
        private final Tensor positive, ctrTarget;

        private Targets(FcosLoss loss, Assignment a, int numClasses, int rows, int numPositives, double weightSum,
                        Device device) {
            FcosLossConfig c = loss.config;
            this.config = c;
            this.grid = a.grid();
            this.numImages = a.numImages();
            this.numClasses = numClasses;
            this.rows = rows;
            this.numPositives = numPositives;
            this.posNorm = 1f / Math.max(1, numPositives);
            this.boxNorm = (float) (1.0 / Math.max(BOX_WEIGHT_EPS, weightSum));
            boolean softmax = c.classification() == FcosLossConfig.ClassificationLoss.SOFTMAX_CE;
            this.clsTarget = softmax ? null : Tensor.from(device, loss.clsTarget, rows, numClasses);
            this.validMask = !softmax && a.numIgnored() > 0 ? Tensor.from(device, loss.valid, rows, 1) : null;
            if (softmax) {
                float[] w = new float[rows * (numClasses + 1)];
                int[] classes = a.classes();
                int valid = 0;
                for (int i = 0; i < rows; i++) {
                    int k = classes[i];
                    if (k == Assignment.IGNORE) continue;
                    valid++;
                    w[i * (numClasses + 1) + (k == Assignment.BACKGROUND ? numClasses : k)] = 1f;
                }
                this.ceWeights = Tensor.from(device, w, rows, numClasses + 1);
                this.ceRows = valid;
            } else {
                this.ceWeights = null;
                this.ceRows = 0;
            }
            this.boxScale = Tensor.from(device, loss.boxScale, rows, 4);
            this.boxShift = c.box().isPointwise() ? null : Tensor.from(device, loss.boxShift, rows, 4);
            this.boxTarget = Tensor.from(device, loss.boxTarget, rows, 4);
            this.positive = Tensor.from(device, loss.positive, rows);
            this.ctrTarget = Tensor.from(device, loss.ctrTarget, rows);
        }

        /** Positive rows n_pos. */
        public int numPositives() {
            return numPositives;
        }

        /** Rows R = N * L. */
        public int rows() {
            return rows;
        }
    }

    /**
     * Per-level maps (N, K, h_k, w_k) as one (N * L, K) matrix, rows image-major then in the grid's flat
     * location order (level-major, row-major y, x), with history.
     */
    public static Tensor flattenLevels(List<Tensor> perLevel) {
        List<Tensor> parts = new ArrayList<>(perLevel.size());
        int n = perLevel.get(0).size(0), k = perLevel.get(0).size(1);
        for (Tensor t : perLevel) {
            if (t.dim() != 4 || t.size(0) != n || t.size(1) != k)
                throw new IllegalArgumentException("level maps must be (" + n + ", " + k + ", h, w), got "
                        + Arrays.toString(t.shape()));
            Tensor nhwc = ShapeOps.permute(t, 0, 2, 3, 1);
            parts.add(ShapeOps.reshape(nhwc, n, t.size(2) * t.size(3), k));
        }
        Tensor all = parts.size() == 1 ? parts.get(0) : ShapeOps.cat(parts, 1);
        return ShapeOps.reshape(all, n * all.size(1), k);
    }

    private static void checkLayout(List<LevelOutput> outputs, LevelGrid grid, int n) {
        if (outputs.size() != grid.numLevels())
            throw new IllegalArgumentException(outputs.size() + " output levels for a grid of " + grid.numLevels());
        for (int k = 0; k < outputs.size(); k++) {
            LevelOutput o = outputs.get(k);
            int h = grid.height(k), w = grid.width(k);
            if (o.stride() != grid.stride(k) || !sizeIs(o.cls(), n, -1, h, w) || !sizeIs(o.box(), n, 4, h, w)
                    || !sizeIs(o.ctr(), n, 1, h, w))
                throw new IllegalArgumentException("level " + k + ": outputs cls " + Arrays.toString(o.cls().shape())
                        + ", box " + Arrays.toString(o.box().shape()) + ", ctr " + Arrays.toString(o.ctr().shape())
                        + " at stride " + o.stride() + " do not match the assignment (N=" + n + ", " + h + "x" + w
                        + " at stride " + grid.stride(k) + ")");
        }
    }

    private static boolean sizeIs(Tensor t, int n, int c, int h, int w) {
        return t.dim() == 4 && t.size(0) == n && (c < 0 || t.size(1) == c) && t.size(2) == h && t.size(3) == w;
    }

    /** Fills the host target arrays for all rows; returns the number of positives. */
    private int fillTargets(Assignment a, int numClasses, int rows) {
        boolean oneHot = config.classification() != FcosLossConfig.ClassificationLoss.SOFTMAX_CE;
        if (oneHot) clsTarget = zeroed(clsTarget, rows * numClasses);
        valid = zeroed(valid, rows);
        positive = zeroed(positive, rows);
        ctrTarget = zeroed(ctrTarget, rows);
        boxScale = zeroed(boxScale, 4 * rows);
        boxShift = zeroed(boxShift, 4 * rows);
        boxTarget = zeroed(boxTarget, 4 * rows);
        int[] classes = a.classes();
        float[] ltrb = a.ltrb(), centerness = a.centerness(), strides = a.grid().locationStrides();
        int locations = a.locationsPerImage();
        boolean pointwise = config.box().isPointwise();
        int count = 0;
        for (int i = 0; i < rows; i++) {
            int c = classes[i];
            if (c >= numClasses) throw new IllegalArgumentException("row " + i + ": class " + c + " but the model has "
                    + numClasses + " classes");
            valid[i] = c == Assignment.IGNORE ? 0f : 1f;
            boolean pos = c >= 0;
            if (pos) {
                count++;
                positive[i] = 1f;
                ctrTarget[i] = centerness[i];
                if (oneHot) clsTarget[i * numClasses + c] = 1f;
            }
            float invStride = 1f / strides[i % locations];
            for (int s = 0; s < 4; s++) {
                int e = 4 * i + s;
                if (pointwise) {
                    boxScale[e] = pos ? invStride : 0f;
                    boxTarget[e] = pos ? ltrb[e] * invStride : 0f;
                } else {
                    boxScale[e] = pos ? SIDE_SIGN[s] : 0f;
                    boxShift[e] = pos ? 0f : DUMMY_BOX[s];
                    boxTarget[e] = pos ? SIDE_SIGN[s] * ltrb[e] : DUMMY_BOX[s];
                }
            }
        }
        return count;
    }

    private static float[] zeroed(float[] a, int n) {
        if (a.length != n) return new float[n]; // exact size: Tensor.from takes the whole array
        Arrays.fill(a, 0, n, 0f);
        return a;
    }

    private Tensor classificationLoss(Tensor cls, Targets t) {
        switch (config.classification()) {
            case FOCAL -> {
                Tensor per = BinaryLosses.sigmoidFocalLoss(cls, t.clsTarget, config.focalAlpha(), config.focalGamma(),
                        Reduction.NONE);
                if (t.validMask != null) per = MathOps.mul(per, t.validMask);
                return MathOps.scale(per.sum(), t.posNorm);
            }
            case BCE -> {
                return MathOps.scale(BinaryLosses.bceWithLogits(cls, t.clsTarget, t.validMask, Reduction.SUM), t.posNorm);
            }
            case SOFTMAX_CE -> {
                if (t.ceRows == 0) // every location ignored: a zero loss rather than CE's NaN
                    return MathOps.scale(cls.sum(), 0f);
                return CrossEntropyLoss.crossEntropy(cls, t.ceWeights, t.ceRows, Reduction.MEAN);
            }
            default -> throw new IllegalStateException("unknown classification loss " + config.classification());
        }
    }

    private Tensor boxLoss(Tensor box, Targets t) {
        Tensor pred = MathOps.mul(box, t.boxScale);
        Tensor target = t.boxTarget;
        Tensor perRow;
        float eps = config.iouEps();
        switch (config.box()) {
            case SMOOTH_L1 -> perRow = RegressionLosses.smoothL1(pred, target, config.smoothL1Beta(), Reduction.NONE);
            case L1 -> perRow = RegressionLosses.l1(pred, target, Reduction.NONE);
            case MSE -> perRow = RegressionLosses.mse(pred, target, Reduction.NONE);
            default -> {
                Tensor predBox = MathOps.add(pred, t.boxShift);
                perRow = switch (config.box()) {
                    case GIOU -> BoxLosses.giouLoss(predBox, target, eps, Reduction.NONE);
                    case DIOU -> BoxLosses.diouLoss(predBox, target, eps, Reduction.NONE);
                    case CIOU -> BoxLosses.ciouLoss(predBox, target, eps, Reduction.NONE);
                    case IOU -> BoxLosses.iouLoss(predBox, target, eps, Reduction.NONE);
                    default -> throw new IllegalStateException("unknown box loss " + config.box());
                };
            }
        }
        // pointwise losses are (rows, 4): the (rows, 1) weight broadcasts over the sides; IoU losses are (rows)
        // the weight is c* on positives and 0 elsewhere, which is exactly the centerness target
        Tensor weight = perRow.dim() == 2 ? ShapeOps.reshape(t.ctrTarget, t.rows, 1) : t.ctrTarget;
        return MathOps.scale(MathOps.mul(perRow, weight).sum(), t.boxNorm);
    }

    private int numClasses(int channels) {
        int numClasses = config.classification() == FcosLossConfig.ClassificationLoss.SOFTMAX_CE ? channels - 1 : channels;
        if (numClasses < 1) throw new IllegalArgumentException("classification output has " + channels + " channels");
        return numClasses;
    }
}
