package dev.strix.nn.io;

import dev.strix.nn.Module;
import dev.strix.nn.Tensor;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Model state dicts in safetensors files, name-compatible with PyTorch's {@code state_dict()}.
 *
 * <p>Float tensors are written as F32 and int64 tensors (such as {@code num_batches_tracked}) as I64. Reading
 * converts every floating-point dtype (F64, F32, F16, BF16) to float32 CPU tensors and every integer or BOOL
 * dtype to int64 CPU tensors, so files written by PyTorch in any of these types load.
 */
public final class StateDicts {
    private StateDicts() {}

    /** Writes {@code m.stateDict()} to {@code file} (no metadata). */
    public static void save(Path file, Module m) throws IOException {
        save(file, m.stateDict(), Map.of());
    }

    /**
     * Writes {@code tensors} (float32 on any device, or int64 on the host) and {@code metadata} to {@code file},
     * atomically (see {@link SafeTensors#write(Path, java.util.Collection, Map)}).
     */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        SafeTensors.write(file, toTensorData(file.toString(), tensors), metadata);
    }

    /**
     * Writes the safetensors bytes of {@code tensors} and {@code metadata} to {@code out} (as {@link #save} lays them
     * out); the caller makes the destination durable and atomic.
     *
     * @param label names the destination in error messages
     */
    public static void write(String label, WritableByteChannel out, Map<String, Tensor> tensors,
                             Map<String, String> metadata) throws IOException {
        SafeTensors.write(label, out, toTensorData(label, tensors), metadata);
    }

    private static List<TensorData> toTensorData(String file, Map<String, Tensor> tensors) {
        List<TensorData> out = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
            out.add(switch (t.dtype()) {
                case F32 -> TensorData.ofFloats(e.getKey(), shape, t.toArray());
                case I64 -> TensorData.ofLongs(e.getKey(), shape, t.longs());
                default -> throw new IllegalArgumentException(file + ": tensor '" + e.getKey() + "' has dtype "
                        + t.dtype() + ", which state dicts do not store");
            });
        }
        return out;
    }

    /** All tensors of {@code file}, in the file's order, as float32 or int64 CPU tensors (see the class comment). */
    public static Map<String, Tensor> read(Path file) throws IOException {
        SafeTensorsFile f = SafeTensors.read(file);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorData td : f.tensors().values()) {
            Tensor t;
            try {
                int[] shape = td.intShape();
                t = td.dtype().isFloatingPoint() ? Tensor.of(td.toFloatArray(), shape)
                        : Tensor.ofLongs(td.toLongArray(), shape);
            } catch (ArithmeticException | IllegalArgumentException | IllegalStateException e) {
                // a valid file can still describe a tensor no in-memory tensor can hold, e.g. shape [0, 2^32]
                throw new SafeTensorsException(file + ": tensor '" + td.name() + "' of shape "
                        + Arrays.toString(td.shape()) + " cannot be held in memory: " + e.getMessage(), e);
            }
            out.put(td.name(), t);
        }
        return out;
    }

    /**
     * Loads {@code file} into {@code m}'s parameters and buffers (copying into the existing tensors, on whatever
     * device they live). Every tensor the two have in common must have the model's shape; with {@code strict},
     * the names must also match exactly. Nothing is copied unless all checks pass. Errors name the file and
     * the tensors, e.g. {@code "weights.safetensors: tensor 'stem.0.weight' has shape [8, 3, 3, 3] but the model
     * expects [16, 3, 3, 3]"}.
     *
     * @throws IllegalArgumentException on a mismatch (the model is left unchanged)
     * @throws IOException              when the file cannot be read or is not valid safetensors
     */
    public static void load(Path file, Module m, boolean strict) throws IOException {
        Map<String, Tensor> state = read(file);
        Map<String, Tensor> own = m.stateDict();
        List<String> problems = new ArrayList<>();
        if (strict) {
            TreeSet<String> missing = new TreeSet<>(own.keySet());
            missing.removeAll(state.keySet());
            TreeSet<String> unexpected = new TreeSet<>(state.keySet());
            unexpected.removeAll(own.keySet());
            if (!missing.isEmpty())
                problems.add(missing.size() + " tensor(s) of " + m.getClass().getSimpleName() + " missing from the file: " + missing);
            if (!unexpected.isEmpty())
                problems.add(unexpected.size() + " unexpected tensor(s) not in " + m.getClass().getSimpleName() + ": " + unexpected);
        }
        Map<String, Tensor> common = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) continue;
            if (!Arrays.equals(src.shape(), e.getValue().shape()))
                problems.add("tensor '" + e.getKey() + "' has shape " + Arrays.toString(src.shape())
                        + " but the model expects " + Arrays.toString(e.getValue().shape()));
            common.put(e.getKey(), src);
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException(file + ": " + String.join("; ", problems));
        m.loadStateDict(common, false);
    }
}
