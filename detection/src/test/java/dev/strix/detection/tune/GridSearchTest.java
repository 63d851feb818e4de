package dev.strix.detection.tune;

import dev.strix.detection.train.TrainConfig;
import dev.strix.detection.train.TrainConfigJson;
import dev.strix.detection.train.TrainData;
import dev.strix.detection.train.Trainer;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Tensor;
import dev.strix.nn.io.Json;
import dev.strix.nn.ops.MathOps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The grid search with k folds, a failing trial, ranking, and a search started again over its folder. */
class GridSearchTest {
    @TempDir
    Path dir;

    /** Synthetic 64 px scenes ({@code images} for training, 4 held out), DetNet w 4 F 8 D 1, batch 4, stop at 1 bad step. */
    static TrainConfig tiny(int images) {
        TrainConfig.Data data = new TrainConfig.Data("synthetic", null, "train", "val", images, 4, 3, 2, 1, false,
                TrainConfig.Augment.defaults());
        return new TrainConfig(data, new TrainConfig.Model(4, 8, 1, "auto"),
                new TrainConfig.Loss("focal", "giou", "weighted", Map.of()),
                new TrainConfig.Optim("sgd", 0.01, 0.9, 1e-4, 0, 1.0, true, 0.01, 10.0, false, 0.999),
                new TrainConfig.Run(64, 4, 3, "cpu", 11, 1, 1, 1, 1000));
    }

    private static Map<String, Tensor> nanLoss(Map<String, Tensor> losses) {
        Map<String, Tensor> m = new LinkedHashMap<>(losses);
        m.put("cls", MathOps.scale(losses.get("cls"), Float.NaN));
        return m;
    }

    @Test
    void kFoldSearchRecordsAFailedPointAndPicksTheBestOfTheRest() throws IOException {
        Path out = dir.resolve("tune");
        WeightGrid grid = WeightGrid.parse("weighted", "cls=2,1");
        GridSearch.Options o = new GridSearch.Options(tiny(8), grid, 2, Budget.ofEpochs(1), 0, out);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream progress = new PrintStream(log, true, StandardCharsets.UTF_8);
        TrialRunner runner = new TrialRunner(out.resolve("trials"), CpuDevice.INSTANCE, progress, false)
                .withLossHooks(name -> name.startsWith("cls2_") ? (step, losses) -> nanLoss(losses) : null);
        GridSearch.Result r = GridSearch.run(o, runner, progress);

        assertEquals(4, r.trials().size());
        assertEquals(List.of("cls2_fold1", "cls2_fold2", "cls1_fold1", "cls1_fold2"),
                r.trials().stream().map(TrialOutcome::name).toList());
        for (TrialOutcome t : r.trials()) {
            assertEquals(11, t.seed(), "every trial has the run seed");
            assertEquals(t.name().startsWith("cls2_"), t.failed(), t.name() + ": " + t.reason());
            if (t.failed()) assertTrue(t.reason().contains("non-finite"), t.reason());
            else assertEquals(1, t.epochs());
        }
        // the point with a failed fold ranks last; the other is best, with the mean and sample std of its folds
        assertEquals("cls=1", r.best().label());
        assertEquals(List.of("cls=1", "cls=2"), r.ranked().stream().map(GridSearch.PointSummary::label).toList());
        assertTrue(r.ranked().get(1).failed() && r.ranked().get(1).failure().startsWith("fold 1: training stopped"),
                r.ranked().get(1).failure());
        double a = r.trials().get(2).vocMap50(), b = r.trials().get(3).vocMap50();
        assertEquals((a + b) / 2, r.best().meanMap50(), 1e-12);
        assertEquals(Math.abs(a - b) / Math.sqrt(2), r.best().stdMap50(), 1e-12);

        // trials.csv: a header and one row per trial; failed rows carry their reason
        List<List<String>> csv = CsvFiles.read(out.resolve(GridSearch.TRIALS_CSV));
        assertEquals(5, csv.size());
        List<String> header = csv.getFirst();
        assertEquals("w_cls", header.get(2));
        assertEquals(List.of("failed", "failed", "ok", "ok"),
                csv.subList(1, 5).stream().map(row -> row.get(header.indexOf("status"))).toList());
        assertTrue(csv.get(1).get(header.indexOf("reason")).contains("non-finite"));
        assertEquals(Double.toString(a), csv.get(3).get(header.indexOf("voc_map50")));

        // the two folds hold out disjoint halves of the 8 training scenes
        Set<Object> held = new HashSet<>();
        for (int f = 1; f <= 2; f++) {
            Map<String, Object> fold = Json.asObject(Json.parse(Files.readString(out.resolve("trials/cls1_fold" + f + "/fold.json"))), "fold");
            List<Object> ids = Json.requireList(fold, "held_out_image_ids");
            assertEquals(4, ids.size());
            held.addAll(ids);
        }
        assertEquals(8, held.size());

        TrainConfig best = TrainConfigJson.read(Files.readString(out.resolve(GridSearch.BEST_CONFIG)));
        assertEquals("weighted", best.loss().strategy());
        assertEquals(Map.of("weights", "cls=1"), best.loss().strategyOptions());
        assertEquals(1, best.run().epochs());
        assertEquals(tiny(8).data(), best.data(), "the best config trains on the whole split as configured");
        assertTrue(Files.size(out.resolve(GridSearch.PLOT)) > 0 && Files.isRegularFile(out.resolve(GridSearch.SUMMARY_MD)));

        // the same search again over the folder reuses every trial
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        PrintStream p2 = new PrintStream(again, true, StandardCharsets.UTF_8);
        GridSearch.Result r2 = GridSearch.run(o, new TrialRunner(out.resolve("trials"), CpuDevice.INSTANCE, p2, false), p2);
        assertEquals(4, again.toString(StandardCharsets.UTF_8).split("finished earlier", -1).length - 1);
        for (int i = 0; i < 4; i++) {
            assertEquals(r.trials().get(i).toJson(), r2.trials().get(i).toJson());
        }
        assertEquals(r.table(), r2.table());

        // a different search over the same folder is refused
        GridSearch.Options other = new GridSearch.Options(tiny(8), WeightGrid.parse("weighted", "cls=3"), 2,
                Budget.ofEpochs(1), 0, out);
        assertTrue(assertThrows(IllegalStateException.class, () -> GridSearch.run(other, runner, p2)).getMessage()
                .contains("different search"));
    }

    @Test
    void anInterruptedTrialResumesAndEndsAsAnUninterruptedOne() throws IOException {
        WeightGrid grid = WeightGrid.parse("coupled", "box=2");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        TrainConfig base = tiny(8);
        GridSearch.Options whole = new GridSearch.Options(base, grid, 0, Budget.ofEpochs(2), 0, dir.resolve("whole"));
        GridSearch.Result r1 = GridSearch.run(whole, new TrialRunner(dir.resolve("whole/trials"), CpuDevice.INSTANCE, quiet,
                false), quiet);

        // the same trial stopped after its first epoch, as if the search had been interrupted there
        Path out = dir.resolve("interrupted");
        GridSearch.Options o = new GridSearch.Options(base, grid, 0, Budget.ofEpochs(2), 0, out);
        TrainConfig config = GridSearch.trialConfig(o, grid.points().getFirst(), 2, 2);
        try (Trainer t = new Trainer(config, TrainData.open(config), out.resolve("trials/box2"), CpuDevice.INSTANCE, quiet,
                false)) {
            t.stopAfterEpoch(1);
            assertEquals(1, t.train().epochs());
        }
        assertFalse(Files.exists(out.resolve("trials/box2/" + TrialOutcome.FILE)));
        String firstEpoch = Files.readAllLines(out.resolve("trials/box2/metrics.csv")).get(1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream progress = new PrintStream(log, true, StandardCharsets.UTF_8);
        GridSearch.Result r2 = GridSearch.run(o, new TrialRunner(out.resolve("trials"), CpuDevice.INSTANCE, progress, false),
                progress);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("after epoch 1"), log.toString(StandardCharsets.UTF_8));
        // the first epoch was not trained again: its row (with its timings) is the interrupted session's
        assertEquals(firstEpoch, Files.readAllLines(out.resolve("trials/box2/metrics.csv")).get(1));
        TrialOutcome a = r1.trials().getFirst(), b = r2.trials().getFirst();
        assertEquals(2, b.epochs());
        assertEquals(a.steps(), b.steps());
        // the continuation matches the uninterrupted trial; not bit for bit here, because the two ran at different
        // stages of JIT compilation and the loss sums reduce with reduceLanes, whose float order may differ between
        // interpreted and compiled vector code (see TrainerTest); 1e-5 relative is far above that last-bit noise
        for (double[] pair : new double[][] {{a.lossCls(), b.lossCls()}, {a.lossBox(), b.lossBox()},
                {a.lossCtr(), b.lossCtr()}, {a.vocMap50(), b.vocMap50()}, {a.cocoAp(), b.cocoAp()}})
            assertEquals(pair[0], pair[1], 1e-5 * Math.abs(pair[0]), "the resumed trial continues as the uninterrupted one");
    }

    private static TrialOutcome outcome(String group, int fold, double map, boolean failed) {
        if (failed) return TrialOutcome.failure(group + fold, group, fold, 0, "boom", 0, 0, 1, null);
        return new TrialOutcome(group + fold, group, fold, false, "", 0, 1, 1, 0, map, map, map / 2, map, map, 1, 1, 1,
                Double.NaN, 1, new double[] {3});
    }

    @Test
    void rankingSortsByMeanKeepsGridOrderOnTiesAndPutsFailuresLast() {
        WeightGrid g = WeightGrid.parse("coupled", "box=1,2,3,4");
        List<TrialOutcome> trials = new ArrayList<>(List.of(
                outcome("box=1", 1, 0.2, false), outcome("box=1", 2, 0.4, false),
                outcome("box=2", 1, 0.9, false), outcome("box=2", 2, 0.1, true),
                outcome("box=3", 1, 0.5, false), outcome("box=3", 2, 0.1, false),
                outcome("box=4", 1, 0.1, false), outcome("box=4", 2, 0.5, false)));
        List<GridSearch.PointSummary> ranked = GridSearch.rank(g, trials);
        // box=1 has mean 0.3 == box=3 and box=4; the grid order decides; box=2 failed
        assertEquals(List.of("box=1", "box=3", "box=4", "box=2"), ranked.stream().map(GridSearch.PointSummary::label).toList());
        assertEquals(0.3, ranked.get(0).meanMap50(), 1e-12);
        assertEquals(Math.sqrt(0.02), ranked.get(0).stdMap50(), 1e-12);
        assertEquals(0.15, ranked.get(0).meanCocoAp(), 1e-12);
        assertTrue(ranked.get(3).failed());
        assertTrue(Double.isNaN(ranked.get(3).meanMap50()));
    }

    @Test
    void aStepBudgetBecomesTheEpochsThatReachIt() {
        assertEquals(3, Budget.ofSteps(7).epochsFor(10, 4), "3 steps per epoch: 7 steps take 3 epochs");
        assertEquals(1, Budget.ofSteps(1).epochsFor(10, 4));
        assertEquals(2, Budget.ofSteps(6).epochsFor(10, 4));
        assertEquals(5, Budget.ofEpochs(5).epochsFor(10, 4));
        assertThrows(IllegalArgumentException.class, () -> new Budget(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Budget(0, 0));
    }

    @Test
    void noValidationAndTooManyFoldsAreRefusedBeforeTraining() {
        TrainConfig noVal = tiny(4).withData(GridSearch.withoutValidation(tiny(4).data()));
        WeightGrid g = WeightGrid.parse("weighted", "box=1");
        TrialRunner runner = new TrialRunner(dir.resolve("t"), CpuDevice.INSTANCE, new PrintStream(new ByteArrayOutputStream()), false);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GridSearch.run(
                new GridSearch.Options(noVal, g, 0, Budget.ofEpochs(1), 0, dir.resolve("a")), runner, System.err))
                .getMessage().contains("no validation set"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GridSearch.run(
                new GridSearch.Options(tiny(4), g, 5, Budget.ofEpochs(1), 0, dir.resolve("b")), runner, System.err))
                .getMessage().contains("5 folds need at least 5"));
        assertFalse(Files.exists(dir.resolve("t")), "nothing was trained");
    }
}
