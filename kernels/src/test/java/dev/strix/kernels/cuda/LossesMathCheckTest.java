package dev.strix.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Compiles kernels/src/test/cuda/losses_check.cu with nvcc for the host and runs it: the analytic gradients of the
 * loss kernels' per-element math (losses.cuh) against central finite differences, with no GPU needed. Skips where
 * nvcc is not installed.
 */
class LossesMathCheckTest {
    private static final Path NVCC = Path.of("/usr/local/cuda/bin/nvcc");

    @TempDir
    Path dir;

    @Test
    void lossGradientsMatchFiniteDifferences() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(NVCC), "nvcc not installed at " + NVCC);
        Path source = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
                .resolve("src/test/cuda/losses_check.cu");
        assertTrue(Files.isRegularFile(source), source + " missing");
        Path binary = dir.resolve("losses_check");
        String compile = run(dir, NVCC.toString(), "-o", binary.toString(), source.toString());
        assertTrue(Files.isExecutable(binary), "nvcc produced no program: " + compile);
        String out = run(dir, binary.toString());
        assertTrue(out.contains(", 0 mismatches"), out);
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 5 minutes");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }
}
