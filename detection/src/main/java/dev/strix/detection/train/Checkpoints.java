package dev.strix.detection.train;

import dev.strix.nn.Tensor;
import dev.strix.nn.io.Json;
import dev.strix.nn.io.SafeTensors;
import dev.strix.nn.io.StateDicts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The checkpoint files of a run folder and the order in which they are replaced.
 *
 * <ul>
 *   <li>{@value #LAST}: the model weights after the latest completed epoch (the EMA weights when EMA is on), under
 *       DetNet's state-dict names, with metadata ({@code epoch}, {@code class_names}, {@code input_size}, ...);</li>
 *   <li>{@value #STATE}: everything needed to continue: the raw model ({@code model.*}), the EMA ({@code ema.*}),
 *       the optimizer ({@code optim.*}), the strategy ({@code strategy.*}) and the trainer's counters
 *       ({@code trainer.*}); metadata {@code epoch}, {@code step}, {@code best_metric}, ...;</li>
 *   <li>{@value #BEST}: the weights of the epoch with the best validation VOC mAP50 (the lowest training loss when
 *       there is no validation);</li>
 *   <li>{@value #POINTER}: written last, names the epoch and step of the consistent pair.</li>
 * </ul>
 * Each file is written to a temporary name in the same folder, flushed to disk and renamed over the old one
 * (atomic on one file system). The order is: (1) {@value #LAST}, (2) {@value #STATE}, (3) {@value #POINTER}. A crash
 * at any point leaves every file either old or new and never torn; the state file is complete on its own (it holds
 * the raw and EMA weights), so resuming reads only it, and rewrites {@value #LAST} from it when the weights file's
 * {@code epoch} differs (a crash between (1) and (2)) so that the pair is consistent again. A temporary file left
 * by a crash is removed when the run resumes ({@link #removeTemporaries}). When a write fails (disk full, folder not
 * writable) the error names the file and says that the previous one is kept.
 *
 * <p>Every file goes through a {@link FileSink}, which tests replace to make a write fail or stop half way. The
 * system property {@value #PAUSE_PROPERTY}{@code =NAME[@N]} installs one that stops the {@code N}th write (default
 * first) of file {@code NAME} half way, prints {@code checkpoint write paused: TEMP_FILE} on stderr and blocks for
 * good, so that a test can kill the process at that moment.
 */
public final class Checkpoints {
    public static final String LAST = "last.safetensors";
    public static final String STATE = "last.state.safetensors";
    public static final String BEST = "best.safetensors";
    public static final String POINTER = "checkpoint.json";

    private Checkpoints() {}

    /** A training state read back. */
    public record State(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** The tensors whose names start with {@code prefix}, with the prefix removed. */
        public Map<String, Tensor> section(String prefix) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            tensors.forEach((k, v) -> {
                if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
            });
            return out;
        }

        public long epoch() {
            return Long.parseLong(metadata.get("epoch"));
        }
    }

    /** The test-only property that makes a checkpoint write stop half way (see the class comment). */
    public static final String PAUSE_PROPERTY = "strix.test.pauseCheckpointWrite";

    /** The channel the bytes of a run-folder file pass through on their way into its temporary file. */
    @FunctionalInterface
    public interface FileSink {
        /**
         * @param target the file being replaced (not yet touched)
         * @param tmp    the temporary file the bytes go to
         * @param file   the open temporary file
         * @return the channel to write through ({@code file} itself to write directly)
         */
        WritableByteChannel wrap(Path target, Path tmp, WritableByteChannel file) throws IOException;
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final FileSink DIRECT = (target, tmp, file) -> file;
    private static volatile FileSink sink = sinkFromProperty(System.getProperty(PAUSE_PROPERTY));

    /** Installs {@code s} (null: write directly) and returns the previous sink; for fault injection in tests. */
    static FileSink sink(FileSink s) {
        FileSink old = sink;
        sink = s == null ? DIRECT : s;
        return old;
    }

    /** Writes the pair and the pointer in the documented order. */
    public static void writeLast(Path dir, Map<String, Tensor> weights, Map<String, String> weightsMeta,
                                 Map<String, Tensor> state, Map<String, String> stateMeta, long epoch, long step)
            throws IOException {
        save(dir.resolve(LAST), weights, weightsMeta);
        save(dir.resolve(STATE), state, stateMeta);
        Map<String, Object> pointer = new LinkedHashMap<>();
        pointer.put("epoch", epoch);
        pointer.put("step", step);
        pointer.put("weights", LAST);
        pointer.put("weights_bytes", Files.size(dir.resolve(LAST)));
        pointer.put("state", STATE);
        pointer.put("state_bytes", Files.size(dir.resolve(STATE)));
        writeAtomically(dir.resolve(POINTER), Json.writePretty(pointer, 2) + "\n");
    }

    /** Replaces {@value #BEST}. */
    public static void writeBest(Path dir, Map<String, Tensor> weights, Map<String, String> meta) throws IOException {
        save(dir.resolve(BEST), weights, meta);
    }

    /**
     * Reads the training state of {@code dir}.
     *
     * @throws IOException naming the file when there is no state or it is not readable
     */
    public static State readState(Path dir) throws IOException {
        Path file = dir.resolve(STATE);
        if (!Files.isRegularFile(file))
            throw new NoSuchFileException(file + ": no training state to resume from (the run did not finish an epoch)");
        Map<String, String> meta = SafeTensors.read(file).metadata();
        if (!meta.containsKey("epoch")) throw new IOException(file + ": not a training state (no 'epoch' metadata)");
        return new State(StateDicts.read(file), meta);
    }

    /** The {@code epoch} metadata of a weights file, or -1 when it is missing or unreadable. */
    public static long weightsEpoch(Path file) {
        try {
            String e = SafeTensors.read(file).metadata().get("epoch");
            return e == null ? -1 : Long.parseLong(e);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Deletes the temporary files ({@code .NAME.tmp-*}) that an interrupted write left in {@code dir}.
     *
     * @return the files removed
     */
    public static List<Path> removeTemporaries(Path dir) throws IOException {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*.tmp-*")) {
            for (Path f : files) {
                if (Files.isRegularFile(f) && Files.deleteIfExists(f)) removed.add(f);
            }
        }
        return removed;
    }

    /** Writes a state dict atomically through the sink. */
    static void save(Path file, Map<String, Tensor> tensors, Map<String, String> meta) throws IOException {
        writeAtomically(file, out -> StateDicts.write(file.toString(), out, tensors, meta));
    }

    /** Writes text atomically through the sink. */
    static void writeAtomically(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        writeAtomically(file, out -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) out.write(b);
        });
    }

    private interface Body {
        void writeTo(WritableByteChannel out) throws IOException;
    }

    /**
     * Writes to a temporary sibling ({@code .NAME.tmp-RANDOM}), flushes it to disk and renames it over {@code file};
     * on failure the temporary file is deleted and {@code file} keeps its previous content.
     */
    private static void writeAtomically(Path file, Body body) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp;
        try {
            tmp = createTemp(dir, file.getFileName().toString());
        } catch (IOException e) {
            throw failure(file, e);
        }
        boolean moved = false;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            body.writeTo(sink.wrap(file, tmp, ch));
            ch.force(true);
            ch.close();
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } catch (IOException e) {
            throw failure(file, e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write error is the one worth reporting
                }
            }
        }
    }

    private static Path createTemp(Path dir, String name) throws IOException {
        while (true) {
            Path tmp = dir.resolve("." + name + ".tmp-" + Long.toHexString(RANDOM.nextLong()));
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException retry) {
                // another name
            }
        }
    }

    private static IOException failure(Path file, IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof AccessDeniedException) why = "permission denied (" + why + ")";
        return new IOException("cannot write " + file + ": " + why + (Files.exists(file)
                ? "; the previous " + file.getFileName() + " is kept unchanged" : ""), e);
    }

    /** The sink of {@value #PAUSE_PROPERTY}, or the direct one when the property is not set. */
    static FileSink sinkFromProperty(String value) {
        if (value == null || value.isBlank()) return DIRECT;
        String[] parts = value.trim().split("@", 2);
        String name = parts[0];
        int occurrence = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : 1;
        AtomicInteger seen = new AtomicInteger();
        return (target, tmp, file) -> {
            if (!target.getFileName().toString().equals(name) || seen.incrementAndGet() != occurrence) return file;
            long half = Files.exists(target) ? Files.size(target) / 2 : 1;
            return new WritableByteChannel() {
                long written;

                @Override
                public int write(ByteBuffer src) throws IOException {
                    int n = file.write(src);
                    written += n;
                    if (written >= half) pauseForever(tmp);
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
        };
    }

    private static void pauseForever(Path tmp) {
        System.err.println("checkpoint write paused: " + tmp);
        System.err.flush();
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // keep waiting: only a kill ends this
            }
        }
    }
}
