package dev.strix.detection.cli;

import dev.strix.detection.tune.CsvFiles;
import dev.strix.kernels.Parallel;
import dev.strix.nn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code strix compare}, run in-process. */
class CompareCommandTest {
    @TempDir
    Path dir;

    @Test
    void comparesStrategiesWithTheSameSeedAndBudget() throws Exception {
        Path out = dir.resolve("cmp");
        MainTest.Outcome r = TuneCommandTest.strix(TuneCommandTest.tiny("compare", "--strategies",
                "weighted,Independent,pcgrad", "--budget-epochs", "2", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("compare.csv", "compare.md", "compare_map.png", "compare_loss.png", "compare.json",
                "trials/weighted/metrics.csv", "trials/independent/config.json", "trials/pcgrad/trial.json"))
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        List<List<String>> csv = CsvFiles.read(out.resolve("compare.csv"));
        assertEquals(4, csv.size());
        List<String> h = csv.getFirst();
        assertEquals(List.of("weighted", "independent", "pcgrad"), csv.subList(1, 4).stream().map(row -> row.get(0)).toList());
        for (List<String> row : csv.subList(1, 4)) {
            assertEquals("ok", row.get(h.indexOf("status")), row.toString());
            assertEquals("5", row.get(h.indexOf("seed")), "same seed for every strategy");
            assertEquals("2", row.get(h.indexOf("epochs")), "same budget for every strategy");
            assertEquals("4", row.get(h.indexOf("steps")));
            for (String c : List.of("voc_map50", "coco_ap", "ap50", "ap75", "loss_cls", "loss_box", "loss_ctr"))
                assertTrue(Double.isFinite(Double.parseDouble(row.get(h.indexOf(c)))), c + " of " + row);
        }
        // the trunk is shared except under 'independent', whose tasks have no common gradient to compare
        assertTrue(csv.get(3).get(h.indexOf("mean_cosine")).length() > 0);
        assertEquals("", csv.get(2).get(h.indexOf("mean_cosine")));
        // each trial's config.json holds the common seed and its strategy
        for (String s : List.of("weighted", "independent", "pcgrad")) {
            Map<String, Object> cfg = Json.asObject(Json.parse(Files.readString(out.resolve("trials/" + s + "/config.json"))), "c");
            assertEquals(5L, Json.requireObject(cfg, "run").get("seed"));
            assertEquals(s, Json.requireObject(cfg, "loss").get("strategy"));
        }
        String md = Files.readString(out.resolve("compare.md"));
        assertEquals(3, md.lines().filter(l -> l.startsWith("| weighted |") || l.startsWith("| independent |")
                || l.startsWith("| pcgrad |")).count(), md);
        assertTrue(r.out().contains(md.lines().filter(l -> l.startsWith("| pcgrad |")).findFirst().orElseThrow()), r.out());
        // the mAP in the table is the one of the trial's own validation
        List<String> metrics = Files.readAllLines(out.resolve("trials/pcgrad/metrics.csv"));
        List<String> mh = List.of(metrics.get(0).split(","));
        assertEquals(Double.parseDouble(metrics.getLast().split(",", -1)[mh.indexOf("val_voc_map50")]),
                Double.parseDouble(csv.get(3).get(h.indexOf("voc_map50"))));
    }

    @Test
    void aStrategyThatCannotRunIsListedAsFailed() throws Exception {
        Path out = dir.resolve("cmp");
        int threads = Parallel.threads();
        MainTest.Outcome r = TuneCommandTest.strix(TuneCommandTest.tiny("compare", "--strategies", "equal,independent",
                "--sharing", "shared", "--budget-epochs", "1", "--threads", Integer.toString(threads + 1), "--out",
                out.toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals(threads, Parallel.threads(), "--threads holds for the command only");
        List<List<String>> csv = CsvFiles.read(out.resolve("compare.csv"));
        List<String> h = csv.getFirst();
        assertEquals("ok", csv.get(1).get(h.indexOf("status")));
        assertEquals("failed", csv.get(2).get(h.indexOf("status")));
        assertTrue(csv.get(2).get(h.indexOf("reason")).contains("needs one trunk per task"), csv.get(2).toString());
        assertTrue(r.out().contains("| independent |") && r.out().contains("failed: strategy 'independent'"), r.out());
        Map<String, Object> summary = Json.asObject(Json.parse(r.lastOutLine()), "summary");
        assertEquals(List.of("independent"), summary.get("failed"));
        assertNull(Json.requireObject(summary, "voc_map50").get("independent"));
    }

    @Test
    void aConfigFromASharedRunStillComparesIndependent() throws Exception {
        Path first = dir.resolve("first");
        MainTest.Outcome r = TuneCommandTest.strix(TuneCommandTest.tiny("compare", "--strategies", "weighted",
                "--budget-epochs", "1", "--out", first.toString()));
        assertEquals(0, r.code(), r.err());
        String json = Files.readString(first.resolve("trials/weighted/config.json"));
        Map<String, Object> cfg = Json.asObject(Json.parse(json), "c");
        Json.requireObject(cfg, "model").put("sharing", "shared");
        Path config = dir.resolve("shared-config.json");
        Files.writeString(config, Json.writePretty(cfg, 2));
        Path out = dir.resolve("cmp");
        r = TuneCommandTest.strix(List.of("compare", "--config", config.toString(), "--strategies", "independent",
                "--budget-epochs", "1", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        List<List<String>> csv = CsvFiles.read(out.resolve("compare.csv"));
        assertEquals("ok", csv.get(1).get(csv.getFirst().indexOf("status")), csv.get(1).toString());
        Map<String, Object> trial = Json.asObject(Json.parse(Files.readString(out.resolve("trials/independent/config.json"))), "t");
        // 'auto' resolves to one trunk per task for 'independent' (which refuses a shared trunk, so 'ok' above proves it)
        assertEquals("auto", Json.requireObject(trial, "model").get("sharing"));
    }

    @Test
    void unknownStrategyIsAUsageErrorListingTheValidNames() {
        MainTest.Outcome r = TuneCommandTest.strix(TuneCommandTest.tiny("compare", "--strategies", "weighted,magic",
                "--budget-epochs", "1", "--out", dir.resolve("c").toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("strix compare: --strategies: unknown strategy 'magic'"), r.err());
        assertTrue(r.err().contains("weighted, coupled, independent, equal, uncertainty, gradnorm, dwa, pcgrad"), r.err());
        r = TuneCommandTest.strix(TuneCommandTest.tiny("compare", "--strategies", "dwa,dwa", "--budget-epochs", "1",
                "--out", dir.resolve("c").toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("listed twice"), r.err());
        r = TuneCommandTest.strix(TuneCommandTest.tiny("compare", "--strategies", "dwa", "--out", dir.resolve("c").toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--budget-epochs E or --budget-steps N"), r.err());
        assertTrue(!Files.exists(dir.resolve("c")), "nothing was written");
    }
}
