package dev.strix.detection.tune;

import dev.strix.detection.mtl.StrategyFactory;
import dev.strix.detection.plot.BarChart;
import dev.strix.detection.plot.LineChart;
import dev.strix.detection.train.TrainConfig;
import dev.strix.detection.train.TrainData;
import dev.strix.nn.io.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Side-by-side training of loss-combination strategies ({@code strix compare}): the same data, seed, model,
 * optimizer and budget for each, scored on the validation split.
 *
 * <p>Files in the output folder: {@value #CSV} and {@value #MARKDOWN} (one row per strategy in the order given:
 * VOC mAP50, COCO AP, AP50, AP75, final per-task training losses, mean cosine between the task gradients on the
 * shared trunk, seconds; failed strategies with their reason), {@value #MAP_PLOT} (mAP per strategy),
 * {@value #LOSS_PLOT} (training loss per epoch: the sum of the three task losses, which every strategy reports
 * alike, unlike its own weighted objective), {@value #PLAN}, and {@code trials/<strategy>/} (the run folders).
 */
public final class StrategyComparison {
    public static final String CSV = "compare.csv";
    public static final String MARKDOWN = "compare.md";
    public static final String MAP_PLOT = "compare_map.png";
    public static final String LOSS_PLOT = "compare_loss.png";
    public static final String PLAN = "compare.json";

    /**
     * @param base       the config every strategy starts from; its strategy is replaced, its epochs set by the budget
     * @param strategies names of {@link StrategyFactory#NAMES}, each with its default options
     * @param budget     epochs or steps per strategy
     * @param evalEvery  validation cadence, or 0 to validate only after the last epoch
     * @param out        the output folder
     */
    public record Options(TrainConfig base, List<String> strategies, Budget budget, int evalEvery, Path out) {
        public Options {
            strategies = List.copyOf(strategies);
            if (strategies.isEmpty()) throw new IllegalArgumentException("no strategy to compare");
            for (String s : strategies)
                if (!StrategyFactory.NAMES.contains(s))
                    throw new IllegalArgumentException("unknown strategy '" + s + "'; valid strategies: "
                            + String.join(", ", StrategyFactory.NAMES));
            if (strategies.stream().distinct().count() != strategies.size())
                throw new IllegalArgumentException("a strategy is listed twice in " + strategies);
        }
    }

    /** The trials in the order given, the epochs each trained, and the Markdown table. */
    public record Result(List<TrialOutcome> trials, int epochs, String table) {}

    private StrategyComparison() {}

    /** Parses {@code "weighted,coupled,..."} (names case-insensitive). @throws IllegalArgumentException naming the bad one */
    public static List<String> parseStrategies(String list) {
        List<String> out = new ArrayList<>();
        if (list == null || list.isBlank()) throw new IllegalArgumentException("the strategy list is empty; valid strategies: "
                + String.join(", ", StrategyFactory.NAMES));
        for (String part : list.split(",", -1)) {
            String s = part.trim().toLowerCase(Locale.ROOT);
            if (s.isEmpty()) throw new IllegalArgumentException("empty name in the strategy list '" + list + "'");
            if (!StrategyFactory.NAMES.contains(s))
                throw new IllegalArgumentException("unknown strategy '" + part.trim() + "'; valid strategies: "
                        + String.join(", ", StrategyFactory.NAMES));
            if (out.contains(s)) throw new IllegalArgumentException("strategy '" + s + "' is listed twice");
            out.add(s);
        }
        return out;
    }

    /** Trains every strategy and writes the files. */
    public static Result run(Options o, TrialRunner runner, PrintStream progress) throws IOException {
        TrainData data = TrainData.open(o.base());
        if (data.validation() == null)
            throw new IllegalArgumentException("no validation set to score the strategies on: give a validation split "
                    + "(--val-split)");
        int epochs = o.budget().epochsFor(data.train().size(), o.base().run().batch());
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("command", "compare");
        plan.put("strategies", new ArrayList<Object>(o.strategies()));
        plan.put("epochs", (long) epochs);
        plan.put("eval_every", (long) o.evalEvery());
        plan.put("config", Json.parse(o.base().toJson()));
        GridSearch.checkPlan(o.out().resolve(PLAN), Json.writePretty(plan, 2) + "\n");

        List<TrialOutcome> trials = new ArrayList<>();
        for (String strategy : o.strategies()) {
            progress.println(String.format(Locale.ROOT, "compare: %d/%d: strategy %s, %s", trials.size() + 1,
                    o.strategies().size(), strategy, o.budget().describe(epochs)));
            TrialOutcome t;
            try {
                TrainConfig config = trialConfig(o.base(), strategy, epochs, o.evalEvery() > 0 ? o.evalEvery() : epochs);
                t = runner.run(new TrialRunner.Trial(strategy, strategy, 0, config, data));
            } catch (IllegalArgumentException e) { // settings this strategy refuses (e.g. sharing 'shared' for independent)
                t = TrialOutcome.failure(strategy, strategy, 0, o.base().run().seed(), e.getMessage(), 0, 0, 0, null);
            }
            progress.println("compare: " + strategy + ": " + (t.failed() ? "FAILED: " + t.reason()
                    : String.format(Locale.ROOT, "VOC mAP50 %.4f, COCO AP %.4f (%.1f s)", t.vocMap50(), t.cocoAp(), t.seconds())));
            trials.add(t);
            writeCsv(o.out().resolve(CSV), trials);
        }
        String table = markdown(o, epochs, trials);
        ReportFiles.writeAtomically(o.out().resolve(MARKDOWN), table);
        writePlots(o.out(), trials);
        return new Result(trials, epochs, table);
    }

    /** The base config with {@code strategy} (default options), {@code epochs} epochs and validation cadence. */
    static TrainConfig trialConfig(TrainConfig base, String strategy, int epochs, int evalEvery) {
        TrainConfig.Loss loss = new TrainConfig.Loss(base.loss().cls(), base.loss().box(), strategy, Map.of());
        TrainConfig.Run r = base.run();
        return base.withLoss(loss).withRun(new TrainConfig.Run(r.size(), r.batch(), epochs, r.device(), r.seed(), evalEvery,
                r.maxConsecutiveNonFinite(), r.measureEvery(), r.logEvery()));
    }

    static void writeCsv(Path file, List<TrialOutcome> trials) throws IOException {
        StringBuilder sb = new StringBuilder(ReportFiles.csvLine(List.of("strategy", "status", "seed", "voc_map50",
                "voc07_map50", "coco_ap", "ap50", "ap75", "loss_cls", "loss_box", "loss_ctr", "mean_cosine", "epochs",
                "steps", "skipped_steps", "seconds", "reason")));
        for (TrialOutcome t : trials)
            sb.append(ReportFiles.csvLine(List.of(t.name(), t.failed() ? "failed" : "ok", Long.toString(t.seed()),
                    ReportFiles.cell(t.vocMap50()), ReportFiles.cell(t.voc07Map50()), ReportFiles.cell(t.cocoAp()),
                    ReportFiles.cell(t.ap50()), ReportFiles.cell(t.ap75()), ReportFiles.cell(t.lossCls()),
                    ReportFiles.cell(t.lossBox()), ReportFiles.cell(t.lossCtr()), ReportFiles.cell(t.meanCosine()),
                    Integer.toString(t.epochs()), Long.toString(t.steps()), Long.toString(t.skippedSteps()),
                    ReportFiles.cell(t.seconds()), t.reason())));
        ReportFiles.writeAtomically(file, sb.toString());
    }

    static String markdown(Options o, int epochs, List<TrialOutcome> trials) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "## strix compare: %d strategies%n%n", trials.size()));
        s.append(String.format(Locale.ROOT, "Every strategy: seed %d, %s, size %d, batch %d, %s lr %s; scored on the "
                        + "validation split with the final weights.%n%n", o.base().run().seed(), o.budget().describe(epochs),
                o.base().run().size(), o.base().run().batch(), o.base().optim().optimizer(),
                Double.toString(o.base().optim().lr())));
        s.append(ReportFiles.markdownRow(List.of("strategy", "VOC mAP50", "COCO AP", "AP50", "AP75", "loss cls", "loss box",
                "loss ctr", "grad cosine", "seconds", "status")));
        s.append(ReportFiles.markdownRule(List.of(false, true, true, true, true, true, true, true, true, true, false)));
        for (TrialOutcome t : trials)
            s.append(ReportFiles.markdownRow(List.of(t.name(), ReportFiles.fixed(t.vocMap50(), 4),
                    ReportFiles.fixed(t.cocoAp(), 4), ReportFiles.fixed(t.ap50(), 4), ReportFiles.fixed(t.ap75(), 4),
                    ReportFiles.fixed(t.lossCls(), 4), ReportFiles.fixed(t.lossBox(), 4), ReportFiles.fixed(t.lossCtr(), 4),
                    ReportFiles.fixed(t.meanCosine(), 3), ReportFiles.fixed(t.seconds(), 1),
                    t.failed() ? "failed: " + ReportFiles.shortReason(t.reason(), 120) : "ok")));
        s.append("\ngrad cosine: mean cosine similarity of the task gradients on the shared trunk over the task pairs "
                + "(negative: the tasks pull the trunk apart; '-' without a shared trunk or measurement). Seconds: "
                + "training with validation (the first strategy also pays the JIT warm-up).\n");
        return s.toString();
    }

    private static void writePlots(Path dir, List<TrialOutcome> trials) {
        List<String> names = trials.stream().map(TrialOutcome::name).toList();
        Path map = dir.resolve(MAP_PLOT), loss = dir.resolve(LOSS_PLOT);
        try {
            new BarChart("Validation mAP per strategy", "mAP", names).valueFormat("%.3f")
                    .addSeries("VOC mAP50", trials.stream().mapToDouble(TrialOutcome::vocMap50).toArray())
                    .addSeries("COCO AP", trials.stream().mapToDouble(TrialOutcome::cocoAp).toArray())
                    .writePng(map, Math.max(900, 110 * names.size() + 200), 600);
            LineChart chart = new LineChart("Training loss per epoch (cls + box + ctr)", "epoch", "loss").markers(true);
            for (TrialOutcome t : trials) if (t.lossPerEpoch().length > 0) chart.addSeries(t.name(), t.lossPerEpoch());
            chart.writePng(loss, 900, 560);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the plots in " + dir + ": " + e.getMessage(), e);
        }
    }
}
