package dev.strix.detection.train;

import dev.strix.nn.CpuDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A run folder that cannot take a checkpoint (disk full, no permission): the run stops with an error that names the
 * file and the cause, and the checkpoint of the previous epoch stays byte for byte as it was and resumable.
 */
class CheckpointWriteFailureTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());
    private static final List<String> FILES = List.of(Checkpoints.LAST, Checkpoints.STATE, Checkpoints.BEST,
            Checkpoints.POINTER, Trainer.CONFIG);

    @TempDir
    Path dir;

    @AfterEach
    void directSink() {
        Checkpoints.sink(null);
    }

    /** One epoch trained and checkpointed; returns the run folder. */
    private Path oneEpoch() throws IOException {
        Path run = dir.resolve("run");
        try (Trainer t = new Trainer(TrainTestConfigs.tiny(8, 0, 3, "weighted"), run, CpuDevice.INSTANCE, QUIET, false)) {
            t.stopAfterEpoch(1);
            assertEquals(1, t.train().epochs());
        }
        return run;
    }

    private static Map<String, byte[]> snapshot(Path run) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (String f : FILES) m.put(f, Files.readAllBytes(run.resolve(f)));
        return m;
    }

    private static void assertUnchanged(Map<String, byte[]> before, Path run, List<String> files) throws IOException {
        for (String f : files) assertArrayEquals(before.get(f), Files.readAllBytes(run.resolve(f)), f + " changed");
        try (Stream<Path> s = Files.list(run)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".tmp-")).toList(),
                    "no temporary file is left behind");
        }
    }

    /** Writes {@code bytes} bytes, then fails as a full disk does. */
    private static Checkpoints.FileSink diskFullAfter(long bytes, String onlyFile) {
        return (target, tmp, file) -> !(onlyFile == null || target.getFileName().toString().equals(onlyFile)) ? file
                : new WritableByteChannel() {
                    long written;

                    @Override
                    public int write(ByteBuffer src) throws IOException {
                        if (written + src.remaining() > bytes) throw new IOException("No space left on device");
                        int n = file.write(src);
                        written += n;
                        return n;
                    }

                    @Override
                    public boolean isOpen() {
                        return file.isOpen();
                    }

                    @Override
                    public void close() throws IOException {
                        file.close();
                    }
                };
    }

    private static UncheckedIOException resumeAndFail(Path run) throws IOException {
        try (Trainer t = Trainer.resume(run, CpuDevice.INSTANCE, QUIET, false, 0)) {
            return assertThrows(UncheckedIOException.class, t::train);
        }
    }

    @Test
    void diskFullKeepsEveryPreviousFile() throws IOException {
        Path run = oneEpoch();
        Map<String, byte[]> before = snapshot(run);
        Checkpoints.sink(diskFullAfter(100, null)); // every file fails after its first 100 bytes
        UncheckedIOException e = resumeAndFail(run);
        String m = e.getMessage();
        assertTrue(m.contains("No space left on device"), m);
        assertTrue(m.contains(run.toString()) && m.contains(".safetensors"), "names the file: " + m);
        assertTrue(m.contains("is kept unchanged"), m);
        assertUnchanged(before, run, FILES);

        Checkpoints.sink(null); // space again: the run continues from epoch 1
        try (Trainer t = Trainer.resume(run, CpuDevice.INSTANCE, QUIET, false, 0)) {
            assertEquals(1, t.completedEpochs());
            assertEquals(3, t.train().epochs());
        }
    }

    @Test
    void diskFullWhileWritingTheStateKeepsTheConsistentState() throws IOException {
        Path run = oneEpoch();
        Map<String, byte[]> before = snapshot(run);
        Checkpoints.sink(diskFullAfter(1000, Checkpoints.STATE));
        String m = resumeAndFail(run).getMessage();
        assertTrue(m.contains("cannot write " + run.resolve(Checkpoints.STATE) + ": No space left on device"), m);
        // the weights of epoch 2 went in first; the state and the pointer still say epoch 1
        assertUnchanged(before, run, List.of(Checkpoints.STATE, Checkpoints.POINTER));
        assertEquals(2, Checkpoints.weightsEpoch(run.resolve(Checkpoints.LAST)));
        assertEquals(1, Checkpoints.readState(run).epoch());

        Checkpoints.sink(null);
        try (Trainer t = Trainer.resume(run, CpuDevice.INSTANCE, QUIET, false, 0)) {
            assertEquals(1, t.completedEpochs());
            // resuming makes the pair consistent again before training on
            assertEquals(1, Checkpoints.weightsEpoch(run.resolve(Checkpoints.LAST)));
            assertEquals(3, t.train().epochs());
        }
    }

    @Test
    void permissionDeniedNamesTheFile() throws IOException {
        Path run = oneEpoch();
        Map<String, byte[]> before = snapshot(run);
        Checkpoints.sink((target, tmp, file) -> {
            throw new AccessDeniedException(tmp.toString());
        });
        String m = resumeAndFail(run).getMessage();
        assertTrue(m.contains("permission denied"), m);
        assertTrue(m.contains("is kept unchanged"), m);
        assertUnchanged(before, run, FILES);
    }

    /** {@code strix train} in-process: exit code and stderr. */
    private static Object[] commandLine(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8)) {
            code = dev.strix.detection.cli.Main.run(args, o, e);
        }
        return new Object[] {code, err.toString(java.nio.charset.StandardCharsets.UTF_8)};
    }

    @Test
    void commandLineReportsOneLineAndKeepsTheCheckpoint() throws IOException {
        Path run = oneEpoch();
        Map<String, byte[]> before = snapshot(run);
        Checkpoints.sink(diskFullAfter(0, null));
        Object[] r = commandLine("train", "--resume", run.toString());
        String err = (String) r[1];
        assertEquals(1, r[0], err);
        String last = err.strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("strix train: cannot write the run folder " + run), last);
        assertTrue(last.contains("No space left on device") && last.contains("is kept unchanged"), last);
        assertTrue(!err.contains("\tat "), "no stack trace: " + err);
        assertUnchanged(before, run, FILES);

        Checkpoints.sink(null);
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        r = commandLine("train", "--format", "synthetic", "--synthetic-count", "4", "--val-split", "none",
                "--size", "64", "--batch", "4", "--width", "4", "--fpn", "8", "--depth", "1", "--epochs", "1",
                "--out", file.resolve("run").toString());
        err = (String) r[1];
        assertEquals(1, r[0], err);
        assertTrue(err.strip().startsWith("strix train: cannot create the run folder " + file.resolve("run")), err);
        assertTrue(!err.contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void readOnlyRunFolder() throws IOException {
        Path run = oneEpoch();
        Map<String, byte[]> before = snapshot(run);
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(run), "the superuser writes into read-only folders; the sink tests cover it");
            try (Trainer t = Trainer.resume(run, CpuDevice.INSTANCE, QUIET, false, 0)) {
                t.train();
                fail("trained into a read-only folder");
            } catch (IOException | UncheckedIOException e) {
                assertTrue(e.getMessage().contains("cannot write " + run), e.getMessage());
            }
        } finally {
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        assertUnchanged(before, run, FILES);
    }
}
