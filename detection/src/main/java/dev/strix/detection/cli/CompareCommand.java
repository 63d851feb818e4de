package dev.strix.detection.cli;

import dev.strix.detection.data.DatasetException;
import dev.strix.detection.mtl.StrategyFactory;
import dev.strix.detection.tune.Budget;
import dev.strix.detection.tune.StrategyComparison;
import dev.strix.detection.tune.TrialOutcome;
import dev.strix.detection.tune.TrialRunner;
import dev.strix.detection.train.TrainConfig;
import dev.strix.nn.Device;
import dev.strix.nn.io.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code strix compare}: trains DetNet once per loss-combination strategy with the same data, seed and budget and
 * tabulates validation mAP, final task losses and gradient conflict. The last line of stdout is a JSON summary.
 */
final class CompareCommand implements Command {
    private static final String DESCRIPTION = "Trains DetNet once per strategy (each with its default options) on the "
            + "same data, with the same seed, model, optimizer and budget (--budget-epochs or --budget-steps), and "
            + "scores each on the validation split. Writes DIR/compare.csv and DIR/compare.md (strategy, VOC mAP50, "
            + "COCO AP, AP50, AP75, final training losses cls/box/ctr, mean cosine between the task gradients on the "
            + "shared trunk, seconds; also printed), DIR/" + StrategyComparison.MAP_PLOT + " (mAP per strategy), DIR/"
            + StrategyComparison.LOSS_PLOT + " (training loss per epoch) and DIR/trials/<strategy>/ (each run folder). "
            + "A strategy that fails is listed as failed with its reason. Repeating the command with the same --out "
            + "reuses finished strategies. The training options below are those of 'strix train' (defaults: "
            + "synthetic data when no --data).";

    static OptionSpec spec() {
        OptionSpec spec = new OptionSpec("compare")
                .required("out", "DIR", "folder for the run folders, tables and plots")
                .optional("strategies", "A,B,...", "strategies to compare, of " + String.join(", ", StrategyFactory.NAMES)
                        + " (default all)")
                .optional("budget-epochs", "E", "epochs per strategy")
                .optional("budget-steps", "N", "optimizer steps per strategy (rounded up to whole epochs)");
        return TuneCommand.withTrainingOptions(spec, TuneCommand.NOT_PASSED);
    }

    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String summary() {
        return "train each loss strategy with the same budget, compare mAP";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        OptionSpec spec = spec();
        ParsedArgs a = spec.parse(args);
        if (a.helpRequested()) {
            out.print(spec.help(DESCRIPTION));
            return 0;
        }
        List<String> strategies;
        try {
            strategies = a.has("strategies") ? StrategyComparison.parseStrategies(a.get("strategies", ""))
                    : StrategyFactory.NAMES;
        } catch (IllegalArgumentException e) {
            throw spec.usage("--strategies: " + e.getMessage());
        }
        Budget budget = TuneCommand.budget(spec, a);
        TrainConfig base = TrainCommand.config(spec, a);
        if (!a.has("sharing")) {
            // the trunk layout belongs to the strategy being compared (one per task for independent), also when a
            // config.json written by a shared run supplies the rest of the recipe
            TrainConfig.Model m = base.model();
            base = base.withModel(new TrainConfig.Model(m.width(), m.fpnChannels(), m.towerDepth(), "auto"));
        }
        int evalEvery = a.has("eval-every") ? base.run().evalEvery() : 0;
        Path dir = a.path("out");
        Device device = Devices.resolve(base.run().device(), err);
        boolean tty = err == System.err && System.console() != null && System.console().isTerminal();
        StrategyComparison.Result r;
        try {
            StrategyComparison.Options options = new StrategyComparison.Options(base, strategies, budget, evalEvery, dir);
            r = TuneCommand.withThreads(a, () -> StrategyComparison.run(options,
                    new TrialRunner(dir.resolve("trials"), device, err, tty), err));
        } catch (IllegalArgumentException e) {
            throw spec.usage(e.getMessage());
        } catch (DatasetException e) {
            throw CliException.failure("strix compare: data: " + e.getMessage());
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            throw CliException.failure("strix compare: " + e.getMessage());
        }
        out.print(r.table());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("out", dir.toString());
        summary.put("epochs", (long) r.epochs());
        summary.put("seed", base.run().seed());
        Map<String, Object> map = new LinkedHashMap<>();
        List<Object> failed = new ArrayList<>();
        for (TrialOutcome t : r.trials()) {
            map.put(t.name(), t.failed() ? null : t.vocMap50());
            if (t.failed()) failed.add(t.name());
        }
        summary.put("voc_map50", map);
        summary.put("failed", failed);
        out.println(Json.write(summary));
        if (failed.size() == r.trials().size())
            throw CliException.failure("strix compare: every strategy failed (see " + dir.resolve(StrategyComparison.MARKDOWN) + ")");
        return 0;
    }
}
