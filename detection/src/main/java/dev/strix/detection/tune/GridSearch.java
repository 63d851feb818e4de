package dev.strix.detection.tune;

import dev.strix.detection.plot.BarChart;
import dev.strix.detection.train.TrainConfig;
import dev.strix.detection.train.TrainConfigJson;
import dev.strix.detection.train.TrainData;
import dev.strix.nn.io.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Grid search over loss weights ({@code strix tune}). Every grid point is trained with the same seed and budget,
 * either once on the training split and scored on the validation split, or (with k folds) k times on k - 1 folds of
 * the training split and scored on the held-out fold ({@link KFold}, folds drawn from the run seed). The score is
 * the validation VOC mAP50 of the final weights; with folds, the mean over the folds (and its sample standard
 * deviation). The best point is the one with the highest mean; ties go to the point listed first in the grid. A
 * point with a failed trial (e.g. stopped by non-finite losses) is ranked last, with the reason.
 *
 * <p>Files in the output folder: {@value #TRIALS_CSV} (one row per trial and fold), {@value #SUMMARY_MD} (points,
 * best first), {@value #PLOT} (mean mAP per point), {@value #BEST_CONFIG} (the base config with the best weights
 * and the budget's epochs: a config.json that {@code strix train --config} runs as it is), {@value #PLAN} (what
 * was searched; a search started again over the folder must be the same one), and {@code trials/<name>/} (each
 * trial's run folder, {@code <point>} or {@code <point>_fold<f>}).
 */
public final class GridSearch {
    public static final String TRIALS_CSV = "trials.csv";
    public static final String SUMMARY_MD = "summary.md";
    public static final String PLOT = "tune_map.png";
    public static final String BEST_CONFIG = "best_config.json";
    public static final String PLAN = "tune.json";

    /**
     * What to search.
     *
     * @param base      the config every trial starts from (data, model, optimizer, run settings); its strategy is
     *                  replaced by the grid's and its epochs by the budget
     * @param grid      the weight grid
     * @param folds     k for k-fold cross-validation on the training split, or 0 to score on the validation split
     * @param budget    epochs or steps per trial
     * @param evalEvery validation cadence of each trial, or 0 to validate only after the last epoch (the score)
     * @param out       the output folder
     */
    public record Options(TrainConfig base, WeightGrid grid, int folds, Budget budget, int evalEvery, Path out) {
        public Options {
            if (folds == 1 || folds < 0) throw new IllegalArgumentException("--folds must be >= 2, got " + folds);
            if (evalEvery < 0) throw new IllegalArgumentException("eval every must be >= 0");
        }
    }

    /**
     * One grid point over its folds.
     *
     * @param weights     the point
     * @param label       {@code cls=0.5,box=2}
     * @param trials      its trials, in fold order
     * @param meanMap50   mean validation VOC mAP50 (NaN when a trial failed)
     * @param stdMap50    sample standard deviation over the folds (NaN with one trial or a failure)
     * @param meanCocoAp  mean COCO AP
     * @param meanSeconds mean training seconds
     * @param failure     the first failed trial's reason, or "" when none failed
     */
    public record PointSummary(Map<String, Double> weights, String label, List<TrialOutcome> trials, double meanMap50,
                               double stdMap50, double meanCocoAp, double meanSeconds, String failure) {
        public boolean failed() {
            return !failure.isEmpty();
        }
    }

    /**
     * What the search found.
     *
     * @param trials     every trial, in the order run
     * @param ranked     the points, best first (failed ones last)
     * @param best       the best point, or null when every point failed
     * @param bestConfig the best config (null when every point failed)
     * @param epochs     epochs per trial
     * @param table      the Markdown summary
     */
    public record Result(List<TrialOutcome> trials, List<PointSummary> ranked, PointSummary best, TrainConfig bestConfig,
                         int epochs, String table) {}

    private GridSearch() {}

    /**
     * Runs the search.
     *
     * @throws IllegalArgumentException when there is nothing to score on, or the folds do not fit the data
     * @throws IllegalStateException    when the folder holds a different search
     */
    public static Result run(Options o, TrialRunner runner, PrintStream progress) throws IOException {
        TrainConfig base = o.base();
        // with folds the trials are scored on held-out parts of the training split; a validation split is not read
        TrainData data = TrainData.open(o.folds() > 0 ? base.withData(withoutValidation(base.data())) : base);
        KFold kfold = o.folds() > 0 ? KFold.split(data.train().size(), o.folds(), base.run().seed()) : null;
        if (kfold == null && data.validation() == null)
            throw new IllegalArgumentException("no validation set to score the trials on: give a validation split "
                    + "(--val-split) or use --folds K");
        int trainImages = kfold != null ? kfold.largestTraining() : data.train().size();
        int epochs = o.budget().epochsFor(trainImages, base.run().batch());
        writePlan(o, epochs);

        int points = o.grid().points().size(), perPoint = Math.max(1, o.folds());
        List<TrialOutcome> trials = new ArrayList<>();
        for (int p = 0; p < points; p++) {
            Map<String, Double> point = o.grid().points().get(p);
            TrainConfig config = trialConfig(o, point, epochs, o.evalEvery() > 0 ? o.evalEvery() : epochs);
            for (int f = 1; f <= perPoint; f++) {
                String name = WeightGrid.folderName(point) + (kfold != null ? "_fold" + f : "");
                TrainData trialData = kfold == null ? data : foldData(data, kfold, f);
                if (kfold != null) writeFold(runner.folder(name), data, kfold, f);
                progress.println(String.format(Locale.ROOT, "tune: trial %d/%d: %s %s%s, %s", trials.size() + 1,
                        points * perPoint, o.grid().strategy(), WeightGrid.label(point, "="),
                        kfold != null ? " (fold " + f + "/" + o.folds() + ")" : "", o.budget().describe(epochs)));
                TrialOutcome t = runner.run(new TrialRunner.Trial(name, WeightGrid.label(point, "="), kfold != null ? f : 0,
                        config, trialData));
                progress.println("tune: " + name + ": " + (t.failed() ? "FAILED: " + t.reason()
                        : String.format(Locale.ROOT, "VOC mAP50 %.4f, COCO AP %.4f (%.1f s)", t.vocMap50(), t.cocoAp(), t.seconds())));
                trials.add(t);
                writeTrialsCsv(o.out().resolve(TRIALS_CSV), o.grid(), trials);
            }
        }
        List<PointSummary> ranked = rank(o.grid(), trials);
        PointSummary best = ranked.isEmpty() || ranked.getFirst().failed() || Double.isNaN(ranked.getFirst().meanMap50())
                ? null : ranked.getFirst();
        TrainConfig bestConfig = best == null ? null : trialConfig(o, best.weights(), epochs, base.run().evalEvery());
        String table = summaryMarkdown(o, epochs, ranked, best);
        ReportFiles.writeAtomically(o.out().resolve(SUMMARY_MD), table);
        writePlot(o.out().resolve(PLOT), o, ranked);
        if (bestConfig != null) {
            Map<String, Object> tuned = new LinkedHashMap<>();
            tuned.put("strategy", o.grid().strategy());
            tuned.put("weights", best.label());
            tuned.put("folds", (long) o.folds());
            tuned.put("budget_epochs", (long) epochs);
            tuned.put("mean_voc_map50", best.meanMap50());
            ReportFiles.writeAtomically(o.out().resolve(BEST_CONFIG), TrainConfigJson.write(bestConfig, Map.of("tuned", tuned)));
        } else {
            Files.deleteIfExists(o.out().resolve(BEST_CONFIG));
        }
        return new Result(trials, ranked, best, bestConfig, epochs, table);
    }

    /** The base config with point {@code p}'s strategy options, {@code epochs} epochs and validation cadence. */
    static TrainConfig trialConfig(Options o, Map<String, Double> p, int epochs, int evalEvery) {
        TrainConfig base = o.base();
        String strategy = o.grid().strategy();
        Map<String, Object> baseOptions = base.loss().strategy().equals(strategy) ? base.loss().strategyOptions() : Map.of();
        TrainConfig.Loss loss = new TrainConfig.Loss(base.loss().cls(), base.loss().box(), strategy,
                o.grid().strategyOptions(p, baseOptions));
        TrainConfig.Run r = base.run();
        TrainConfig.Run run = new TrainConfig.Run(r.size(), r.batch(), epochs, r.device(), r.seed(), evalEvery,
                r.maxConsecutiveNonFinite(), r.measureEvery(), r.logEvery());
        return base.withLoss(loss).withRun(run);
    }

    /** {@code d} without a validation split. */
    public static TrainConfig.Data withoutValidation(TrainConfig.Data d) {
        return new TrainConfig.Data(d.format(), d.dir(), d.split(), null, d.syntheticCount(), d.syntheticValCount(),
                d.syntheticSeed(), d.syntheticClasses(), d.workers(), d.strict(), d.augment());
    }

    static TrainData foldData(TrainData data, KFold kfold, int fold) {
        String k = "fold " + fold + "/" + kfold.k();
        return new TrainData(new SubsetDataset(data.train(), kfold.training(fold - 1), k + " training part"),
                new SubsetDataset(data.train(), kfold.heldOut(fold - 1), k + " held out"));
    }

    /** fold.json: which images of the training split the trial held out (its config.json names the whole split). */
    private static void writeFold(Path dir, TrainData data, KFold kfold, int fold) throws IOException {
        List<Object> ids = new ArrayList<>();
        for (int i : kfold.heldOut(fold - 1)) ids.add(data.train().annotation(i).imageId());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fold", (long) fold);
        m.put("folds", (long) kfold.k());
        m.put("split_images", (long) kfold.n());
        m.put("held_out_image_ids", ids);
        ReportFiles.writeAtomically(dir.resolve("fold.json"), Json.writePretty(m, 2) + "\n");
    }

    private static void writePlan(Options o, int epochs) throws IOException {
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("command", "tune");
        plan.put("strategy", o.grid().strategy());
        List<Object> points = new ArrayList<>();
        for (Map<String, Double> p : o.grid().points()) points.add(WeightGrid.label(p, "="));
        plan.put("points", points);
        plan.put("folds", (long) o.folds());
        plan.put("epochs", (long) epochs);
        plan.put("eval_every", (long) o.evalEvery());
        plan.put("config", Json.parse(o.base().toJson()));
        checkPlan(o.out().resolve(PLAN), Json.writePretty(plan, 2) + "\n");
    }

    /** Writes {@code text} to {@code file}, or checks that an earlier search in the folder wrote the same. */
    static void checkPlan(Path file, String text) throws IOException {
        if (Files.isRegularFile(file)) {
            if (!Files.readString(file).equals(text))
                throw new IllegalStateException(file.getParent() + " holds results of a different search (" + file
                        + " differs from this one's settings); choose another --out folder, or repeat the same command "
                        + "to continue that search");
            return;
        }
        ReportFiles.writeAtomically(file, text);
    }

    /** The points with their fold statistics, best first (stable: ties keep grid order), failed ones last. */
    static List<PointSummary> rank(WeightGrid grid, List<TrialOutcome> trials) {
        List<PointSummary> out = new ArrayList<>();
        for (Map<String, Double> p : grid.points()) {
            String label = WeightGrid.label(p, "=");
            List<TrialOutcome> mine = trials.stream().filter(t -> t.group().equals(label)).toList();
            if (mine.isEmpty()) continue;
            String failure = mine.stream().filter(TrialOutcome::failed).map(t -> (t.fold() > 0 ? "fold " + t.fold() + ": " : "")
                    + t.reason()).findFirst().orElse("");
            double mean = Double.NaN, std = Double.NaN, coco = Double.NaN;
            if (failure.isEmpty()) {
                mean = mine.stream().mapToDouble(TrialOutcome::vocMap50).average().orElse(Double.NaN);
                coco = mine.stream().mapToDouble(TrialOutcome::cocoAp).average().orElse(Double.NaN);
                if (mine.size() > 1) {
                    double m = mean, ss = mine.stream().mapToDouble(t -> (t.vocMap50() - m) * (t.vocMap50() - m)).sum();
                    std = Math.sqrt(ss / (mine.size() - 1));
                }
            }
            double seconds = mine.stream().mapToDouble(TrialOutcome::seconds).average().orElse(Double.NaN);
            out.add(new PointSummary(p, label, mine, mean, std, coco, seconds, failure));
        }
        List<PointSummary> sorted = new ArrayList<>(out);
        sorted.sort(Comparator.comparingInt((PointSummary s) -> s.failed() || Double.isNaN(s.meanMap50()) ? 1 : 0)
                .thenComparing(Comparator.comparingDouble((PointSummary s) -> Double.isNaN(s.meanMap50()) ? 0 : s.meanMap50())
                        .reversed()));
        return sorted;
    }

    /** trials.csv: one row per trial; one weight column {@code w_<key>} per grid key. */
    static void writeTrialsCsv(Path file, WeightGrid grid, List<TrialOutcome> trials) throws IOException {
        List<String> header = new ArrayList<>(List.of("trial", "strategy"));
        for (String k : grid.keys()) header.add("w_" + k);
        header.addAll(List.of("fold", "seed", "status", "voc_map50", "voc07_map50", "coco_ap", "ap50", "ap75", "loss_cls",
                "loss_box", "loss_ctr", "mean_cosine", "epochs", "steps", "skipped_steps", "seconds", "reason"));
        StringBuilder sb = new StringBuilder(ReportFiles.csvLine(header));
        for (TrialOutcome t : trials) {
            Map<String, Double> point = pointOf(grid, t.group());
            List<String> row = new ArrayList<>(List.of(t.name(), grid.strategy()));
            for (String k : grid.keys()) row.add(WeightGrid.number(point.get(k)));
            row.addAll(List.of(Integer.toString(t.fold()), Long.toString(t.seed()), t.failed() ? "failed" : "ok",
                    ReportFiles.cell(t.vocMap50()), ReportFiles.cell(t.voc07Map50()), ReportFiles.cell(t.cocoAp()),
                    ReportFiles.cell(t.ap50()), ReportFiles.cell(t.ap75()), ReportFiles.cell(t.lossCls()),
                    ReportFiles.cell(t.lossBox()), ReportFiles.cell(t.lossCtr()), ReportFiles.cell(t.meanCosine()),
                    Integer.toString(t.epochs()), Long.toString(t.steps()), Long.toString(t.skippedSteps()),
                    ReportFiles.cell(t.seconds()), t.reason()));
            sb.append(ReportFiles.csvLine(row));
        }
        ReportFiles.writeAtomically(file, sb.toString());
    }

    private static Map<String, Double> pointOf(WeightGrid grid, String label) {
        for (Map<String, Double> p : grid.points()) if (WeightGrid.label(p, "=").equals(label)) return p;
        throw new IllegalStateException("trial of unknown grid point " + label);
    }

    static String summaryMarkdown(Options o, int epochs, List<PointSummary> ranked, PointSummary best) {
        boolean folds = o.folds() > 0;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "## strix tune: strategy %s, %d grid points, %s%n%n", o.grid().strategy(),
                o.grid().points().size(), folds ? o.folds() + "-fold cross-validation on the training split"
                        : "scored on the validation split"));
        s.append(String.format(Locale.ROOT, "Every trial: seed %d, %s, size %d, batch %d. Score: VOC mAP50 of the final "
                        + "weights%s; best first. Seconds: training with validation (the first trial also pays the JIT "
                        + "warm-up).%n%n", o.base().run().seed(), o.budget().describe(epochs), o.base().run().size(),
                o.base().run().batch(), folds ? ", mean over the folds (std: sample standard deviation)" : ""));
        List<String> header = new ArrayList<>(List.of("rank", "weights"));
        List<Boolean> numeric = new ArrayList<>(List.of(true, false));
        header.add(folds ? "mean VOC mAP50" : "VOC mAP50");
        numeric.add(true);
        if (folds) {
            header.add("std");
            numeric.add(true);
        }
        header.addAll(List.of("COCO AP", "loss cls", "loss box", "loss ctr", "seconds", "status"));
        numeric.addAll(List.of(true, true, true, true, true, false));
        s.append(ReportFiles.markdownRow(header)).append(ReportFiles.markdownRule(numeric));
        int rank = 1;
        for (PointSummary p : ranked) {
            List<String> row = new ArrayList<>(List.of(p.failed() ? "-" : Integer.toString(rank++), p.label(),
                    ReportFiles.fixed(p.meanMap50(), 4)));
            if (folds) row.add(ReportFiles.fixed(p.stdMap50(), 4));
            row.add(ReportFiles.fixed(p.meanCocoAp(), 4));
            for (int task = 0; task < 3; task++) row.add(ReportFiles.fixed(meanLoss(p.trials(), task), 4));
            row.add(ReportFiles.fixed(p.meanSeconds(), 1));
            row.add(p.failed() ? "failed: " + ReportFiles.shortReason(p.failure(), 120) : "ok");
            s.append(ReportFiles.markdownRow(row));
        }
        s.append('\n');
        if (best != null)
            s.append("Best: ").append(best.label()).append(" -> `").append(BEST_CONFIG).append("` (run it with `strix train "
                    + "--config ").append(BEST_CONFIG).append(" --out RUN`).\n");
        else s.append("Every grid point failed; no ").append(BEST_CONFIG).append(" was written.\n");
        return s.toString();
    }

    private static double meanLoss(List<TrialOutcome> trials, int task) {
        return trials.stream().mapToDouble(t -> task == 0 ? t.lossCls() : task == 1 ? t.lossBox() : t.lossCtr())
                .average().orElse(Double.NaN);
    }

    private static void writePlot(Path file, Options o, List<PointSummary> ranked) {
        List<PointSummary> inGridOrder = new ArrayList<>();
        for (Map<String, Double> p : o.grid().points())
            for (PointSummary s : ranked) if (s.weights().equals(p)) inGridOrder.add(s);
        if (inGridOrder.isEmpty()) return;
        List<String> labels = inGridOrder.stream().map(PointSummary::label).toList();
        double[] map = inGridOrder.stream().mapToDouble(PointSummary::meanMap50).toArray();
        double[] coco = inGridOrder.stream().mapToDouble(PointSummary::meanCocoAp).toArray();
        String what = o.folds() > 0 ? " (mean of " + o.folds() + " folds)" : "";
        try {
            new BarChart("Validation mAP per loss-weight setting (strategy " + o.grid().strategy() + ")" + what, "mAP", labels)
                    .valueFormat("%.3f").addSeries("VOC mAP50", map).addSeries("COCO AP", coco)
                    .writePng(file, Math.max(900, 90 * labels.size() + 200), 600);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
