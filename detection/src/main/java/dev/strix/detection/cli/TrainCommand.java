package dev.strix.detection.cli;

import dev.strix.detection.data.DatasetException;
import dev.strix.detection.mtl.StrategyFactory;
import dev.strix.detection.train.TrainConfig;
import dev.strix.detection.train.TrainResult;
import dev.strix.detection.train.Trainer;
import dev.strix.detection.train.TrainingStoppedException;
import dev.strix.nn.Device;
import dev.strix.nn.cuda.DeviceOutOfMemoryException;
import dev.strix.nn.io.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code strix train}: trains DetNet on a dataset and writes a run folder (config.json, metrics.csv, plots,
 * last/best checkpoints and the training state). {@code --resume RUN_DIR} continues a run where it stopped.
 * The last line of stdout is a JSON summary.
 */
final class TrainCommand implements Command {
    private static final String DESCRIPTION = "Trains DetNet (FCOS-style, tasks cls/box/ctr) with a loss-combination "
            + "strategy (" + String.join(", ", StrategyFactory.NAMES) + ") and writes RUN_DIR: config.json, metrics.csv "
            + "(per epoch: losses, task weights, shared-trunk gradient norms and cosines, skipped steps, validation mAP), "
            + "plots (PNG), last.safetensors and best.safetensors (DetNet weights, PyTorch-loadable), "
            + "last.state.safetensors (optimizer, EMA, strategy, schedule: what --resume needs) and checkpoint.json. "
            + "--format synthetic trains on generated scenes and needs no --data. Options after --config FILE "
            + "override the file's values.";

    /** Options that may accompany --resume. */
    private static final Set<String> RESUME_OPTIONS = Set.of("resume", "device", "epochs");

    static OptionSpec spec() {
        return new OptionSpec("train")
                .optional("data", "DIR", "dataset folder (not needed for --format synthetic)")
                .optional("format", "voc|coco|yolo|synthetic", "dataset layout (default synthetic, or voc when --data is given)")
                .optional("split", "NAME", "training split (default train)")
                .optional("val-split", "NAME", "validation split, or 'none' (default val)")
                .optional("out", "RUN_DIR", "run folder to create (required unless --resume)")
                .optional("resume", "RUN_DIR", "continue the run in RUN_DIR (only --device and --epochs may change)")
                .optional("config", "FILE", "start from a config.json (e.g. one written by a run or by strix tune)")
                .optional("epochs", "E", "passes over the training set (default 12)")
                .optional("batch", "B", "images per step (default 8)")
                .optional("size", "S", "input side, a multiple of 32 (default 256)")
                .optional("device", "cpu|cuda|cuda:N|auto", "where to train (default cpu)")
                .optional("strategy", "NAME", "loss combination: " + String.join("|", StrategyFactory.NAMES)
                        + " (default weighted)")
                .optional("weights", "cls=1,box=1,ctr=1", "task weights of --strategy weighted")
                .optional("coupling", "W", "box weight w of --strategy coupled (L_cls + w L_box + L_ctr)")
                .optional("sharing", "shared|independent|auto", "one trunk for all tasks or one per task (default auto: "
                        + "independent for --strategy independent)")
                .optional("cls-loss", "focal|bce|softmax_ce", "classification loss (default focal)")
                .optional("box-loss", "giou|diou|ciou|iou|smooth_l1|l1|mse", "box loss (default giou)")
                .optional("optimizer", "sgd|adamw", "optimizer (default sgd)")
                .optional("lr", "LR", "base learning rate (default 0.01 for sgd, 0.001 for adamw)")
                .optional("momentum", "M", "SGD momentum / AdamW beta1 (default 0.9)")
                .optional("weight-decay", "WD", "weight decay on weights, none on norms and biases (default 1e-4 for "
                        + "sgd, 0.05 for adamw)")
                .optional("warmup", "STEPS", "linear warm-up steps (default: one epoch)")
                .optional("warmup-epochs", "E", "linear warm-up in epochs when --warmup is not given (default 1)")
                .optional("grad-clip", "NORM", "clip the total gradient norm (default 10; 0 turns it off)")
                .flag("ema", "evaluate and save an exponential moving average of the weights")
                .optional("ema-decay", "D", "EMA decay (default 0.9998)")
                .optional("width", "W", "DetNet backbone width (default 16)")
                .optional("fpn", "F", "DetNet FPN channels (default 64)")
                .optional("depth", "D", "DetNet head tower depth (default 2)")
                .optional("mosaic", "P", "probability of a four-image mosaic (default 0)")
                .flag("no-augment", "train without flip, scale and colour jitter")
                .optional("synthetic-count", "N", "synthetic training scenes (default 512)")
                .optional("synthetic-val-count", "N", "synthetic validation scenes (default 128)")
                .optional("synthetic-classes", "C", "synthetic classes, 1 to 8 (default 8)")
                .optional("seed", "N", "seed of initialisation, data order and augmentation (default 0)")
                .optional("workers", "N", "data loader threads (default 2)")
                .optional("eval-every", "N", "validate every N epochs and after the last (default 1; 0: never)")
                .optional("measure-every", "N", "measure per-task gradients on the shared trunk every N steps "
                        + "(default 10; 0: never)")
                .optional("max-nonfinite", "K", "stop after K consecutive non-finite steps (default 10)")
                .flag("strict", "stop at the first unreadable image instead of skipping it");
    }

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train DetNet on a dataset (run folder with metrics, plots, checkpoints)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        OptionSpec spec = spec();
        ParsedArgs a = spec.parse(args);
        if (a.helpRequested()) {
            out.print(spec.help(DESCRIPTION));
            return 0;
        }
        boolean tty = err == System.err && System.console() != null && System.console().isTerminal();
        TrainConfig.Run run = null;   // for the out-of-memory message
        String deviceName = "the device";
        try {
            Trainer trainer;
            if (a.has("resume")) {
                for (String name : optionNames(args))
                    if (!RESUME_OPTIONS.contains(name))
                        throw spec.usage("--" + name + " cannot be combined with --resume (the run's config.json "
                                + "holds its settings; only --device and --epochs may be given)");
                Path dir = a.path("resume");
                if (!Files.isDirectory(dir)) throw spec.usage("--resume " + dir + ": folder not found");
                Device device = Devices.resolve(DeviceSelection.spec(a, "cpu"), err);
                deviceName = device.name();
                run = savedRun(dir);
                trainer = Trainer.resume(dir, device, err, tty, a.intValue("epochs", 0, 1));
            } else {
                if (!a.has("out")) throw spec.usage("missing required option --out RUN_DIR (or --resume RUN_DIR)");
                TrainConfig config = config(spec, a);
                Device device = Devices.resolve(config.run().device(), err);
                deviceName = device.name();
                run = config.run();
                trainer = new Trainer(config, a.path("out"), device, err, tty);
            }
            TrainResult r;
            try (trainer) {
                r = trainer.train();
            }
            out.println(String.format(Locale.ROOT, "trained %d epochs (%d steps, %d skipped; %d unreadable images skipped) in %.1f s; best epoch %d%s; run folder %s",
                    r.epochs(), r.steps(), r.skippedSteps(), r.skippedSamples(), r.seconds(), r.bestEpoch(),
                    r.lastEval() == null ? "" : String.format(Locale.ROOT, "; last validation VOC mAP50 %.4f", r.lastEval().vocMap50()),
                    r.runDir()));
            out.println(Json.write(summary(r)));
            return 0;
        } catch (DeviceOutOfMemoryException e) {
            throw Devices.outOfMemory("train", e, run == null ? 0 : run.batch(), run == null ? 0 : run.size(), deviceName);
        } catch (TrainingStoppedException e) {
            throw CliException.failure("strix train: " + e.getMessage());
        } catch (DatasetException e) {
            throw CliException.failure("strix train: data: " + e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            throw CliException.failure("strix train: " + e.getMessage());
        } catch (IllegalStateException e) {
            throw CliException.failure("strix train: " + e.getMessage());
        }
    }

    /** The machine-readable summary printed as the last line. */
    static Map<String, Object> summary(TrainResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_dir", r.runDir().toString());
        m.put("epochs", (long) r.epochs());
        m.put("steps", r.steps());
        m.put("skipped_steps", r.skippedSteps());
        m.put("skipped_samples", r.skippedSamples());
        m.put("seconds", r.seconds());
        m.put("best_epoch", (long) r.bestEpoch());
        m.put("validation", r.lastEval() == null ? null : r.lastEval().toJsonMap());
        return m;
    }

    /** The run settings in RUN_DIR/config.json, or null when they cannot be read (the trainer then says why). */
    private static TrainConfig.Run savedRun(Path dir) {
        try {
            return TrainConfig.fromJson(Files.readString(dir.resolve(Trainer.CONFIG))).run();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<String> optionNames(List<String> args) {
        return args.stream().filter(s -> s.startsWith("--")).map(s -> s.substring(2).split("=", 2)[0]).toList();
    }

    /** The config: from --config (or the defaults), with every given option applied. */
    static TrainConfig config(OptionSpec spec, ParsedArgs a) {
        TrainConfig base;
        try {
            base = a.has("config") ? TrainConfig.fromJson(Files.readString(a.existingFile("config"))) : TrainConfig.defaults();
        } catch (IOException e) {
            throw spec.usage("--config: cannot read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw spec.usage("--config: " + e.getMessage());
        }
        try {
            TrainConfig.Data d = base.data();
            String format = a.choice("format", a.has("config") ? d.format() : (a.has("data") ? "voc" : "synthetic"),
                    TrainConfig.FORMATS);
            String dir = a.get("data", d.dir());
            if (!format.equals("synthetic")) {
                if (dir == null) throw spec.usage("--format " + format + " needs --data DIR");
                if (!Files.isDirectory(Path.of(dir))) throw spec.usage("--data " + dir + ": folder not found");
            }
            String val = a.get("val-split", d.valSplit() == null ? "none" : d.valSplit());
            TrainConfig.Augment aug = a.has("no-augment") ? TrainConfig.Augment.none() : d.augment();
            if (a.has("mosaic")) aug = new TrainConfig.Augment(aug.flip(), aug.scaleMin(), aug.scaleMax(), aug.colorJitter(),
                    doubleValue(spec, a, "mosaic", 0));
            TrainConfig.Data data = new TrainConfig.Data(format, format.equals("synthetic") ? null : dir,
                    a.get("split", d.split()), val.equals("none") ? null : val,
                    a.intValue("synthetic-count", d.syntheticCount(), 1), a.intValue("synthetic-val-count", d.syntheticValCount(), 0),
                    d.syntheticSeed(), a.intValue("synthetic-classes", d.syntheticClasses(), 1),
                    a.intValue("workers", d.workers(), 1), a.has("strict") || d.strict(), aug);

            TrainConfig.Model m = base.model();
            TrainConfig.Model model = new TrainConfig.Model(a.intValue("width", m.width(), 1), a.intValue("fpn", m.fpnChannels(), 1),
                    a.intValue("depth", m.towerDepth(), 0), a.get("sharing", m.sharing()));

            TrainConfig.Loss l = base.loss();
            String strategy = a.get("strategy", l.strategy()).trim().toLowerCase(Locale.ROOT);
            Map<String, Object> options = new LinkedHashMap<>(strategy.equals(l.strategy()) ? l.strategyOptions() : Map.of());
            if (a.has("weights")) {
                if (!strategy.equals("weighted"))
                    throw spec.usage("--weights sets the task weights of --strategy weighted (strategy is " + strategy + ")");
                options.put("weights", a.get("weights", ""));
            }
            if (a.has("coupling")) {
                if (!strategy.equals("coupled"))
                    throw spec.usage("--coupling sets the box weight of --strategy coupled (strategy is " + strategy + ")");
                options.put("box_weight", doubleValue(spec, a, "coupling", 1));
            }
            TrainConfig.Loss loss = new TrainConfig.Loss(a.get("cls-loss", l.cls()), a.get("box-loss", l.box()), strategy, options);
            // fail here, with the option's name, on a bad strategy option rather than after loading the data
            StrategyFactory.create(strategy, withTasks(options));

            TrainConfig.Optim o = base.optim();
            String optimizer = a.choice("optimizer", o.optimizer(), TrainConfig.OPTIMIZERS);
            boolean switched = !optimizer.equals(o.optimizer());
            double lrDefault = switched ? (optimizer.equals("adamw") ? 0.001 : 0.01) : o.lr();
            double wdDefault = switched ? (optimizer.equals("adamw") ? 0.05 : 1e-4) : o.weightDecay();
            TrainConfig.Optim optim = new TrainConfig.Optim(optimizer, doubleValue(spec, a, "lr", lrDefault),
                    doubleValue(spec, a, "momentum", o.momentum()), doubleValue(spec, a, "weight-decay", wdDefault),
                    a.intValue("warmup", o.warmupSteps(), 0), doubleValue(spec, a, "warmup-epochs", o.warmupEpochs()),
                    o.cosine(), o.minLrFactor(), doubleValue(spec, a, "grad-clip", o.gradClip()), a.has("ema") || o.ema(),
                    doubleValue(spec, a, "ema-decay", o.emaDecay()));

            TrainConfig.Run r = base.run();
            String device = DeviceSelection.spec(a, r.device());
            TrainConfig.Run run = new TrainConfig.Run(a.intValue("size", r.size(), 1), a.intValue("batch", r.batch(), 1),
                    a.intValue("epochs", r.epochs(), 1), device, longValue(spec, a, "seed", r.seed()),
                    a.intValue("eval-every", r.evalEvery(), 0), a.intValue("max-nonfinite", r.maxConsecutiveNonFinite(), 1),
                    a.intValue("measure-every", r.measureEvery(), 0), r.logEvery());
            return new TrainConfig(data, model, loss, optim, run);
        } catch (UsageException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw spec.usage(e.getMessage());
        }
    }

    private static Map<String, Object> withTasks(Map<String, Object> options) {
        Map<String, Object> m = new LinkedHashMap<>(options);
        m.put("tasks", List.of("cls", "box", "ctr"));
        return m;
    }

    static double doubleValue(OptionSpec spec, ParsedArgs a, String name, double fallback) {
        String v = a.get(name, null);
        if (v == null) return fallback;
        try {
            double d = Double.parseDouble(v.trim());
            if (!Double.isFinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw spec.usage("option --" + name + " needs a number, got '" + v + "'");
        }
    }

    static long longValue(OptionSpec spec, ParsedArgs a, String name, long fallback) {
        String v = a.get(name, null);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw spec.usage("option --" + name + " needs an integer, got '" + v + "'");
        }
    }
}
