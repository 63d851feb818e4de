package dev.strix.detection.train;

import dev.strix.detection.assign.Assignment;
import dev.strix.detection.assign.FcosAssigner;
import dev.strix.detection.assign.FcosLoss;
import dev.strix.detection.assign.LevelGrid;
import dev.strix.detection.data.Detection;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.data.SeededRandom;
import dev.strix.detection.data.SyntheticScenes;
import dev.strix.detection.data.augment.Augmenter;
import dev.strix.detection.data.augment.TrainSample;
import dev.strix.detection.eval.EvalResult;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.detection.model.LevelOutput;
import dev.strix.detection.postprocess.PostProcessor;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import dev.strix.nn.io.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The embedded default: DetNet trained on synthetic scenes within a time budget, evaluated on held-out scenes, with a
 * Markdown report ({@link DemoReport}).
 *
 * <p>The recipe: {@value #CLASSES} shape classes, {@value #TRAIN_SCENES} training scenes and {@value #VAL_SCENES}
 * held-out scenes (another seed) of {@value #SIZE} px; DetNet with w = {@value #WIDTH}, F = {@value #FPN},
 * D = {@value #DEPTH}; batch {@value #BATCH}; AdamW (lr 2e-3, weight decay 0.05, none on norms and biases), one
 * epoch of warm-up then cosine decay; EMA of the weights; flip, scale jitter 0.75-1.33 and colour jitter. The number
 * of epochs is chosen to fill the budget: a short calibration times a few training steps on this machine first
 * (between {@value #MIN_EPOCHS} and {@value #MAX_EPOCHS} epochs).
 */
public final class Demo {
    public static final int SIZE = 128;
    public static final int CLASSES = 8;
    public static final int TRAIN_SCENES = 2000;
    public static final int VAL_SCENES = 200;
    public static final int WIDTH = 8;
    public static final int FPN = 32;
    public static final int DEPTH = 2;
    public static final int BATCH = 16;
    public static final int MIN_EPOCHS = 2;
    public static final int MAX_EPOCHS = 40;
    /** Seed of the training scenes; the held-out scenes use the next one. */
    public static final long DATA_SEED = 2024;
    /** Share of the budget planned for training; the rest covers start-up, validation and the report. */
    static final double TRAIN_SHARE = 0.78;

    private Demo() {}

    /**
     * @param out     the run folder (created; must not hold a run)
     * @param device  where to train
     * @param minutes the time budget
     * @param workers     data loader threads
     * @param trainScenes training scenes (the demo uses {@value Demo#TRAIN_SCENES}; fewer for a quick check)
     * @param valScenes   held-out scenes (the demo uses {@value Demo#VAL_SCENES})
     */
    public record Options(Path out, Device device, double minutes, int workers, int trainScenes, int valScenes) {
        public Options {
            if (!(minutes > 0)) throw new IllegalArgumentException("the time budget must be positive, got " + minutes);
            if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
            if (trainScenes < 1 || valScenes < 1) throw new IllegalArgumentException("scene counts must be >= 1");
        }

        /** The demo's scene counts ({@value #TRAIN_SCENES} and {@value #VAL_SCENES}). */
        public Options(Path out, Device device, double minutes, int workers) {
            this(out, device, minutes, workers, TRAIN_SCENES, VAL_SCENES);
        }
    }

    /**
     * What the demo measured.
     *
     * @param runDir       the run folder
     * @param eval         the held-out evaluation of the final (EMA) weights
     * @param epochs       epochs trained
     * @param trainSeconds training time (including per-epoch validation)
     * @param totalSeconds the whole demo, calibration and report included
     * @param report       the Markdown report
     */
    public record Result(Path runDir, EvalResult eval, int epochs, double trainSeconds, double totalSeconds, Path report) {}

    /** The demo's training config for {@code epochs} epochs. */
    public static TrainConfig recipe(int epochs, int workers, String device) {
        return recipe(epochs, workers, device, TRAIN_SCENES, VAL_SCENES);
    }

    static TrainConfig recipe(int epochs, int workers, String device, int trainScenes, int valScenes) {
        TrainConfig.Data data = new TrainConfig.Data("synthetic", null, "train", "val", trainScenes, valScenes, DATA_SEED,
                CLASSES, workers, false, new TrainConfig.Augment(0.5, 0.75, 1.33, true, 0));
        TrainConfig.Model model = new TrainConfig.Model(WIDTH, FPN, DEPTH, "shared");
        TrainConfig.Loss loss = new TrainConfig.Loss("focal", "giou", "weighted", Map.of());
        TrainConfig.Optim optim = new TrainConfig.Optim("adamw", 2e-3, 0.9, 0.05, 0, 1.0, true, 0.01, 10.0, true, 0.9995);
        int evalEvery = evalEvery(epochs);
        TrainConfig.Run run = new TrainConfig.Run(SIZE, BATCH, epochs, device, 0, evalEvery, 10, 25, 25);
        return new TrainConfig(data, model, loss, optim, run);
    }

    /** Validation every few epochs: about six validations per run. */
    static int evalEvery(int epochs) {
        return Math.max(1, epochs / 6);
    }

    /** Calibrates, trains, evaluates and writes the report. */
    public static Result run(Options o, PrintStream progress, boolean tty) throws IOException {
        long start = System.nanoTime();
        if (Files.exists(o.out().resolve(Trainer.CONFIG)))
            throw new IllegalStateException(o.out() + " already holds a run; choose another --out folder");
        double perImage = secondsPerImage(o.device());
        double budget = o.minutes() * 60 * TRAIN_SHARE - (System.nanoTime() - start) / 1e9;
        // an epoch: forward, backward and update of every training scene, plus (on average) a share of a validation
        // pass, whose forward-only cost is about a third of a training image's
        double perEpoch = perImage * (o.trainScenes() + o.valScenes() / 3.0 / evalEvery(MAX_EPOCHS));
        int epochs = (int) Math.max(MIN_EPOCHS, Math.min(MAX_EPOCHS, Math.floor(budget / perEpoch)));
        progress.println(String.format(Locale.ROOT, "demo: %.1f ms per training image here; %d epochs of %d scenes fit a "
                + "%.1f-minute budget", perImage * 1e3, epochs, o.trainScenes(), o.minutes()));
        TrainConfig config = recipe(epochs, o.workers(), "cpu", o.trainScenes(), o.valScenes());
        TrainResult trained;
        Trainer trainer = new Trainer(config, o.out(), o.device(), progress, tty);
        try (trainer) {
            trained = trainer.train();
        }
        progress.println("demo: evaluating on " + o.valScenes() + " held-out scenes");
        Validation.Outcome outcome = Validation.evaluate(trainer.evaluationModel(), trainer.data().validation(), SIZE, false,
                o.device(), BATCH, o.workers(), new PostProcessor());
        Path report = DemoReport.write(o.out(), config, trainer, outcome, trained, (System.nanoTime() - start) / 1e9);
        Files.writeString(o.out().resolve("eval.json"), outcome.result().toJson() + "\n");
        double total = (System.nanoTime() - start) / 1e9;
        return new Result(o.out(), outcome.result(), trained.epochs(), trained.seconds(), total, report);
    }

    /**
     * Seconds per training image on {@code device}: forward/backward passes of the demo model on augmented scenes
     * (augmentation included, as the loader's threads share the cores). The first passes run while the JIT compiles
     * the kernels and are far slower than the rest, so the estimate is the fastest of the last rounds, times a margin
     * for the optimizer update, the EMA and the loader running beside the step.
     */
    static double secondsPerImage(Device device) {
        TrainConfig config = recipe(1, 1, "cpu");
        SyntheticScenes scenes = new SyntheticScenes(DATA_SEED + 99, BATCH, SIZE, CLASSES);
        Augmenter augmenter = new Augmenter(TrainData.augmentation(config));
        Init.seed(12345);
        MultiTaskDetNet model = new MultiTaskDetNet(new DetNetConfig(CLASSES, WIDTH, FPN, DEPTH), SharingMode.SHARED);
        model.to(device);
        model.train();
        FcosAssigner assigner = new FcosAssigner();
        FcosLoss loss = new FcosLoss();
        Assignment assignment = new Assignment();
        int rounds = 8, counted = 4;
        double best = Double.POSITIVE_INFINITY;
        try {
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                float[] images = new float[BATCH * 3 * SIZE * SIZE];
                List<List<ObjectAnnotation>> targets = new ArrayList<>();
                for (int i = 0; i < BATCH; i++) {
                    TrainSample s = augmenter.apply(scenes, i, SeededRandom.mix(r, i, 0));
                    System.arraycopy(s.chw(), 0, images, i * 3 * SIZE * SIZE, 3 * SIZE * SIZE);
                    targets.add(s.objects());
                }
                List<LevelOutput> out = model.forward(Tensor.from(device, images, BATCH, 3, SIZE, SIZE));
                assigner.assign(targets, LevelGrid.of(SIZE, SIZE, out), assignment);
                Map<String, Tensor> losses = loss.compute(out, assignment);
                Tensor total = null;
                for (Tensor l : losses.values()) if (l.requiresGrad()) total = total == null ? l : total.add(l);
                if (total != null) total.backward();
                model.zeroGrad();
                if (r >= rounds - counted) best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        } catch (IOException e) {
            throw new IllegalStateException("demo calibration failed: " + e.getMessage(), e);
        }
        // measured while tuning the demo on 2 cores: the fastest warm round is about 20% quicker than the training
        // loop's average step (optimizer, EMA, loader threads, progress); 1.3 keeps the demo inside its budget
        return 1.3 * best / BATCH;
    }

    /** The summary printed by the command: the metrics as JSON plus time and epochs. */
    public static String summaryJson(Result r) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(r.eval().toJsonMap());
        m.put("epochs", (long) r.epochs());
        m.put("train_seconds", r.trainSeconds());
        m.put("total_seconds", r.totalSeconds());
        m.put("report", r.report().toString());
        return Json.write(m);
    }

    /** Detections of one image id (helper for the report). */
    static List<Detection> of(List<Detection> all, String imageId) {
        List<Detection> out = new ArrayList<>();
        for (Detection d : all) if (d.imageId().equals(imageId)) out.add(d);
        return out;
    }
}
