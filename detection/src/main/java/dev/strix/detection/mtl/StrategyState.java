package dev.strix.detection.mtl;

import dev.strix.nn.Tensor;
import dev.strix.nn.io.DType;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;

/** Helpers for strategies' state dicts: key checks and 0-d scalar tensors. */
final class StrategyState {
    private StrategyState() {}

    /** Fails unless {@code state} holds exactly {@code expected}, naming the missing and unexpected keys. */
    static void requireKeys(String strategy, Map<String, Tensor> state, Collection<String> expected) {
        TreeSet<String> missing = new TreeSet<>(expected);
        missing.removeAll(state.keySet());
        TreeSet<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(expected);
        if (!missing.isEmpty() || !unexpected.isEmpty())
            throw new IllegalArgumentException("state of strategy '" + strategy + "' does not match"
                    + (missing.isEmpty() ? "" : "; missing: " + missing)
                    + (unexpected.isEmpty() ? "" : "; unexpected: " + unexpected));
    }

    /** A 0-d float32 CPU tensor. */
    static Tensor scalar(double v) {
        return Tensor.scalar((float) v);
    }

    /** A 0-d int64 CPU tensor. */
    static Tensor scalarLong(long v) {
        return Tensor.ofLongs(new long[] {v});
    }

    /** The single float value of {@code state[key]}, checking it has one element. */
    static double scalarOf(Map<String, Tensor> state, String key) {
        Tensor t = state.get(key);
        if (t.numel() != 1)
            throw new IllegalArgumentException("state entry '" + key + "' must hold one value, shape is "
                    + Arrays.toString(t.shape()));
        return t.dtype() == DType.I64 ? t.longs()[0] : t.item();
    }

    /** The single int64 value of {@code state[key]}. */
    static long longOf(Map<String, Tensor> state, String key) {
        Tensor t = state.get(key);
        if (t.numel() != 1)
            throw new IllegalArgumentException("state entry '" + key + "' must hold one value, shape is "
                    + Arrays.toString(t.shape()));
        if (t.dtype() != DType.I64)
            throw new IllegalArgumentException("state entry '" + key + "' must be int64, is " + t.dtype());
        return t.longs()[0];
    }
}
