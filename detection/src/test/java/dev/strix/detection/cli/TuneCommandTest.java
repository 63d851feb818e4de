package dev.strix.detection.cli;

import dev.strix.detection.data.DatasetWriter;
import dev.strix.detection.data.SyntheticScenes;
import dev.strix.detection.train.TrainConfig;
import dev.strix.detection.train.TrainConfigJson;
import dev.strix.detection.tune.CsvFiles;
import dev.strix.nn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code strix tune}, run in-process. */
class TuneCommandTest {
    @TempDir
    Path dir;


    static MainTest.Outcome strix(List<String> args) {
        return MainTest.strix(args.toArray(String[]::new));
    }

    /** {@code command} on tiny synthetic data: 8 training and 4 validation scenes of 64 px, DetNet w 4 F 8 D 1. */
    static List<String> tiny(String command, String... extra) {
        List<String> a = new ArrayList<>(List.of(command, "--synthetic-count", "8", "--synthetic-val-count", "4",
                "--synthetic-classes", "2", "--size", "64", "--batch", "4", "--width", "4", "--fpn", "8", "--depth", "1",
                "--workers", "1", "--seed", "5"));
        a.addAll(List.of(extra));
        return a;
    }

    private static void assertUsage(MainTest.Outcome r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("strix tune: "), r.err());
        for (String f : fragments) assertTrue(r.err().contains(f), "expected '" + f + "' in: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test
    void tunesTwoPointsAndTheBestConfigTrainsAsItIs() throws Exception {
        Path out = dir.resolve("tune");
        MainTest.Outcome r = strix(tiny("tune", "--grid", "cls=0.5;box=1,3", "--budget-epochs", "1", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("trials.csv", "summary.md", "tune_map.png", "best_config.json", "tune.json",
                "trials/cls0.5_box1/config.json", "trials/cls0.5_box3/metrics.csv", "trials/cls0.5_box3/last.safetensors",
                "trials/cls0.5_box3/trial.json"))
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        assertTrue(r.out().contains("| rank | weights | VOC mAP50 |"), "the summary is printed: " + r.out());
        assertEquals(Files.readString(out.resolve("summary.md")), r.out().substring(0, r.out().lastIndexOf("{")));

        List<List<String>> csv = CsvFiles.read(out.resolve("trials.csv"));
        assertEquals(3, csv.size(), "header and one row per trial");
        List<String> h = csv.getFirst();
        for (String c : List.of("w_cls", "w_box", "fold", "seed", "voc_map50", "coco_ap", "loss_cls", "loss_box", "loss_ctr",
                "seconds"))
            assertTrue(h.contains(c), c + " in " + h);
        // the best row recomputed from the CSV: highest VOC mAP50, the first listed on a tie
        List<String> best = null;
        for (List<String> row : csv.subList(1, csv.size())) {
            assertEquals("ok", row.get(h.indexOf("status")));
            assertEquals("5", row.get(h.indexOf("seed")));
            assertEquals("0", row.get(h.indexOf("fold")));
            assertTrue(Double.parseDouble(row.get(h.indexOf("loss_box"))) > 0);
            if (best == null || Double.parseDouble(row.get(h.indexOf("voc_map50")))
                    > Double.parseDouble(best.get(h.indexOf("voc_map50")))) best = row;
        }
        String expectedWeights = "cls=" + best.get(h.indexOf("w_cls")) + ",box=" + best.get(h.indexOf("w_box"));

        TrainConfig config = TrainConfigJson.read(Files.readString(out.resolve("best_config.json")));
        assertEquals("weighted", config.loss().strategy());
        assertEquals(Map.of("weights", expectedWeights), config.loss().strategyOptions());
        assertEquals(1, config.run().epochs());
        assertEquals(5, config.run().seed());
        assertEquals(64, config.run().size());
        assertEquals("val", config.data().valSplit());
        Map<String, Object> summary = Json.asObject(Json.parse(r.lastOutLine()), "summary");
        assertEquals(expectedWeights, summary.get("best"));
        assertEquals(0L, summary.get("failed_trials"));

        Path run = dir.resolve("run");
        MainTest.Outcome train = strix(List.of("train", "--config", out.resolve("best_config.json").toString(), "--out", run.toString()));
        assertEquals(0, train.code(), train.err());
        Map<String, Object> trained = Json.requireObject(Json.asObject(Json.parse(Files.readString(run.resolve("config.json"))),
                "config"), "loss");
        assertEquals(expectedWeights, Json.requireObject(trained, "strategy_options").get("weights"));
        // same config, seed and data as the best trial: the same final training losses, up to the last bits that
        // reduceLanes sums may change between interpreted and JIT-compiled code (see TrainerTest); 1e-5 relative
        // is far above that and far below the effect of another weight (the other trial's losses)
        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        List<String> header = List.of(lines.get(0).split(","));
        for (String task : List.of("loss_cls", "loss_box", "loss_ctr")) {
            double expected = Double.parseDouble(best.get(h.indexOf(task)));
            assertEquals(expected, Double.parseDouble(lines.get(1).split(",", -1)[header.indexOf(task)]),
                    1e-5 * Math.abs(expected), task);
        }
    }

    @Test
    void coupledGridWithFoldsAndAStepBudget() throws Exception {
        Path out = dir.resolve("tune");
        MainTest.Outcome r = strix(tiny("tune", "--strategy", "coupled", "--grid", "box=0.5,2", "--folds", "2", "--budget-steps", "2",
                "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        List<List<String>> csv = CsvFiles.read(out.resolve("trials.csv"));
        assertEquals(5, csv.size(), "2 points x 2 folds");
        List<String> h = csv.getFirst();
        // 4 training images per fold in batches of 4: one step per epoch, so 2 steps take 2 epochs
        for (List<String> row : csv.subList(1, 5)) {
            assertEquals("2", row.get(h.indexOf("epochs")));
            assertEquals("2", row.get(h.indexOf("steps")));
        }
        assertTrue(r.out().contains("| rank | weights | mean VOC mAP50 | std |"), r.out());
        TrainConfig config = TrainConfigJson.read(Files.readString(out.resolve("best_config.json")));
        assertEquals("coupled", config.loss().strategy());
        assertTrue(config.loss().strategyOptions().containsKey("box_weight"), config.loss().strategyOptions().toString());
        assertTrue(Files.isRegularFile(out.resolve("trials/box2_fold2/fold.json")));
    }

    @Test
    void aCoupledConfigFileSetsTheStrategyAndTheRestOfTheRecipe() throws Exception {
        Path run = dir.resolve("run");
        MainTest.Outcome trained = strix(tiny("train", "--strategy", "coupled", "--coupling", "3", "--optimizer", "adamw", "--epochs",
                "1", "--out", run.toString()));
        assertEquals(0, trained.code(), trained.err());
        Path out = dir.resolve("tune");
        MainTest.Outcome r = strix(List.of("tune", "--config", run.resolve("config.json").toString(), "--grid", "box=0.5",
                "--budget-epochs", "1", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        TrainConfig best = TrainConfigJson.read(Files.readString(out.resolve("best_config.json")));
        TrainConfig original = TrainConfigJson.read(Files.readString(run.resolve("config.json")));
        assertEquals("coupled", best.loss().strategy());
        assertEquals(Map.of("box_weight", 0.5), best.loss().strategyOptions());
        assertEquals(original.optim(), best.optim());
        assertEquals(original.data(), best.data());
        assertEquals(original.model(), best.model());
    }

    @Test
    void foldsOnAVocSplitNeedNoValidationSplit() throws Exception {
        Path voc = dir.resolve("VOC");
        SyntheticScenes scenes = new SyntheticScenes(9, 6, 64, 2);
        DatasetWriter.writeVoc(scenes, voc, "trainval", "png");
        Path out = dir.resolve("tune");
        MainTest.Outcome r = strix(List.of("tune", "--data", voc.toString(), "--format", "voc", "--split", "trainval", "--folds", "3",
                "--grid", "box=1", "--budget-epochs", "1", "--size", "64", "--batch", "4", "--width", "4", "--fpn", "8",
                "--depth", "1", "--workers", "1", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        Set<Object> held = new HashSet<>();
        for (int f = 1; f <= 3; f++) {
            Map<String, Object> fold = Json.asObject(Json.parse(Files.readString(out.resolve("trials/box1_fold" + f
                    + "/fold.json"))), "fold");
            List<Object> ids = Json.requireList(fold, "held_out_image_ids");
            assertEquals(2, ids.size());
            held.addAll(ids);
        }
        Set<Object> all = new HashSet<>();
        for (int i = 0; i < scenes.size(); i++) all.add(scenes.annotation(i).imageId());
        assertEquals(all, held, "the folds hold out every image of the split once");
        TrainConfig best = TrainConfigJson.read(Files.readString(out.resolve("best_config.json")));
        assertEquals("voc", best.data().format());
        assertEquals("trainval", best.data().split());
        assertEquals(null, best.data().valSplit(), "no validation split was given, so the best config has none");
    }

    @Test
    void usageErrors() {
        String out = dir.resolve("t").toString();
        assertUsage(strix(tiny("tune", "--grid", "cls=1;foo=2", "--budget-epochs", "1", "--out", out)),
                "--grid", "unknown key 'foo'");
        assertUsage(strix(tiny("tune", "--grid", "cls=1,a", "--budget-epochs", "1", "--out", out)), "--grid", "'a' is not a number");
        assertUsage(strix(tiny("tune", "--grid", "cls=1", "--out", out)), "--budget-epochs E or --budget-steps N");
        assertUsage(strix(tiny("tune", "--grid", "cls=1", "--budget-epochs", "1", "--budget-steps", "3", "--out", out)),
                "not both");
        assertUsage(strix(tiny("tune", "--grid", "cls=1", "--budget-steps", "0", "--out", out)), "--budget-steps must be >= 1");
        assertUsage(strix(tiny("tune", "--grid", "box=1", "--strategy", "dwa", "--budget-epochs", "1", "--out", out)),
                "weighted|coupled");
        assertUsage(strix(tiny("tune", "--grid", "cls=1", "--folds", "1", "--budget-epochs", "1", "--out", out)),
                "--folds must be >= 2");
        assertUsage(strix(tiny("tune", "--grid", "cls=1", "--folds", "9", "--budget-epochs", "1", "--out", out)),
                "9 folds need at least 9 training images");
        assertUsage(strix(tiny("tune", "--grid", "cls=1", "--val-split", "none", "--budget-epochs", "1", "--out", out)),
                "no validation set");
        assertUsage(strix(tiny("tune", "--grid", "cls=1", "--epochs", "3", "--budget-epochs", "1", "--out", out)),
                "unknown option --epochs");
        assertUsage(strix(tiny("tune", "--budget-epochs", "1", "--out", out)), "missing required option --grid");
        assertFalse(Files.exists(dir.resolve("t/trials")), "nothing was trained");
    }
}
