package dev.strix.detection.train;

import dev.strix.detection.assign.FcosLossConfig;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.mtl.StrategyFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything that defines a training run; written to the run folder as {@code config.json} and read back by
 * {@code --resume} (see {@link TrainConfigJson}). Start from {@link #defaults()} and replace sections.
 *
 * @param data  where the images come from and how they are augmented
 * @param model the network
 * @param loss  the task losses and how they are combined
 * @param optim optimizer, schedule, clipping and EMA
 * @param run   size, batch, epochs, device, seed, evaluation and logging cadence
 */
public record TrainConfig(Data data, Model model, Loss loss, Optim optim, Run run) {
    /** The dataset formats. */
    public static final List<String> FORMATS = List.of("voc", "coco", "yolo", "synthetic");
    /** The optimizers. */
    public static final List<String> OPTIMIZERS = List.of("sgd", "adamw");

    public TrainConfig {
        if (data == null || model == null || loss == null || optim == null || run == null)
            throw new IllegalArgumentException("every config section must be given");
        if (model.sharing().equals("independent") && loss.strategy().equals("gradnorm"))
            throw new IllegalArgumentException("strategy 'gradnorm' balances gradient norms on the last shared layer, "
                    + "which independent sharing does not have: use sharing 'shared' (or 'auto')");
        if (model.sharing().equals("shared") && loss.strategy().equals("independent"))
            throw new IllegalArgumentException("strategy 'independent' optimises each task's parameters on its own loss "
                    + "only, which needs one trunk per task: use sharing 'independent' (or 'auto'), not 'shared'");
    }

    /**
     * The data.
     *
     * @param format            voc, coco, yolo or synthetic
     * @param dir               dataset root (VOCdevkit or VOC2007 folder; COCO folder with
     *                          {@code annotations/instances_<split>.json} and {@code <split>/} or
     *                          {@code images/<split>/}; YOLO folder with {@code images/<split>}, {@code labels/<split>});
     *                          null for synthetic data generated in memory
     * @param split             training split
     * @param valSplit          validation split, or null for none (synthetic: a held-out set of
     *                          {@code syntheticValCount} scenes from another seed)
     * @param syntheticCount    synthetic training scenes
     * @param syntheticValCount synthetic validation scenes (0: no validation)
     * @param syntheticSeed     seed of the synthetic scenes (validation uses {@code seed + 1})
     * @param syntheticClasses  classes of the synthetic scenes (1..8)
     * @param workers           loader threads that decode and augment ahead of the step
     * @param strict            stop at the first unreadable image instead of skipping it with a warning
     * @param augment           training augmentation
     */
    public record Data(String format, String dir, String split, String valSplit, int syntheticCount, int syntheticValCount,
                       long syntheticSeed, int syntheticClasses, int workers, boolean strict, Augment augment) {
        public Data {
            format = lower(format);
            if (!FORMATS.contains(format))
                throw new IllegalArgumentException("format must be one of " + String.join("|", FORMATS) + ", got '" + format + "'");
            if (!format.equals("synthetic") && (dir == null || dir.isBlank()))
                throw new IllegalArgumentException("format " + format + " needs a data folder");
            if (split == null || split.isBlank()) throw new IllegalArgumentException("the training split must be given");
            if (valSplit != null && valSplit.isBlank()) valSplit = null;
            if (syntheticCount < 1) throw new IllegalArgumentException("synthetic count must be >= 1, got " + syntheticCount);
            if (syntheticValCount < 0) throw new IllegalArgumentException("synthetic validation count must be >= 0");
            if (syntheticClasses < 1 || syntheticClasses > 8)
                throw new IllegalArgumentException("synthetic classes must be in [1, 8], got " + syntheticClasses);
            if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
            if (augment == null) throw new IllegalArgumentException("augmentation settings must be given");
        }

        /** In-memory synthetic scenes: {@code count} for training, {@code valCount} held out. */
        public static Data synthetic(int count, int valCount, long seed, int classes) {
            return new Data("synthetic", null, "train", "val", count, valCount, seed, classes, 2, false, Augment.defaults());
        }

        /** A dataset on disk. */
        public static Data onDisk(String format, String dir, String split, String valSplit) {
            return new Data(format, dir, split, valSplit, 512, 128, 0, 8, 2, false, Augment.defaults());
        }

        public Data withWorkers(int n) {
            return new Data(format, dir, split, valSplit, syntheticCount, syntheticValCount, syntheticSeed, syntheticClasses,
                    n, strict, augment);
        }

        public Data withStrict(boolean s) {
            return new Data(format, dir, split, valSplit, syntheticCount, syntheticValCount, syntheticSeed, syntheticClasses,
                    workers, s, augment);
        }

        public Data withAugment(Augment a) {
            return new Data(format, dir, split, valSplit, syntheticCount, syntheticValCount, syntheticSeed, syntheticClasses,
                    workers, strict, a);
        }
    }

    /**
     * Training augmentation (see {@code AugmentConfig}).
     *
     * @param flip        horizontal flip probability
     * @param scaleMin    smallest scale jitter factor on the letterbox scale
     * @param scaleMax    largest scale jitter factor
     * @param colorJitter photometric jitter on or off
     * @param mosaic      probability of a four-image mosaic
     */
    public record Augment(double flip, double scaleMin, double scaleMax, boolean colorJitter, double mosaic) {
        public Augment {
            if (!(flip >= 0 && flip <= 1) || !(mosaic >= 0 && mosaic <= 1))
                throw new IllegalArgumentException("flip and mosaic probabilities must lie in [0, 1]");
            if (!(scaleMin > 0) || !(scaleMax >= scaleMin))
                throw new IllegalArgumentException("need 0 < scale_min <= scale_max, got " + scaleMin + ", " + scaleMax);
        }

        /** DetNet's recipe: flip 0.5, scale 0.6-1.4, colour jitter, no mosaic. */
        public static Augment defaults() {
            return new Augment(0.5, 0.6, 1.4, true, 0);
        }

        /** No augmentation at all. */
        public static Augment none() {
            return new Augment(0, 1, 1, false, 0);
        }
    }

    /**
     * The network.
     *
     * @param width       backbone base width w
     * @param fpnChannels pyramid and head channels F
     * @param towerDepth  conv layers per head tower D
     * @param sharing     shared, independent, or auto (independent for the strategy of that name, else shared)
     */
    public record Model(int width, int fpnChannels, int towerDepth, String sharing) {
        public Model {
            if (width < 1 || fpnChannels < 1 || towerDepth < 0)
                throw new IllegalArgumentException("need width >= 1, fpn channels >= 1, tower depth >= 0; got " + width
                        + ", " + fpnChannels + ", " + towerDepth);
            sharing = lower(sharing == null ? "auto" : sharing);
            if (!List.of("shared", "independent", "auto").contains(sharing))
                throw new IllegalArgumentException("sharing must be shared|independent|auto, got '" + sharing + "'");
        }

        /** The benchmark DetNet: w 16, F 64, D 2, sharing auto. */
        public static Model defaults() {
            return new Model(16, 64, 2, "auto");
        }

        /** The sharing mode for {@code strategy}, resolving auto. */
        public SharingMode sharingFor(String strategy) {
            return sharing.equals("auto") ? SharingMode.defaultFor(strategy) : SharingMode.parse(sharing);
        }
    }

    /**
     * The task losses and their combination.
     *
     * @param cls             focal, bce or softmax_ce
     * @param box             giou, diou, ciou, iou, smooth_l1, l1 or mse
     * @param strategy        a name of {@link StrategyFactory#NAMES}
     * @param strategyOptions the strategy's options (e.g. {@code weights}, {@code box_weight}); strings, numbers,
     *                        booleans, lists or maps
     */
    public record Loss(String cls, String box, String strategy, Map<String, Object> strategyOptions) {
        public Loss {
            cls = lower(cls);
            box = lower(box);
            strategy = lower(strategy);
            FcosLossConfig.ClassificationLoss.parse(cls);
            FcosLossConfig.BoxLoss.parse(box);
            if (!StrategyFactory.NAMES.contains(strategy))
                throw new IllegalArgumentException("unknown strategy '" + strategy + "'; valid strategies: "
                        + String.join(", ", StrategyFactory.NAMES));
            strategyOptions = strategyOptions == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(strategyOptions));
            if (strategyOptions.containsKey("measure"))
                throw new IllegalArgumentException("strategy option 'measure' is set by the trainer (run.measure_every)");
        }

        /** Focal + GIoU, strategy {@code weighted} with unit weights. */
        public static Loss defaults() {
            return new Loss("focal", "giou", "weighted", Map.of());
        }

        public FcosLossConfig lossConfig() {
            return FcosLossConfig.defaults().withClassification(FcosLossConfig.ClassificationLoss.parse(cls))
                    .withBox(FcosLossConfig.BoxLoss.parse(box));
        }

        /** True when the classifier has a background logit (softmax cross-entropy). */
        public boolean softmax() {
            return lossConfig().classification() == FcosLossConfig.ClassificationLoss.SOFTMAX_CE;
        }
    }

    /**
     * Optimizer, schedule, clipping and weight averaging.
     *
     * @param optimizer    sgd or adamw
     * @param lr           base learning rate
     * @param momentum     SGD momentum (AdamW: beta1)
     * @param weightDecay  weight decay of weights (none on norms and biases)
     * @param warmupSteps  linear warm-up steps; when 0, {@code warmupEpochs} epochs
     * @param warmupEpochs linear warm-up in epochs (used when warmupSteps is 0)
     * @param cosine       cosine decay after the warm-up (else constant)
     * @param minLrFactor  the cosine's final learning rate as a fraction of the base rate
     * @param gradClip     clip the total gradient norm to this (0: no clipping)
     * @param ema          keep an exponential moving average of the weights (evaluated and saved)
     * @param emaDecay     EMA decay, ramped up over the first updates
     */
    public record Optim(String optimizer, double lr, double momentum, double weightDecay, int warmupSteps,
                        double warmupEpochs, boolean cosine, double minLrFactor, double gradClip, boolean ema,
                        double emaDecay) {
        public Optim {
            optimizer = lower(optimizer);
            if (!OPTIMIZERS.contains(optimizer))
                throw new IllegalArgumentException("optimizer must be sgd or adamw, got '" + optimizer + "'");
            if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
            if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must lie in [0, 1), got " + momentum);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
            if (warmupSteps < 0 || !(warmupEpochs >= 0)) throw new IllegalArgumentException("warm-up must be >= 0");
            if (!(minLrFactor >= 0 && minLrFactor <= 1)) throw new IllegalArgumentException("min lr factor must lie in [0, 1]");
            if (!(gradClip >= 0)) throw new IllegalArgumentException("grad clip must be >= 0, got " + gradClip);
            if (!(emaDecay >= 0 && emaDecay < 1)) throw new IllegalArgumentException("EMA decay must lie in [0, 1), got " + emaDecay);
        }

        /** DetNet's recipe: SGD lr 0.01, momentum 0.9, weight decay 1e-4, 1 epoch warm-up, cosine to 1%, clip 10, no EMA. */
        public static Optim defaults() {
            return new Optim("sgd", 0.01, 0.9, 1e-4, 0, 1.0, true, 0.01, 10.0, false, 0.9998);
        }

        public Optim withLr(double v) {
            return new Optim(optimizer, v, momentum, weightDecay, warmupSteps, warmupEpochs, cosine, minLrFactor, gradClip, ema, emaDecay);
        }

        public Optim withWarmup(int steps, double epochs) {
            return new Optim(optimizer, lr, momentum, weightDecay, steps, epochs, cosine, minLrFactor, gradClip, ema, emaDecay);
        }

        public Optim withEma(boolean on, double decay) {
            return new Optim(optimizer, lr, momentum, weightDecay, warmupSteps, warmupEpochs, cosine, minLrFactor, gradClip, on, decay);
        }
    }

    /**
     * The run.
     *
     * @param size                    square input side S (multiple of 32)
     * @param batch                   images per step
     * @param epochs                  passes over the training set
     * @param device                  cpu, cuda or auto (as asked; the trainer is given the resolved device)
     * @param seed                    seed of initialisation, data order and augmentation
     * @param evalEvery               evaluate on the validation set every N epochs and after the last (0: never)
     * @param maxConsecutiveNonFinite stop after this many non-finite steps in a row
     * @param measureEvery            measure per-task gradients on the shared trunk every N steps (0: never)
     * @param logEvery                progress line every N steps when stderr is not a terminal
     */
    public record Run(int size, int batch, int epochs, String device, long seed, int evalEvery, int maxConsecutiveNonFinite,
                      int measureEvery, int logEvery) {
        public Run {
            if (size < DetNet.SIZE_MULTIPLE || size % DetNet.SIZE_MULTIPLE != 0)
                throw new IllegalArgumentException("size must be a positive multiple of " + DetNet.SIZE_MULTIPLE + ", got " + size);
            if (batch < 1 || epochs < 1) throw new IllegalArgumentException("batch and epochs must be >= 1");
            device = lower(device == null ? "cpu" : device);
            if (!device.matches("cpu|auto|cuda(:[0-9]{1,4})?"))
                throw new IllegalArgumentException("device must be cpu|cuda|cuda:N|auto, got '" + device + "'");
            if (evalEvery < 0 || measureEvery < 0 || logEvery < 1 || maxConsecutiveNonFinite < 1)
                throw new IllegalArgumentException("eval_every, measure_every >= 0, log_every, max_consecutive_nonfinite >= 1");
        }

        /** Size 256, batch 8, 12 epochs, cpu, seed 0, evaluation every epoch, stop after 10 bad steps, measure every 10. */
        public static Run defaults() {
            return new Run(256, 8, 12, "cpu", 0, 1, 10, 10, 20);
        }
    }

    /** Synthetic data and the benchmark recipe. */
    public static TrainConfig defaults() {
        return new TrainConfig(Data.synthetic(512, 128, 0, 8), Model.defaults(), Loss.defaults(), Optim.defaults(),
                Run.defaults());
    }

    public TrainConfig withData(Data d) {
        return new TrainConfig(d, model, loss, optim, run);
    }

    public TrainConfig withModel(Model m) {
        return new TrainConfig(data, m, loss, optim, run);
    }

    public TrainConfig withLoss(Loss l) {
        return new TrainConfig(data, model, l, optim, run);
    }

    public TrainConfig withOptim(Optim o) {
        return new TrainConfig(data, model, loss, o, run);
    }

    public TrainConfig withRun(Run r) {
        return new TrainConfig(data, model, loss, optim, r);
    }

    /** The resolved sharing mode. */
    public SharingMode sharing() {
        return model.sharingFor(loss.strategy());
    }

    /** This config as JSON (see {@link TrainConfigJson}). */
    public String toJson() {
        return TrainConfigJson.write(this, Map.of());
    }

    /** Reads a config written by {@link #toJson()} (extra top-level keys such as {@code resolved} are ignored). */
    public static TrainConfig fromJson(String json) {
        return TrainConfigJson.read(json);
    }

    private static String lower(String s) {
        return s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
    }
}
