package dev.strix.detection.train;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Steps with a non-finite loss or gradient are skipped, counted, and too many in a row stop the run. */
class NonFiniteStepsTest {
    @TempDir
    Path dir;

    /** cls loss times NaN: a non-finite loss. */
    private static Map<String, Tensor> nanLoss(Map<String, Tensor> losses) {
        Map<String, Tensor> m = new LinkedHashMap<>(losses);
        m.put("cls", MathOps.scale(losses.get("cls"), Float.NaN));
        return m;
    }

    /** cls + sqrt(0 * cls): the value is finite but d sqrt(u)/du at u = 0 is infinite, so the gradient is NaN. */
    private static Map<String, Tensor> nanGradient(Map<String, Tensor> losses) {
        Map<String, Tensor> m = new LinkedHashMap<>(losses);
        Tensor cls = losses.get("cls");
        m.put("cls", MathOps.add(cls, MathOps.sqrt(MathOps.scale(cls, 0f))));
        return m;
    }

    @Test
    void isolatedBadStepsAreSkippedAndCounted() throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path run = dir.resolve("run");
        TrainResult r;
        try (Trainer t = new Trainer(TrainTestConfigs.tiny(16, 0, 1, "weighted"), run, CpuDevice.INSTANCE,
                new PrintStream(log, true, StandardCharsets.UTF_8), false)) {
            t.withLossHook((step, losses) -> step == 0 ? nanLoss(losses) : step == 2 ? nanGradient(losses) : losses);
            r = t.train();
        }
        assertEquals(1, r.epochs());
        assertEquals(4, r.steps());
        assertEquals(2, r.skippedSteps(), "a NaN loss at step 0 and a NaN gradient at step 2");
        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        List<String> header = List.of(lines.get(0).split(","));
        String[] row = lines.get(1).split(",", -1);
        assertEquals("2", row[header.indexOf("skipped_steps")]);
        assertTrue(Double.isFinite(Double.parseDouble(row[header.indexOf("loss_cls")])), "mean over the good steps");
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("non-finite loss or gradient, step skipped (1 in a row, 2 in total)"), text);
    }

    @Test
    void manyInARowStopTheRunAndKeepTheLastGoodCheckpoint() throws IOException {
        Path run = dir.resolve("run");
        TrainConfig c = TrainTestConfigs.tiny(16, 0, 3, "weighted");
        c = c.withRun(new TrainConfig.Run(64, 4, 3, "cpu", 7, 1, 3, 1, 1000)); // stop after 3 in a row
        try (Trainer t = new Trainer(c, run, CpuDevice.INSTANCE, new PrintStream(new ByteArrayOutputStream()), false)) {
            t.stopAfterEpoch(1);
            t.train();
        }
        Map<String, byte[]> before = new LinkedHashMap<>();
        for (String f : List.of(Checkpoints.LAST, Checkpoints.STATE, Checkpoints.BEST, Checkpoints.POINTER))
            before.put(f, Files.readAllBytes(run.resolve(f)));

        TrainingStoppedException e;
        try (Trainer t = Trainer.resume(run, CpuDevice.INSTANCE, new PrintStream(new ByteArrayOutputStream()), false, 0)) {
            // epoch 2 is steps 4..7: one good step, then NaN losses from step 5 on
            t.withLossHook((step, losses) -> step >= 5 ? nanLoss(losses) : losses);
            e = assertThrows(TrainingStoppedException.class, t::train);
        }
        assertEquals(1, e.lastGoodEpoch());
        String m = e.getMessage();
        assertTrue(m.contains("3 consecutive steps with a non-finite loss or gradient"), m);
        assertTrue(m.contains("epoch 2"), m);
        assertTrue(m.contains("last good checkpoint (epoch 1)"), m);
        for (Map.Entry<String, byte[]> f : before.entrySet())
            assertArrayEquals(f.getValue(), Files.readAllBytes(run.resolve(f.getKey())), f.getKey() + " changed");
        assertEquals(2, Files.readAllLines(run.resolve("metrics.csv")).size(), "no row for the failed epoch");
    }

    @Test
    void aFailureInTheFirstEpochSaysThereIsNoCheckpoint() throws IOException {
        TrainConfig c = TrainTestConfigs.tiny(16, 0, 1, "weighted");
        c = c.withRun(new TrainConfig.Run(64, 4, 1, "cpu", 7, 1, 2, 1, 1000));
        try (Trainer t = new Trainer(c, dir.resolve("run"), CpuDevice.INSTANCE, new PrintStream(new ByteArrayOutputStream()), false)) {
            t.withLossHook((step, losses) -> nanLoss(losses));
            TrainingStoppedException e = assertThrows(TrainingStoppedException.class, t::train);
            assertEquals(0, e.lastGoodEpoch());
            assertTrue(e.getMessage().contains("no checkpoint was written yet"), e.getMessage());
        }
        assertTrue(!Files.exists(dir.resolve("run").resolve(Checkpoints.STATE)));
    }
}
