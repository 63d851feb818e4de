package dev.strix.detection.model;

import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import dev.strix.nn.layers.BatchNorm2d;
import dev.strix.nn.layers.Conv2d;
import dev.strix.nn.layers.ModuleList;
import dev.strix.nn.layers.ReLU;
import dev.strix.nn.layers.Sequential;
import dev.strix.nn.ops.ActivationOps;
import dev.strix.nn.ops.PoolOps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * DetNet, the benchmark detector: an FCOS-style one-stage detector with a classification task and a box task
 * on a shared trunk. Layer for layer the same as the PyTorch reference {@code detnet.py}, so its state dict
 * has the same names, order and shapes ({@code stem.0.weight}, {@code s1.0.1.running_mean}, ...
 * {@code ctr_out.bias}) and a safetensors file written from one loads into the other.
 *
 * <pre>
 * backbone  stem  cbr(3, w, /2)                                   (N, w,   H/2,  W/2)
 *           s1    cbr(w, 2w, /2), cbr(2w, 2w)                      (N, 2w,  H/4,  W/4)
 *           s2    cbr(2w, 4w, /2), cbr(4w, 4w)               C3    (N, 4w,  H/8,  W/8)
 *           s3    cbr(4w, 8w, /2), cbr(8w, 8w)               C4    (N, 8w,  H/16, W/16)
 *           s4    cbr(8w, 16w, /2), cbr(16w, 16w)            C5    (N, 16w, H/32, W/32)
 *           cbr = conv3x3 (no bias) + BatchNorm + ReLU
 * neck      P5 = lat[2](C5); P4 = lat[1](C4) + up2(P5); P3 = lat[0](C3) + up2(P4)   (1x1 convs to F)
 *           each level then goes through smooth[i] (conv3x3 F -> F)
 * head      shared by the levels: cls_tower, box_tower = D x (conv3x3 F -> F + ReLU)
 *           cls = cls_out(cls_tower(p))                 (N, C, h, w)
 *           box = relu(box_out(box_tower(p))) * stride  (N, 4, h, w)
 *           ctr = ctr_out(box_tower(p))                 (N, 1, h, w)
 * </pre>
 * Convolution weights come from the layers' own initialisation (seed it with {@link Init#seed(long)}); the
 * classification bias starts at -log(99), a prior probability of 0.01 for every class.
 */
public final class DetNet extends Module {
    /** Output strides of the three pyramid levels P3, P4, P5. */
    public static final int[] STRIDES = {8, 16, 32};
    /** H and W of the input must be multiples of this (the coarsest level's stride). */
    public static final int SIZE_MULTIPLE = 32;

    private final DetNetConfig config;
    private final Sequential stem, s1, s2, s3, s4;
    private final List<Conv2d> lat, smooth;
    private final Sequential clsTower, boxTower;
    private final Conv2d clsOut, boxOut, ctrOut;

    /** A DetNet of the given configuration, in training mode. */
    public DetNet(DetNetConfig config) {
        this.config = config;
        int w = config.width(), f = config.fpnChannels();
        stem = registerModule("stem", cbr(3, w, 2));
        s1 = registerModule("s1", stage(w, 2 * w));
        s2 = registerModule("s2", stage(2 * w, 4 * w));
        s3 = registerModule("s3", stage(4 * w, 8 * w));
        s4 = registerModule("s4", stage(8 * w, 16 * w));
        lat = new ArrayList<>();
        for (int c : new int[] {4 * w, 8 * w, 16 * w}) lat.add(new Conv2d(c, f, 1, 1, 0, true));
        registerModule("lat", new ModuleList(lat));
        smooth = new ArrayList<>();
        for (int i = 0; i < STRIDES.length; i++) smooth.add(new Conv2d(f, f, 3, 1, 1, true));
        registerModule("smooth", new ModuleList(smooth));
        clsTower = registerModule("cls_tower", tower(f, config.towerDepth()));
        boxTower = registerModule("box_tower", tower(f, config.towerDepth()));
        clsOut = registerModule("cls_out", new Conv2d(f, config.numClasses(), 3, 1, 1, true));
        boxOut = registerModule("box_out", new Conv2d(f, 4, 3, 1, 1, true));
        ctrOut = registerModule("ctr_out", new Conv2d(f, 1, 3, 1, 1, true));
        Init.constant(clsOut.bias(), -Math.log(99.0)); // prior probability 0.01
    }

    /** The default benchmark DetNet ({@link DetNetConfig#defaults()}). */
    public DetNet() {
        this(DetNetConfig.defaults());
    }

    /** conv3x3 (no bias) + BatchNorm + ReLU: children 0, 1, 2. */
    private static Sequential cbr(int cin, int cout, int stride) {
        return new Sequential(new Conv2d(cin, cout, 3, stride, 1, false), new BatchNorm2d(cout), new ReLU());
    }

    /** A stride-2 cbr followed by a stride-1 cbr. */
    private static Sequential stage(int cin, int cout) {
        return new Sequential(cbr(cin, cout, 2), cbr(cout, cout, 1));
    }

    /** depth x (conv3x3 with bias + ReLU): children 0 (conv), 1 (relu), 2 (conv), ... */
    private static Sequential tower(int channels, int depth) {
        Module[] layers = new Module[2 * depth];
        for (int i = 0; i < depth; i++) {
            layers[2 * i] = new Conv2d(channels, channels, 3, 1, 1, true);
            layers[2 * i + 1] = new ReLU();
        }
        return new Sequential(layers);
    }

    public DetNetConfig config() {
        return config;
    }

    /**
     * Runs the detector.
     *
     * @param x images (N, 3, H, W), H and W positive multiples of 32
     * @return one {@link LevelOutput} per level, strides 8, 16, 32 in that order
     * @throws IllegalArgumentException when x has another shape
     */
    public List<LevelOutput> forward(Tensor x) {
        checkInput(x);
        Tensor c3 = s2.forward(s1.forward(stem.forward(x)));
        Tensor c4 = s3.forward(c3);
        Tensor c5 = s4.forward(c4);
        Tensor p5 = lat.get(2).forward(c5);
        Tensor p4 = lat.get(1).forward(c4).add(PoolOps.upsampleNearest(p5, 2, 2));
        Tensor p3 = lat.get(0).forward(c3).add(PoolOps.upsampleNearest(p4, 2, 2));
        Tensor[] levels = {p3, p4, p5};
        List<LevelOutput> out = new ArrayList<>(levels.length);
        for (int i = 0; i < levels.length; i++) {
            Tensor p = smooth.get(i).forward(levels[i]);
            Tensor ct = clsTower.forward(p), bt = boxTower.forward(p);
            Tensor box = ActivationOps.relu(boxOut.forward(bt)).mul((float) STRIDES[i]);
            out.add(new LevelOutput(clsOut.forward(ct), box, ctrOut.forward(bt), STRIDES[i]));
        }
        return out;
    }

    /** Throws a message that names the rule when {@code x} is not (N, 3, H, W) with H, W multiples of 32. */
    public static void checkInput(Tensor x) {
        int[] s = x.shape();
        String rule = "DetNet input must be (N, 3, H, W) with H and W positive multiples of " + SIZE_MULTIPLE;
        if (s.length != 4) throw new IllegalArgumentException(rule + "; got shape " + Arrays.toString(s));
        if (s[0] < 1 || s[1] != 3)
            throw new IllegalArgumentException(rule + "; got shape " + Arrays.toString(s)
                    + (s[1] != 3 ? " (" + s[1] + " channels)" : " (empty batch)"));
        for (int d = 2; d < 4; d++)
            if (s[d] < SIZE_MULTIPLE || s[d] % SIZE_MULTIPLE != 0)
                throw new IllegalArgumentException(rule + "; got shape " + Arrays.toString(s) + " ("
                        + (d == 2 ? "H" : "W") + "=" + s[d] + " is not a positive multiple of " + SIZE_MULTIPLE + ")");
    }

    /**
     * Forward floating-point operations for one image of h x w pixels, counting a multiply-add as 2 and only the
     * convolutions (bias, batch norm, ReLU, upsampling and additions add well under 1% and are left out). The default
     * configuration at 256 x 256 gives 1.016 GFLOP.
     */
    public long forwardFlops(int h, int w) {
        return DetNetFlops.forward(config, h, w);
    }
}
