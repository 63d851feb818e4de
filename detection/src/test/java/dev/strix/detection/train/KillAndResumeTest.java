package dev.strix.detection.train;

import dev.strix.nn.Tensor;
import dev.strix.nn.io.DType;
import dev.strix.nn.io.Json;
import dev.strix.nn.io.StateDicts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code strix train} in a child JVM killed with SIGKILL at several moments, including half way through writing a
 * checkpoint file: the previous checkpoint stays loadable, {@code --resume} continues, and the resumed run's
 * metrics.csv and final weights equal those of an uninterrupted run (CPU, same seed, one kernel thread).
 */
class KillAndResumeTest {
    /** Guards against a child that hangs; not a measurement. */
    private static final long PATIENCE_SECONDS = 300;

    @TempDir
    static Path shared;
    private Path dir;
    private static int testNumber;

    private static Path straight;

    /**
     * Four epochs of four steps on tiny synthetic scenes; EMA and uncertainty weighting add state to carry over. The
     * children run the SIMD kernels of this machine on two worker threads, as a user's run would.
     */
    private static List<String> trainArgs(Path out) {
        return List.of("train", "--format", "synthetic", "--synthetic-count", "16", "--val-split", "none",
                "--synthetic-classes", "3", "--size", "64", "--batch", "4", "--epochs", "4", "--width", "4", "--fpn", "8",
                "--depth", "1", "--workers", "1", "--measure-every", "0", "--seed", "7", "--strategy", "uncertainty",
                "--ema", "--ema-decay", "0.99", "--out", out.toString());
    }

    private static Process launch(Path logs, String name, List<String> properties, List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx512m",
                "-XX:+UseSerialGC", "-Dstrix.threads=2"));
        cmd.addAll(properties);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.strix.detection.cli.Main"));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectOutput(logs.resolve(name + ".out").toFile())
                .redirectError(logs.resolve(name + ".err").toFile()).start();
    }

    private static void finish(Process p, Path logs, String name) throws Exception {
        if (!p.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail(name + " did not finish; stderr:\n" + Files.readString(logs.resolve(name + ".err")));
        }
        assertEquals(0, p.exitValue(), name + " failed; stderr:\n" + Files.readString(logs.resolve(name + ".err")));
    }

    private static void kill(Process p, String name, BooleanSupplier moment, Path logs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        while (!moment.getAsBoolean()) {
            if (!p.isAlive() && !moment.getAsBoolean())
                fail(name + " ended (exit " + p.exitValue() + ") before the moment to kill it; stderr:\n"
                        + Files.readString(logs.resolve(name + ".err")));
            if (System.nanoTime() > deadline) {
                p.destroyForcibly().waitFor();
                fail(name + " never reached the moment to kill it");
            }
            Thread.sleep(2);
        }
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
        assertTrue(p.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS));
    }

    @BeforeEach
    void ownFolder() throws IOException {
        dir = Files.createDirectories(shared.resolve("test" + ++testNumber));
    }

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        straight = shared.resolve("straight");
        finish(launch(shared, "straight", List.of(), trainArgs(straight)), shared, "straight");
    }

    private static long pointerEpoch(Path run) {
        try {
            if (!Files.exists(run.resolve(Checkpoints.POINTER))) return 0;
            Map<?, ?> m = (Map<?, ?>) Json.parse(Files.readString(run.resolve(Checkpoints.POINTER)));
            return ((Number) m.get("epoch")).longValue();
        } catch (IOException | RuntimeException e) {
            return 0; // being replaced right now
        }
    }

    private static List<Path> temporaries(Path run) throws IOException {
        try (Stream<Path> s = Files.list(run)) {
            return s.filter(f -> f.getFileName().toString().contains(".tmp-")).toList();
        }
    }

    /** metrics.csv equal to the uninterrupted run's, cell by cell, except the timing columns. */
    private static void assertSameAsUninterrupted(Path run) throws IOException {
        List<String> a = Files.readAllLines(straight.resolve(MetricsLog.FILE));
        List<String> b = Files.readAllLines(run.resolve(MetricsLog.FILE));
        assertEquals(a.size(), b.size(), "metrics rows");
        assertEquals(5, a.size(), "header and four epochs");
        List<String> header = List.of(a.getFirst().split(","));
        assertEquals(a.getFirst(), b.getFirst());
        for (int row = 1; row < a.size(); row++) {
            String[] x = a.get(row).split(",", -1), y = b.get(row).split(",", -1);
            for (int i = 0; i < header.size(); i++) {
                if (header.get(i).endsWith("_s")) continue; // times differ
                assertEquals(x[i], y[i], "epoch " + row + " column " + header.get(i));
            }
            assertTrue(Double.isFinite(Double.parseDouble(x[header.indexOf("loss_total")])), "a loss was logged");
        }
        Map<String, Tensor> wa = StateDicts.read(straight.resolve(Checkpoints.LAST));
        Map<String, Tensor> wb = StateDicts.read(run.resolve(Checkpoints.LAST));
        assertEquals(wa.keySet(), wb.keySet());
        for (String k : wa.keySet())
            if (wa.get(k).dtype() == DType.F32) assertArrayEquals(wa.get(k).toArray(), wb.get(k).toArray(), k);
        assertEquals(List.of(), temporaries(run), "temporary files are cleaned up on resume");
    }

    @Test
    void killedHalfWayThroughWritingTheTrainingStateKeepsThePreviousOneAndResumesExactly() throws Exception {
        Path run = dir.resolve("run");
        // the second write of the state file is epoch 2's: it stops half way and the child is killed there
        Process p = launch(dir, "paused", List.of("-D" + Checkpoints.PAUSE_PROPERTY + "=" + Checkpoints.STATE + "@2"),
                trainArgs(run));
        Path err = dir.resolve("paused.err");
        kill(p, "paused", () -> {
            try {
                return Files.readString(err).contains("checkpoint write paused:");
            } catch (IOException e) {
                return false;
            }
        }, dir);

        List<Path> tmp = temporaries(run);
        assertEquals(1, tmp.size(), "the half-written file: " + tmp);
        long partial = Files.size(tmp.getFirst()), whole = Files.size(run.resolve(Checkpoints.STATE));
        assertTrue(partial > 0 && partial < whole, "half written: " + partial + " of " + whole + " bytes");
        Checkpoints.State state = Checkpoints.readState(run); // every tensor of the previous state reads back
        assertEquals(1, state.epoch());
        assertEquals(1, pointerEpoch(run));
        assertEquals(2, Checkpoints.weightsEpoch(run.resolve(Checkpoints.LAST)), "weights were replaced before the state");

        finish(launch(dir, "resumed", List.of(), List.of("train", "--resume", run.toString())), dir, "resumed");
        assertTrue(Files.readString(dir.resolve("resumed.err")).contains("left by an interrupted write"));
        assertSameAsUninterrupted(run);
    }

    @Test
    void killedHalfWayThroughWritingTheWeightsKeepsTheWholePreviousCheckpoint() throws Exception {
        Path run = dir.resolve("run");
        Process p = launch(dir, "paused", List.of("-D" + Checkpoints.PAUSE_PROPERTY + "=" + Checkpoints.LAST + "@3"),
                trainArgs(run));
        Path err = dir.resolve("paused.err");
        kill(p, "paused", () -> {
            try {
                return Files.readString(err).contains("checkpoint write paused:");
            } catch (IOException e) {
                return false;
            }
        }, dir);
        assertEquals(2, Checkpoints.readState(run).epoch());
        assertEquals(2, Checkpoints.weightsEpoch(run.resolve(Checkpoints.LAST)));
        assertEquals(2, pointerEpoch(run));
        finish(launch(dir, "resumed", List.of(), List.of("train", "--resume", run.toString())), dir, "resumed");
        assertSameAsUninterrupted(run);
    }

    @Test
    void killedAtArbitraryMomentsTwiceResumesExactly() throws Exception {
        Path run = dir.resolve("run");
        // first kill: as soon as the first checkpoint exists (somewhere in epoch 2 or its checkpoint write)
        Process p = launch(dir, "first", List.of(), trainArgs(run));
        kill(p, "first", () -> pointerEpoch(run) >= 1, dir);
        long after = Checkpoints.readState(run).epoch();
        assertTrue(after >= 1 && after < 4, "killed after epoch " + after);
        assertTrue(Checkpoints.weightsEpoch(run.resolve(Checkpoints.LAST)) >= after);

        // second kill: the resumed run, as soon as it has written one more checkpoint
        Process q = launch(dir, "second", List.of(), List.of("train", "--resume", run.toString()));
        kill(q, "second", () -> pointerEpoch(run) > after, dir);
        long again = Checkpoints.readState(run).epoch();
        assertTrue(again > after, "progress was kept: " + after + " then " + again);
        if (again < 4) assertNotEquals(0, q.exitValue(), "killed, not finished");

        finish(launch(dir, "third", List.of(), List.of("train", "--resume", run.toString())), dir, "third");
        assertSameAsUninterrupted(run);
    }
}
