package dev.strix.detection.tune;

import dev.strix.detection.data.DatasetException;
import dev.strix.detection.train.Checkpoints;
import dev.strix.detection.train.LossHook;
import dev.strix.detection.train.MultiTaskDetNet;
import dev.strix.detection.train.TrainConfig;
import dev.strix.detection.train.TrainData;
import dev.strix.detection.train.TrainResult;
import dev.strix.detection.train.Trainer;
import dev.strix.detection.train.TrainingStoppedException;
import dev.strix.nn.Device;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs the trials of a search or comparison, each as an ordinary run folder {@code <trialsDir>/<name>} (config.json,
 * metrics.csv, plots, checkpoints) plus {@link TrialOutcome#FILE}.
 *
 * <p>Started again over the same folder, a trial with a {@code trial.json} is not run again; one that was
 * interrupted after a completed epoch continues from its training state; one interrupted before its first epoch
 * starts over. A trial whose training stops (too many non-finite steps in a row) or whose settings are refused is
 * recorded as failed with the reason; a dataset that cannot be read or a folder that cannot be written stops
 * everything.
 */
public final class TrialRunner {
    /**
     * One trial.
     *
     * @param name   folder name under {@code trials/}
     * @param group  the grid point or strategy it tests
     * @param fold   held-out fold, 1-based, or 0
     * @param config the config to train (and to record in the trial's config.json)
     * @param data   the datasets it trains and is scored on
     */
    public record Trial(String name, String group, int fold, TrainConfig config, TrainData data) {}

    private final Path trialsDir;
    private final Device device;
    private final PrintStream progress;
    private final boolean tty;
    private Function<String, LossHook> lossHooks = name -> null;

    public TrialRunner(Path trialsDir, Device device, PrintStream progress, boolean tty) {
        this.trialsDir = trialsDir;
        this.device = device;
        this.progress = progress;
        this.tty = tty;
    }

    /** Sets, per trial name, a hook on the training losses (fault injection in tests; null: none). */
    public TrialRunner withLossHooks(Function<String, LossHook> hooks) {
        this.lossHooks = hooks;
        return this;
    }

    /** The run folder of trial {@code name}. */
    public Path folder(String name) {
        return trialsDir.resolve(name);
    }

    /**
     * Runs (or reuses) {@code t}.
     *
     * @throws DatasetException     when the data cannot be read
     * @throws UncheckedIOException when the trial folder cannot be written
     */
    public TrialOutcome run(Trial t) {
        Path dir = folder(t.name());
        Path record = dir.resolve(TrialOutcome.FILE);
        long start = System.nanoTime();
        if (Files.isRegularFile(record)) {
            try {
                TrialOutcome done = TrialOutcome.fromJson(Files.readString(record));
                progress.println("trial " + t.name() + ": finished earlier, reusing " + record);
                return done;
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalStateException(record + ": cannot reuse the finished trial (" + e.getMessage()
                        + "); delete that file to run the trial again");
            }
        }
        try {
            Files.createDirectories(dir);
            Trainer trainer;
            if (Files.isRegularFile(dir.resolve(Checkpoints.STATE))) {
                trainer = Trainer.resume(dir, t.data(), device, progress, tty, 0);
            } else {
                // interrupted before the first checkpoint: nothing was trained, start over
                Files.deleteIfExists(dir.resolve(Trainer.CONFIG));
                Files.deleteIfExists(dir.resolve("metrics.csv"));
                trainer = new Trainer(t.config(), t.data(), dir, device, progress, tty);
            }
            TrialOutcome outcome;
            try (trainer) {
                trainer.withLossHook(lossHooks.apply(t.name()));
                try {
                    TrainResult r = trainer.train();
                    outcome = finished(t, r, trainer.metrics().rows());
                } catch (TrainingStoppedException e) {
                    outcome = TrialOutcome.failure(t.name(), t.group(), t.fold(), t.config().run().seed(), e.getMessage(),
                            trainer.completedEpochs(), 0, seconds(start), lossPerEpoch(trainer.metrics().rows()));
                }
            }
            ReportFiles.writeAtomically(record, outcome.toJson());
            return outcome;
        } catch (DatasetException | UncheckedIOException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("trial " + t.name() + ": cannot write " + dir + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            TrialOutcome outcome = TrialOutcome.failure(t.name(), t.group(), t.fold(), t.config().run().seed(),
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), 0, 0, seconds(start), null);
            try {
                ReportFiles.writeAtomically(record, outcome.toJson());
            } catch (IOException io) {
                throw new UncheckedIOException("trial " + t.name() + ": cannot write " + record + ": " + io.getMessage(), io);
            }
            return outcome;
        }
    }

    private static TrialOutcome finished(Trial t, TrainResult r, List<Map<String, Double>> rows) {
        if (r.lastEval() == null)
            throw new IllegalStateException("trial " + t.name() + " has no validation result to score");
        Map<String, Double> last = rows.isEmpty() ? Map.of() : rows.getLast();
        double elapsed = last.getOrDefault("elapsed_s", Double.NaN);
        var e = r.lastEval();
        return new TrialOutcome(t.name(), t.group(), t.fold(), false, "", t.config().run().seed(), r.epochs(), r.steps(),
                r.skippedSteps(), e.vocMap50(), e.voc07Map50(), e.cocoAp(), e.ap50(), e.ap75(),
                last.getOrDefault("loss_cls", Double.NaN), last.getOrDefault("loss_box", Double.NaN),
                last.getOrDefault("loss_ctr", Double.NaN), meanCosine(rows),
                Double.isFinite(elapsed) ? elapsed : r.seconds(), lossPerEpoch(rows));
    }

    /** Mean of the finite {@code cos_a_b} cells over all rows and task pairs; NaN when none. */
    static double meanCosine(List<Map<String, Double>> rows) {
        List<String> tasks = MultiTaskDetNet.TASKS;
        double sum = 0;
        int n = 0;
        for (Map<String, Double> row : rows)
            for (int i = 0; i < tasks.size(); i++)
                for (int j = i + 1; j < tasks.size(); j++) {
                    double v = row.getOrDefault("cos_" + tasks.get(i) + "_" + tasks.get(j), Double.NaN);
                    if (Double.isFinite(v)) {
                        sum += v;
                        n++;
                    }
                }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Per row, the sum of the task losses (NaN when one is missing). */
    static double[] lossPerEpoch(List<Map<String, Double>> rows) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            double s = 0;
            for (String task : MultiTaskDetNet.TASKS) s += rows.get(i).getOrDefault("loss_" + task, Double.NaN);
            out[i] = s;
        }
        return out;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** {@code v} with 4 decimals, or "-" for NaN. */
    static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "-";
    }
}
