package dev.strix.detection.cli;

import dev.strix.detection.data.DatasetException;
import dev.strix.detection.tune.Budget;
import dev.strix.detection.tune.GridSearch;
import dev.strix.detection.tune.TrialOutcome;
import dev.strix.detection.tune.TrialRunner;
import dev.strix.detection.tune.WeightGrid;
import dev.strix.detection.train.TrainConfig;
import dev.strix.kernels.Parallel;
import dev.strix.nn.Device;
import dev.strix.nn.io.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code strix tune}: grid search over the loss weights of strategy {@code weighted} or {@code coupled}, each point
 * trained with the same seed and budget and scored by validation mAP (or k-fold cross-validation). Writes
 * trials.csv, summary.md, a plot, best_config.json and one run folder per trial; the last line of stdout is a JSON
 * summary.
 */
final class TuneCommand implements Command {
    private static final String DESCRIPTION = "Grid search over loss weights. Each grid point trains DetNet with the "
            + "same seed and budget (--budget-epochs or --budget-steps) and is scored by the validation VOC mAP50 of its "
            + "final weights; with --folds K, each point trains K times on K-1 folds of the training split and is "
            + "scored on the held-out fold (mean and std over the folds). --grid lists values per key, keys separated "
            + "by ';': for --strategy weighted the task weights (\"cls=0.5,1,2;box=1,2,5\"; a task left out keeps 1), "
            + "for coupled the coupling weight w of L_cls + w L_box + L_ctr (\"box=0.5,1,2,5\"; also ctr=...). Writes "
            + "DIR/trials.csv (one row per trial and fold), DIR/summary.md (best first; also printed), DIR/"
            + GridSearch.PLOT + ", DIR/best_config.json (run it with 'strix train --config DIR/best_config.json --out "
            + "RUN') and DIR/trials/<point>[_fold<f>]/ (each trial's run folder). A trial that fails (e.g. stopped by "
            + "non-finite losses) is listed as failed with its reason. Repeating the command with the same --out "
            + "reuses finished trials and resumes an interrupted one. The training options below are those of "
            + "'strix train' (defaults: synthetic data when no --data).";

    /** Options of 'strix train' that tune sets itself. */
    static final Set<String> NOT_PASSED = Set.of("out", "resume", "epochs", "strategy", "weights", "coupling");

    static OptionSpec spec() {
        OptionSpec spec = new OptionSpec("tune")
                .required("out", "DIR", "folder for the trials, tables, plot and best_config.json")
                .required("grid", "SPEC", "weights to try: \"cls=0.5,1,2;box=1,2,5\" (weighted) or \"box=0.5,1,2,5\" "
                        + "(coupled)")
                .optional("strategy", "weighted|coupled", "whose weights the grid sets (default weighted, or the strategy of "
                        + "--config when it is one of these)")
                .optional("folds", "K", "k-fold cross-validation on the training split instead of the validation split")
                .optional("budget-epochs", "E", "epochs per trial")
                .optional("budget-steps", "N", "optimizer steps per trial (rounded up to whole epochs)");
        return withTrainingOptions(spec, NOT_PASSED);
    }

    /** Adds the options of 'strix train' except {@code except} (their help as there). */
    static OptionSpec withTrainingOptions(OptionSpec spec, Set<String> except) {
        for (OptionSpec.Option o : TrainCommand.spec().options()) {
            if (except.contains(o.name())) continue;
            if (o.isFlag()) spec.flag(o.name(), o.help());
            else spec.optional(o.name(), o.valueName(), o.help());
        }
        return spec.optional("threads", "T", "kernel worker threads (default " + Parallel.threads() + " here)");
    }

    /** A search or comparison that may throw {@link IOException}. */
    interface Search<T> {
        T run() throws IOException;
    }

    /** Runs {@code body} with the kernel worker threads of {@code --threads} (restored afterwards). */
    static <T> T withThreads(ParsedArgs a, Search<T> body) throws IOException {
        int before = Parallel.threads(), threads = a.intValue("threads", before, 1);
        if (threads != before) Parallel.setThreads(threads);
        try {
            return body.run();
        } finally {
            if (threads != before) Parallel.setThreads(before);
        }
    }

    @Override
    public String name() {
        return "tune";
    }

    @Override
    public String summary() {
        return "grid search over loss weights (optionally k-fold), best config";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        OptionSpec spec = spec();
        ParsedArgs a = spec.parse(args);
        if (a.helpRequested()) {
            out.print(spec.help(DESCRIPTION));
            return 0;
        }
        if (a.has("strategy")) a.choice("strategy", "weighted", WeightGrid.STRATEGIES);
        int folds = a.intValue("folds", 0, 2);
        Budget budget = budget(spec, a);
        TrainConfig base = TrainCommand.config(spec, a);
        // without --strategy: that of --config when a grid can set its weights, else weighted
        String strategy = WeightGrid.STRATEGIES.contains(base.loss().strategy()) ? base.loss().strategy() : "weighted";
        WeightGrid grid;
        try {
            grid = WeightGrid.parse(strategy, a.get("grid", ""));
        } catch (IllegalArgumentException e) {
            throw spec.usage("--grid: " + e.getMessage());
        }
        if (folds > 0 && !base.data().format().equals("synthetic") && !a.has("val-split") && !a.has("config"))
            base = base.withData(GridSearch.withoutValidation(base.data())); // the folds score the trials; no split 'val' is needed
        int evalEvery = a.has("eval-every") ? base.run().evalEvery() : 0;
        Path dir = a.path("out");
        Device device = Devices.resolve(base.run().device(), err);
        boolean tty = err == System.err && System.console() != null && System.console().isTerminal();
        GridSearch.Result r;
        try {
            GridSearch.Options options = new GridSearch.Options(base, grid, folds, budget, evalEvery, dir);
            r = withThreads(a, () -> GridSearch.run(options, new TrialRunner(dir.resolve("trials"), device, err, tty), err));
        } catch (IllegalArgumentException e) {
            throw spec.usage(e.getMessage());
        } catch (DatasetException e) {
            throw CliException.failure("strix tune: data: " + e.getMessage());
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            throw CliException.failure("strix tune: " + e.getMessage());
        }
        out.print(r.table());
        long failed = r.trials().stream().filter(TrialOutcome::failed).count();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("out", dir.toString());
        summary.put("strategy", grid.strategy());
        summary.put("points", (long) grid.points().size());
        summary.put("folds", (long) folds);
        summary.put("epochs", (long) r.epochs());
        summary.put("trials", (long) r.trials().size());
        summary.put("failed_trials", failed);
        summary.put("best", r.best() == null ? null : r.best().label());
        summary.put("best_voc_map50", r.best() == null ? null : r.best().meanMap50());
        summary.put("best_config", r.best() == null ? null : dir.resolve(GridSearch.BEST_CONFIG).toString());
        out.println(Json.write(summary));
        if (r.best() == null)
            throw CliException.failure("strix tune: every grid point failed (see " + dir.resolve(GridSearch.SUMMARY_MD) + ")");
        return 0;
    }

    static Budget budget(OptionSpec spec, ParsedArgs a) {
        if (a.has("budget-epochs") == a.has("budget-steps"))
            throw spec.usage(a.has("budget-epochs") ? "give --budget-epochs or --budget-steps, not both"
                    : "missing the training budget: --budget-epochs E or --budget-steps N");
        if (a.has("budget-epochs")) return Budget.ofEpochs(a.intValue("budget-epochs", 0, 1));
        long steps = TrainCommand.longValue(spec, a, "budget-steps", 0);
        if (steps < 1) throw spec.usage("option --budget-steps must be >= 1, got " + steps);
        return Budget.ofSteps(steps);
    }
}
