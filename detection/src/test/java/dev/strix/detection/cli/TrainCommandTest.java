package dev.strix.detection.cli;

import dev.strix.nn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code strix train}, run in-process. */
class TrainCommandTest {
    @TempDir
    Path dir;


    static MainTest.Outcome strix(String... args) {
        return MainTest.strix(args);
    }

    /** A tiny synthetic run: 4 scenes of 64 px, DetNet w 4 F 8 D 1. */
    private static List<String> tiny(String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--format", "synthetic", "--synthetic-count", "4",
                "--synthetic-val-count", "2", "--synthetic-classes", "2", "--size", "64", "--batch", "4", "--width", "4",
                "--fpn", "8", "--depth", "1", "--workers", "1"));
        a.addAll(List.of(extra));
        return a;
    }

    private static void assertUsage(MainTest.Outcome r, String fragment) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(fragment), "expected '" + fragment + "' in: " + r.err());
        assertTrue(r.err().startsWith("strix train: "), r.err());
    }

    @Test
    void trainsAndResumesThroughTheCommandLine() {
        Path run = dir.resolve("run");
        MainTest.Outcome r = strix(tiny("--epochs", "1", "--out", run.toString(), "--strategy", "coupled", "--coupling", "2",
                "--optimizer", "adamw", "--ema").toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> summary = Json.asObject(Json.parse(r.lastOutLine()), "summary");
        assertEquals(1L, summary.get("epochs"));
        assertEquals(1L, summary.get("steps"));
        assertTrue(Json.requireObject(summary, "validation").containsKey("voc_map50"), r.out());
        assertTrue(r.err().contains("epoch 1/1"), "progress line: " + r.err());
        assertTrue(r.err().contains("img/s") && r.err().contains("ETA"), r.err());
        for (String f : List.of("config.json", "metrics.csv", "last.safetensors", "best.safetensors", "last.state.safetensors"))
            assertTrue(Files.exists(run.resolve(f)), f);
        Map<String, Object> cfg = Json.asObject(Json.parse(readString(run.resolve("config.json"))), "config");
        Map<String, Object> loss = Json.requireObject(cfg, "loss");
        assertEquals("coupled", loss.get("strategy"));
        assertEquals(2.0, ((Number) Json.requireObject(loss, "strategy_options").get("box_weight")).doubleValue());
        assertEquals("adamw", Json.requireObject(cfg, "optim").get("optimizer"));
        assertEquals(0.001, Json.requireDouble(Json.requireObject(cfg, "optim"), "lr"));
        assertEquals(true, Json.requireObject(cfg, "optim").get("ema"));

        MainTest.Outcome again = strix(tiny("--epochs", "1", "--out", run.toString()).toArray(String[]::new));
        assertEquals(1, again.code(), again.err());
        assertTrue(again.err().contains("already holds a run"), again.err());

        MainTest.Outcome resumed = strix("train", "--resume", run.toString(), "--epochs", "2");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resuming"), resumed.err());
        assertEquals(2L, Json.asObject(Json.parse(resumed.lastOutLine()), "summary").get("epochs"));
        assertEquals(3, readLines(run.resolve("metrics.csv")).size());
    }

    @Test
    void usageErrorsExitWithCode2() {
        assertUsage(strix("train", "--format", "synthetic"), "missing required option --out");
        assertUsage(strix("train", "--format", "voc", "--out", dir.resolve("a").toString()), "needs --data DIR");
        assertUsage(strix("train", "--data", dir.resolve("nowhere").toString(), "--format", "voc", "--out",
                dir.resolve("a").toString()), "folder not found");
        assertUsage(strix("train", "--format", "parquet", "--out", "x"), "must be one of voc|coco|yolo|synthetic");
        assertUsage(strix("train", "--strategy", "magic", "--out", "x"), "valid strategies: weighted, coupled");
        assertUsage(strix("train", "--strategy", "pcgrad", "--weights", "cls=1", "--out", "x"), "--weights sets the task weights");
        assertUsage(strix("train", "--weights", "cls=one", "--out", "x"), "option 'weights' must be a number, got 'one'");
        assertUsage(strix("train", "--weights", "cls=1,obj=2", "--out", "x"), "obj");
        assertUsage(strix("train", "--coupling", "2", "--out", "x"), "--coupling sets the box weight");
        assertUsage(strix("train", "--strategy", "independent", "--sharing", "shared", "--out", "x"), "one trunk per task");
        assertUsage(strix("train", "--size", "100", "--out", "x"), "multiple of 32");
        assertUsage(strix("train", "--lr", "fast", "--out", "x"), "--lr needs a number");
        assertUsage(strix("train", "--epochs", "0", "--out", "x"), "--epochs must be >= 1");
        assertUsage(strix("train", "--cls-loss", "hinge", "--out", "x"), "HINGE");
        assertUsage(strix("train", "--optimizer", "lion", "--out", "x"), "sgd|adamw");
        assertUsage(strix("train", "--bogus", "--out", "x"), "unknown option --bogus");
        assertUsage(strix("train", "--resume", dir.toString(), "--lr", "0.1"), "cannot be combined with --resume");
        assertUsage(strix("train", "--resume", dir.resolve("missing").toString()), "folder not found");
        assertUsage(strix("train", "--config", dir.resolve("missing.json").toString(), "--out", "x"), "file not found");
    }

    @Test
    void runtimeFailuresExitWithCode1() {
        MainTest.Outcome cuda = strix(tiny("--device", "cuda", "--out", dir.resolve("c").toString()).toArray(String[]::new));
        assertEquals(1, cuda.code(), cuda.err());
        assertTrue(cuda.err().contains("CUDA"), cuda.err());
        MainTest.Outcome noState = strix("train", "--resume", dir.toString());
        assertEquals(1, noState.code(), noState.err());
        assertTrue(noState.err().contains("config.json"), noState.err());
    }

    @Test
    void helpListsTheOptions() {
        MainTest.Outcome r = strix("train", "--help");
        assertEquals(0, r.code());
        for (String o : List.of("--data", "--format", "--strategy", "--resume", "--weights", "--coupling", "--sharing",
                "--ema", "--warmup", "--eval-every", "--strict", "--synthetic-count"))
            assertTrue(r.out().contains(o), o);
        assertTrue(strix("help").out().contains("train"));
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> readLines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
