package dev.strix.detection.train;

import dev.strix.detection.assign.Assignment;
import dev.strix.detection.assign.FcosAssigner;
import dev.strix.detection.assign.FcosLoss;
import dev.strix.detection.assign.LevelGrid;
import dev.strix.detection.data.Batch;
import dev.strix.detection.data.DataLoader;
import dev.strix.detection.data.augment.Augmenter;
import dev.strix.detection.eval.EvalResult;
import dev.strix.detection.infer.CheckpointMetadata;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.detection.model.LevelOutput;
import dev.strix.detection.mtl.MtlStrategy;
import dev.strix.detection.mtl.SharedParameters;
import dev.strix.detection.mtl.StepResult;
import dev.strix.detection.mtl.StrategyFactory;
import dev.strix.detection.postprocess.PostProcessor;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import dev.strix.nn.optim.AdamW;
import dev.strix.nn.optim.Ema;
import dev.strix.nn.optim.GradClip;
import dev.strix.nn.optim.LinearWarmup;
import dev.strix.nn.optim.LrSchedule;
import dev.strix.nn.optim.Optimizer;
import dev.strix.nn.optim.ParamGroup;
import dev.strix.nn.optim.ParamGroups;
import dev.strix.nn.optim.Scheduler;
import dev.strix.nn.optim.Sgd;
import dev.strix.nn.optim.WarmupCosine;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains a {@link MultiTaskDetNet} as a {@link TrainConfig} says and keeps a run folder (config.json, metrics.csv,
 * plots, checkpoints; see {@link MetricsLog} and {@link Checkpoints}).
 *
 * <p>One step: a batch from the {@link DataLoader} (decoded and augmented ahead on worker threads) is uploaded to
 * the device, the model runs forward, {@link FcosAssigner} assigns targets on the host, {@link FcosLoss} gives the
 * task losses {@code cls, box, ctr}, the {@link MtlStrategy} back-propagates them as it combines them, the gradients
 * are clipped ({@link GradClip}), then the optimizer steps, the schedule advances and the EMA follows. A step whose
 * task losses or total gradient norm are not finite is skipped (no update; the schedule still advances so that it
 * stays tied to the iteration count), counted and reported; after {@code max_consecutive_nonfinite} such steps in a
 * row the run stops with a {@link TrainingStoppedException} and the checkpoint of the last completed epoch stays as
 * it was.
 *
 * <p>Determinism: the model is initialised from {@code Init.seed(seed)}, the loader's order and augmentation depend
 * only on (seed, epoch, image), and every other random choice lives in a state dict, so a run resumed with
 * {@link #resume} continues exactly as an uninterrupted one on the same device and thread count.
 *
 * <p>Not thread-safe; one trainer per run folder.
 */
public final class Trainer implements AutoCloseable {
    /** The config file of a run folder. */
    public static final String CONFIG = "config.json";
    /** Warm-up start factor: the learning rate ramps from 0.1% of the base rate. */
    static final double WARMUP_START = 0.001;

    private final TrainConfig config;
    private final Path runDir;
    private final Device device;
    private final TrainData data;
    private final List<String> classNames;
    private final MultiTaskDetNet model;
    private final SharedParameters sharedParameters;
    private final List<Tensor> trainable;
    private final List<Tensor> allParameters;
    private final MtlStrategy strategy;
    private final Optimizer optimizer;
    private final Scheduler scheduler;
    private final Ema ema;
    private final MultiTaskDetNet evalModel;
    private final DataLoader loader;
    private final FcosAssigner assigner = new FcosAssigner();
    private final FcosLoss loss;
    private final Assignment assignment = new Assignment();
    private final MetricsLog metrics;
    private final ProgressLine progress;
    private final int stepsPerEpoch;
    private final long totalSteps;

    private LossHook lossHook;
    private int stopAfterEpoch = Integer.MAX_VALUE;
    private int epoch;              // last completed epoch
    private long step;              // optimizer steps taken (skipped ones included)
    private long skippedTotal;
    private long skippedSamplesTotal;   // unreadable samples skipped, over all sessions
    private int loaderSkipped;          // the loader's skip count already accounted for
    private int warningsShown;          // the loader's warnings already printed
    private int consecutiveNonFinite;
    private double bestMetric = Double.NEGATIVE_INFINITY;
    private int bestEpoch;
    private double elapsedBefore;   // seconds spent in earlier sessions
    private EvalResult lastEval;
    private LevelGrid grid;

    /**
     * A new run in {@code runDir} (created if missing; an existing config.json or training state there is
     * refused so that a run is never overwritten by accident).
     *
     * @param device   where to train (already resolved from {@code config.run().device()})
     * @param progress where the progress line and notes go (stderr for the command line)
     * @param tty      rewrite the progress line in place
     */
    public Trainer(TrainConfig config, Path runDir, Device device, PrintStream progress, boolean tty) throws IOException {
        this(config, null, runDir, device, progress, tty, false);
    }

    /**
     * A new run on datasets that were opened (or subset, as for cross-validation folds) by the caller instead of
     * from {@code config.data()}; config.json still records {@code config}. Otherwise as
     * {@link #Trainer(TrainConfig, Path, Device, PrintStream, boolean)}.
     */
    public Trainer(TrainConfig config, TrainData data, Path runDir, Device device, PrintStream progress, boolean tty)
            throws IOException {
        this(config, java.util.Objects.requireNonNull(data, "data"), runDir, device, progress, tty, false);
    }

    private Trainer(TrainConfig config, TrainData given, Path runDir, Device device, PrintStream out, boolean tty,
                    boolean resuming) throws IOException {
        this.config = config;
        this.runDir = runDir;
        this.device = device;
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.FileAlreadyExistsException ? "a file of that name is in the way"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : String.valueOf(e.getMessage());
            throw new IOException("cannot create the run folder " + runDir + ": " + why, e);
        }
        if (!resuming && (Files.exists(runDir.resolve(CONFIG)) || Files.exists(runDir.resolve(Checkpoints.STATE))))
            throw new IllegalStateException(runDir + " already holds a run (config.json); resume it with --resume "
                    + runDir + " or choose another --out folder");
        this.progress = new ProgressLine(out, tty, config.run().logEvery());
        this.data = given != null ? given : TrainData.open(config);
        this.classNames = data.classNames();
        int outputs = classNames.size() + (config.loss().softmax() ? 1 : 0);
        DetNetConfig net = new DetNetConfig(outputs, config.model().width(), config.model().fpnChannels(),
                config.model().towerDepth());
        Init.seed(config.run().seed());
        model = new MultiTaskDetNet(net, config.sharing());
        model.to(device);
        model.train();
        sharedParameters = model.sharedParameters();
        trainable = model.parameters();

        Map<String, Object> options = new LinkedHashMap<>(config.loss().strategyOptions());
        options.put("tasks", MultiTaskDetNet.TASKS);
        strategy = StrategyFactory.create(config.loss().strategy(), options);
        strategy.to(device);
        List<ParamGroup> groups = new ArrayList<>(ParamGroups.decayAndNoDecay(model, config.optim().weightDecay()));
        if (!strategy.extraParameters().isEmpty())
            groups.add(new ParamGroup(strategy.extraParameters()).set(ParamGroup.WEIGHT_DECAY, 0.0));
        TrainConfig.Optim o = config.optim();
        optimizer = o.optimizer().equals("sgd")
                ? new Sgd(groups, o.lr(), o.momentum(), 0, o.weightDecay(), false)
                : new AdamW(groups, o.lr(), o.momentum(), 0.999, 1e-8, o.weightDecay());
        allParameters = optimizer.parameters();

        loss = new FcosLoss(config.loss().lossConfig());
        DataLoader.Options lo = new DataLoader.Options(config.run().batch(), config.data().workers(),
                Math.max(2, 2 * config.data().workers()), true, false, config.data().strict(), config.run().seed());
        loader = new DataLoader(data.train(), new Augmenter(TrainData.augmentation(config)), lo);
        stepsPerEpoch = loader.batchesPerEpoch();
        totalSteps = (long) stepsPerEpoch * config.run().epochs();
        if (totalSteps > Integer.MAX_VALUE) throw new IllegalArgumentException("too many steps: " + totalSteps);
        scheduler = new Scheduler(optimizer, schedule(o, stepsPerEpoch, (int) totalSteps));
        ema = o.ema() ? new Ema(model, o.emaDecay(), true) : null;
        evalModel = ema != null ? new MultiTaskDetNet(net, config.sharing()) : model;
        if (ema != null) evalModel.to(device);
        metrics = new MetricsLog(runDir, MultiTaskDetNet.TASKS);
        if (!resuming) {
            Checkpoints.writeAtomically(runDir.resolve(CONFIG), resolvedConfigJson());
            metrics.restore(0);
        }
    }

    /** The learning-rate schedule: linear warm-up, then cosine decay (or constant). */
    static LrSchedule schedule(TrainConfig.Optim o, int stepsPerEpoch, int totalSteps) {
        int warmup = o.warmupSteps() > 0 ? o.warmupSteps() : (int) Math.round(o.warmupEpochs() * stepsPerEpoch);
        warmup = Math.max(0, Math.min(warmup, totalSteps - 1));
        return o.cosine() ? new WarmupCosine(warmup, totalSteps, WARMUP_START, o.minLrFactor())
                : new LinearWarmup(WARMUP_START, warmup);
    }

    /**
     * Continues the run in {@code runDir} from its last completed epoch: the config comes from its config.json,
     * model, optimizer, schedule, EMA, strategy and counters from {@link Checkpoints#STATE}.
     *
     * @param epochs the total number of epochs to reach, or 0 to keep the configured number (a different number
     *               changes the cosine schedule, so the continuation is then no longer the same as one run)
     */
    public static Trainer resume(Path runDir, Device device, PrintStream progress, boolean tty, int epochs) throws IOException {
        return resume(runDir, null, device, progress, tty, epochs);
    }

    /** As {@link #resume(Path, Device, PrintStream, boolean, int)} on datasets given by the caller (null: from config.json). */
    public static Trainer resume(Path runDir, TrainData data, Device device, PrintStream progress, boolean tty, int epochs)
            throws IOException {
        Path cfg = runDir.resolve(CONFIG);
        if (!Files.isRegularFile(cfg)) throw new IOException(cfg + ": not found; is " + runDir + " a run folder?");
        TrainConfig config = TrainConfig.fromJson(Files.readString(cfg));
        if (epochs > 0 && epochs != config.run().epochs()) {
            TrainConfig.Run r = config.run();
            config = config.withRun(new TrainConfig.Run(r.size(), r.batch(), epochs, r.device(), r.seed(), r.evalEvery(),
                    r.maxConsecutiveNonFinite(), r.measureEvery(), r.logEvery()));
        }
        Checkpoints.State state = Checkpoints.readState(runDir);
        for (Path stale : Checkpoints.removeTemporaries(runDir))
            progress.println("removed " + stale + " (left by an interrupted write)");
        Trainer t = new Trainer(config, data, runDir, device, progress, tty, true);
        t.restore(state);
        if (epochs > 0) Checkpoints.writeAtomically(runDir.resolve(CONFIG), t.resolvedConfigJson());
        return t;
    }

    /** Sets a hook applied to every step's losses (fault injection in tests); null for none. */
    public Trainer withLossHook(LossHook hook) {
        this.lossHook = hook;
        return this;
    }

    /** Makes {@link #train()} return after completing epoch {@code epoch} (an interruption that can be resumed). */
    public Trainer stopAfterEpoch(int epoch) {
        this.stopAfterEpoch = epoch;
        return this;
    }

    public TrainConfig config() {
        return config;
    }

    public MultiTaskDetNet model() {
        return model;
    }

    /** The model evaluated and saved: the EMA copy when EMA is on (updated at each epoch end), else the model. */
    public MultiTaskDetNet evaluationModel() {
        return evalModel;
    }

    public List<String> classNames() {
        return classNames;
    }

    public TrainData data() {
        return data;
    }

    public MtlStrategy strategy() {
        return strategy;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    public int completedEpochs() {
        return epoch;
    }

    public MetricsLog metrics() {
        return metrics;
    }

    /**
     * Trains from the epoch after the last completed one to the configured number of epochs (or
     * {@link #stopAfterEpoch}), evaluating, logging and checkpointing after every epoch.
     *
     * @throws TrainingStoppedException after too many non-finite steps in a row
     * @throws UncheckedIOException     when the run folder cannot be written
     */
    public TrainResult train() {
        long start = System.nanoTime();
        int epochs = config.run().epochs();
        progress.message(String.format(Locale.ROOT, "training on %s (%s): %d classes, %d steps/epoch x %d epochs, DetNet %s, "
                        + "%s sharing, strategy %s -> %s", data.train().describe(), device.getClass().getSimpleName(),
                classNames.size(), stepsPerEpoch, epochs, model.config().summary(), model.sharing().label(), strategy.name(),
                runDir));
        List<String> readWarnings = data.readWarnings();
        for (int i = 0; i < Math.min(20, readWarnings.size()); i++) progress.message("warning: data: " + readWarnings.get(i));
        if (readWarnings.size() > 20)
            progress.message("warning: data: " + (readWarnings.size() - 20) + " more entries skipped while reading");
        try {
            while (epoch < epochs && epoch < stopAfterEpoch) runEpoch(epoch + 1, start);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run folder " + runDir + ": " + e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new TrainResult(runDir, epoch, step, skippedTotal, skippedSamplesTotal, seconds, lastEval, bestEpoch,
                bestMetric);
    }

    /** Statistics of one epoch's steps. */
    private static final class EpochStats {
        final int tasks = MultiTaskDetNet.TASKS.size();
        final double[] loss = new double[tasks], weight = new double[tasks], norm = new double[tasks];
        final double[][] cos = new double[tasks][tasks];
        double total;
        int finite, measured, skipped, images;

        void add(StepResult r) {
            for (int t = 0; t < tasks; t++) {
                var s = r.tasks().get(t);
                loss[t] += s.loss();
                weight[t] += s.weight();
            }
            total += r.combinedLoss();
            finite++;
            if (r.gradientsMeasured() && !Double.isNaN(r.tasks().get(0).sharedGradNorm())) {
                for (int t = 0; t < tasks; t++) {
                    var s = r.tasks().get(t);
                    norm[t] += s.sharedGradNorm();
                    for (int u = t + 1; u < tasks; u++)
                        cos[t][u] += s.cosines().getOrDefault(MultiTaskDetNet.TASKS.get(u), Double.NaN);
                }
                measured++;
            }
        }

        double meanLoss(int t) {
            return finite == 0 ? Double.NaN : loss[t] / finite;
        }
    }

    private void runEpoch(int e, long sessionStart) throws IOException {
        long epochStart = System.nanoTime();
        int epochs = config.run().epochs(), size = config.run().size();
        model.train();
        EpochStats stats = new EpochStats();
        Iterator<Batch> batches = loader.epoch(e - 1);
        int index = 0;
        double trainSeconds = 0;
        int measureEvery = config.run().measureEvery();
        while (batches.hasNext()) {
            Batch b = batches.next();
            long t0 = System.nanoTime();
            strategy.setMeasureGradients(measureEvery > 0 && step % measureEvery == 0);
            StepResult r = trainStep(b, size);
            if (r == null) {
                stats.skipped++;
                skippedTotal++;
                consecutiveNonFinite++;
                progress.message(String.format(Locale.ROOT, "epoch %d step %d: non-finite loss or gradient, step skipped "
                        + "(%d in a row, %d in total)", e, index + 1, consecutiveNonFinite, skippedTotal));
                if (consecutiveNonFinite >= config.run().maxConsecutiveNonFinite()) {
                    step++;
                    throw stopped(e);
                }
            } else {
                consecutiveNonFinite = 0;
                stats.add(r);
            }
            stats.images += b.count();
            showDataWarnings();
            scheduler.step();
            step++;
            index++;
            trainSeconds += (System.nanoTime() - t0) / 1e9;
            double elapsed = (System.nanoTime() - epochStart) / 1e9;
            double perStep = elapsed / index;
            long remaining = totalSteps - ((long) (e - 1) * stepsPerEpoch + index);
            Map<String, Double> shown = new LinkedHashMap<>();
            for (int t = 0; t < stats.tasks; t++) shown.put(MultiTaskDetNet.TASKS.get(t), stats.meanLoss(t));
            progress.update(e, epochs, index, stepsPerEpoch, stats.images / elapsed, shown, optimizer.lr(),
                    perStep * remaining);
        }
        if (ema != null) ema.copyTo(evalModel);
        Map<String, Double> means = new LinkedHashMap<>();
        boolean allFinite = stats.finite > 0;
        for (int t = 0; t < stats.tasks; t++) {
            means.put(MultiTaskDetNet.TASKS.get(t), stats.meanLoss(t));
            allFinite &= Double.isFinite(stats.meanLoss(t));
        }
        if (allFinite) strategy.onEpochEnd(means);

        Map<String, Double> row = new LinkedHashMap<>();
        row.put("epoch", (double) e);
        row.put("lr", optimizer.lr());
        for (int t = 0; t < stats.tasks; t++) {
            String task = MultiTaskDetNet.TASKS.get(t);
            row.put("loss_" + task, stats.meanLoss(t));
            row.put("weight_" + task, stats.finite == 0 ? Double.NaN : stats.weight[t] / stats.finite);
            row.put("grad_norm_" + task, stats.measured == 0 ? Double.NaN : stats.norm[t] / stats.measured);
            for (int u = t + 1; u < stats.tasks; u++)
                row.put("cos_" + task + "_" + MultiTaskDetNet.TASKS.get(u),
                        stats.measured == 0 ? Double.NaN : stats.cos[t][u] / stats.measured);
        }
        row.put("loss_total", stats.finite == 0 ? Double.NaN : stats.total / stats.finite);
        row.put("skipped_steps", (double) stats.skipped);
        showDataWarnings();
        int skippedNow = loader.skippedCount();
        row.put("skipped_samples", (double) (skippedNow - loaderSkipped));
        skippedSamplesTotal += skippedNow - loaderSkipped;
        loaderSkipped = skippedNow;
        row.put("images_per_s", stats.images / Math.max(trainSeconds, 1e-9));

        boolean evaluate = data.validation() != null && config.run().evalEvery() > 0
                && (e % config.run().evalEvery() == 0 || e == epochs || e == stopAfterEpoch);
        double metric;
        if (evaluate) {
            lastEval = Validation.evaluate(evalModel, data.validation(), size, config.loss().softmax(), device,
                    config.run().batch(), config.data().workers(), new PostProcessor()).result();
            row.put("val_voc07_map50", lastEval.voc07Map50());
            row.put("val_voc_map50", lastEval.vocMap50());
            row.put("val_coco_ap", lastEval.cocoAp());
            row.put("val_ap50", lastEval.ap50());
            row.put("val_ap75", lastEval.ap75());
            metric = Double.isNaN(lastEval.vocMap50()) ? Double.NEGATIVE_INFINITY : lastEval.vocMap50();
            progress.message(String.format(Locale.ROOT, "epoch %d: validation VOC mAP50 %.4f, VOC07 mAP50 %.4f, COCO AP %.4f "
                    + "(%d images)", e, lastEval.vocMap50(), lastEval.voc07Map50(), lastEval.cocoAp(), lastEval.numImages()));
        } else {
            metric = data.validation() == null && Double.isFinite(row.get("loss_total")) ? -row.get("loss_total")
                    : Double.NEGATIVE_INFINITY;
        }
        double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
        row.put("epoch_time_s", epochSeconds);
        row.put("elapsed_s", elapsedBefore + (System.nanoTime() - sessionStart) / 1e9);
        metrics.append(row);
        try {
            metrics.writePlots(runDir, MultiTaskDetNet.TASKS);
        } catch (IOException | RuntimeException ex) {
            progress.message("warning: plots not written: " + ex.getMessage());
        }
        epoch = e;
        if (metric > bestMetric || bestEpoch == 0) {
            bestMetric = metric;
            bestEpoch = e;
            Checkpoints.writeBest(runDir, evalModel.stateDict(), weightsMetadata());
        }
        saveCheckpoint(row.get("elapsed_s"));
    }

    /** Prints the data loader's warnings about skipped samples that were not printed yet. */
    private void showDataWarnings() {
        List<String> w = loader.warnings();
        for (; warningsShown < w.size(); warningsShown++) progress.message("warning: " + w.get(warningsShown));
    }

    /**
     * One training step; the strategy's report, or null when the step was skipped for a non-finite loss or
     * gradient (the gradients are then cleared and nothing is updated).
     */
    private StepResult trainStep(Batch b, int size) {
        Tensor x = Tensor.from(device, b.images(), b.count(), 3, size, size);
        List<LevelOutput> outputs = model.forward(x);
        LevelGrid g = LevelGrid.of(size, size, outputs);
        if (grid == null || !grid.sameLayout(g)) grid = g;
        assigner.assign(b.targets(), grid, assignment);
        Map<String, Tensor> losses = loss.compute(outputs, assignment);
        if (lossHook != null) losses = lossHook.apply(step, losses);
        for (Tensor l : losses.values()) if (!Float.isFinite(l.item())) return null;
        optimizer.zeroGrad();
        StepResult r = strategy.backward(losses, sharedParameters, trainable);
        double clip = config.optim().gradClip();
        double norm = clip > 0 ? GradClip.clipGradNorm(allParameters, clip) : GradClip.totalNorm(allParameters);
        if (!Double.isFinite(norm) || !Double.isFinite(r.combinedLoss())) {
            optimizer.zeroGrad();
            return null;
        }
        optimizer.step();
        optimizer.zeroGrad();
        if (ema != null) ema.update(model);
        return r;
    }

    /**
     * One step on {@code batch} outside the epoch loop (the schedule advances as in training): the strategy's report,
     * or null when the step was skipped. For tests and tools that drive the steps themselves.
     */
    StepResult stepOn(Batch batch) {
        StepResult r = trainStep(batch, config.run().size());
        scheduler.step();
        step++;
        return r;
    }

    private TrainingStoppedException stopped(int e) {
        String last = epoch == 0 ? "no checkpoint was written yet (the first epoch did not complete)"
                : "the last good checkpoint (epoch " + epoch + ") is kept in " + runDir.resolve(Checkpoints.LAST) + " and "
                + runDir.resolve(Checkpoints.STATE);
        return new TrainingStoppedException(String.format(Locale.ROOT, "training stopped: %d consecutive steps with a "
                        + "non-finite loss or gradient (epoch %d, step %d; %d skipped in total); %s. Lower the learning "
                        + "rate (--lr), enable gradient clipping or check the data.", consecutiveNonFinite, e, step,
                skippedTotal, last), epoch);
    }

    // ---- checkpoints ---------------------------------------------------------------------------------

    /**
     * Metadata of the weights files: what a detector needs to use them ({@link CheckpointMetadata}'s class names and
     * input size, {@code cls_loss}, {@code sharing}), the epoch, and whether they are the EMA's.
     */
    Map<String, String> weightsMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "strix-detnet");
        m.put("epoch", Integer.toString(epoch));
        m.putAll(CheckpointMetadata.entries(classNames, config.run().size()));
        m.put("sharing", model.sharing().label());
        m.put("cls_loss", config.loss().cls());
        m.put("model", model.config().summary());
        m.put("weights", ema != null ? "ema" : "model");
        return m;
    }

    private void saveCheckpoint(double elapsedSeconds) throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> state.put("model." + k, v));
        if (ema != null) ema.stateDict().forEach((k, v) -> state.put("ema." + k, v));
        optimizer.stateDict().forEach((k, v) -> state.put("optim." + k, v));
        strategy.stateDict().forEach((k, v) -> state.put("strategy." + k, v));
        state.put("trainer.epoch", Tensor.ofLongs(new long[] {epoch}));
        state.put("trainer.step", Tensor.ofLongs(new long[] {step}));
        state.put("trainer.scheduler_step", Tensor.ofLongs(new long[] {scheduler.currentStep()}));
        state.put("trainer.ema_updates", Tensor.ofLongs(new long[] {ema == null ? 0 : ema.updates()}));
        state.put("trainer.skipped_steps", Tensor.ofLongs(new long[] {skippedTotal}));
        state.put("trainer.skipped_samples", Tensor.ofLongs(new long[] {skippedSamplesTotal}));
        state.put("trainer.seed", Tensor.ofLongs(new long[] {config.run().seed()}));
        state.put("trainer.data_epoch", Tensor.ofLongs(new long[] {epoch}));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "strix-train-state");
        meta.put("epoch", Integer.toString(epoch));
        meta.put("step", Long.toString(step));
        meta.put("best_metric", Double.toString(bestMetric));
        meta.put("best_epoch", Integer.toString(bestEpoch));
        meta.put("elapsed_s", Double.toString(elapsedSeconds));
        meta.put("strategy", strategy.name());
        meta.put("config", config.toJson());
        Checkpoints.writeLast(runDir, evalModel.stateDict(), weightsMetadata(), state, meta, epoch, step);
    }

    private void restore(Checkpoints.State s) throws IOException {
        String name = s.metadata().get("strategy");
        if (name != null && !name.equals(strategy.name()))
            throw new IllegalArgumentException("the training state is for strategy '" + name + "' but the config says '"
                    + strategy.name() + "'");
        model.loadStateDict(s.section("model."), true);
        optimizer.loadStateDict(s.section("optim."));
        strategy.loadStateDict(s.section("strategy."));
        Map<String, Tensor> trainer = s.section("trainer.");
        long emaUpdates = trainer.get("ema_updates").longs()[0];
        if (ema != null) {
            Map<String, Tensor> shadow = s.section("ema.");
            if (shadow.isEmpty()) throw new IllegalArgumentException("the training state has no EMA weights but the config enables EMA");
            ema.load(shadow, emaUpdates);
            ema.copyTo(evalModel);
        }
        epoch = (int) trainer.get("epoch").longs()[0];
        step = trainer.get("step").longs()[0];
        skippedTotal = trainer.get("skipped_steps").longs()[0];
        Tensor samples = trainer.get("skipped_samples");
        skippedSamplesTotal = samples == null ? 0 : samples.longs()[0];
        scheduler.seek((int) trainer.get("scheduler_step").longs()[0]);
        bestMetric = Double.parseDouble(s.metadata().getOrDefault("best_metric", "-Infinity"));
        bestEpoch = Integer.parseInt(s.metadata().getOrDefault("best_epoch", "0"));
        elapsedBefore = Double.parseDouble(s.metadata().getOrDefault("elapsed_s", "0"));
        metrics.restore(epoch);
        if (Checkpoints.weightsEpoch(runDir.resolve(Checkpoints.LAST)) != epoch) // a crash between the pair's writes
            Checkpoints.writeLast(runDir, evalModel.stateDict(), weightsMetadata(), s.tensors(), s.metadata(), epoch, step);
        progress.message("resuming " + runDir + " after epoch " + epoch + " (step " + step + ")");
    }

    /** config.json: the config plus what was resolved from the data and the device. */
    String resolvedConfigJson() {
        Map<String, Object> resolved = new LinkedHashMap<>();
        resolved.put("class_names", classNames);
        resolved.put("num_classes", classNames.size());
        resolved.put("sharing", config.sharing().label());
        resolved.put("device", device.getClass().getSimpleName());
        resolved.put("train_images", data.train().size());
        resolved.put("val_images", data.validation() == null ? 0 : data.validation().size());
        resolved.put("steps_per_epoch", stepsPerEpoch);
        resolved.put("total_steps", totalSteps);
        resolved.put("model", model.config().summary());
        resolved.put("parameters", model.parameterCount());
        return TrainConfigJson.write(config, Map.of("resolved", resolved));
    }

    @Override
    public void close() {
        loader.close();
    }
}
