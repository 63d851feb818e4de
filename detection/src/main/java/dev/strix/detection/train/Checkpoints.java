package dev.strix.detection.train;

import dev.strix.nn.Tensor;
import dev.strix.nn.io.Json;
import dev.strix.nn.io.SafeTensors;
import dev.strix.nn.io.StateDicts;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

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
 * {@code epoch} differs (a crash between (1) and (2)) so that the pair is consistent again.
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

    /** Writes the pair and the pointer in the documented order. */
    public static void writeLast(Path dir, Map<String, Tensor> weights, Map<String, String> weightsMeta,
                                 Map<String, Tensor> state, Map<String, String> stateMeta, long epoch, long step)
            throws IOException {
        StateDicts.save(dir.resolve(LAST), weights, weightsMeta);
        StateDicts.save(dir.resolve(STATE), state, stateMeta);
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
        StateDicts.save(dir.resolve(BEST), weights, meta);
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

    /** Writes text to a temporary sibling, flushes it and renames it over {@code file}. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
