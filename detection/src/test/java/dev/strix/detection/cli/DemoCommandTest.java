package dev.strix.detection.cli;

import dev.strix.detection.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code strix demo}'s command line (the demo itself is exercised in {@code DemoTest}). */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void badOptionsAreUsageErrors() throws IOException {
        for (String[] args : new String[][] {{"demo", "--minutes", "0"}, {"demo", "--minutes", "soon"},
                {"demo", "--workers", "0"}, {"demo", "--device", "tpu"}, {"demo", "extra"}}) {
            MainTest.Outcome r = TrainCommandTest.strix(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("strix demo: "), r.err());
        }
        Files.writeString(dir.resolve(Trainer.CONFIG), "{}");
        MainTest.Outcome held = TrainCommandTest.strix("demo", "--out", dir.toString());
        assertEquals(2, held.code());
        assertTrue(held.err().contains("already holds a run"), held.err());
    }

    @Test
    void cudaIsARuntimeFailure() {
        MainTest.Outcome r = TrainCommandTest.strix("demo", "--out", dir.resolve("d").toString(), "--device", "cuda");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("CUDA"), r.err());
    }

    @Test
    void helpDescribesTheDemo() {
        MainTest.Outcome r = TrainCommandTest.strix("demo", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("report.md") && r.out().contains("--minutes"), r.out());
    }
}
