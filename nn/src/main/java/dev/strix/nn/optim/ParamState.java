package dev.strix.nn.optim;

import dev.strix.nn.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an optimizer keeps for one parameter between steps: named tensors on the parameter's device (momentum
 * buffer, first and second moments) and the number of updates applied so far.
 */
public final class ParamState {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private long step;

    /** State tensor {@code name}, or null before it is created. */
    public Tensor get(String name) {
        return tensors.get(name);
    }

    /** State tensor {@code name}, created as zeros shaped and placed like {@code like} when absent. */
    public Tensor getOrZeros(String name, Tensor like) {
        Tensor t = tensors.get(name);
        if (t == null) tensors.put(name, t = like.zerosLike());
        return t;
    }

    /** Stores {@code t} as state tensor {@code name}. */
    public void put(String name, Tensor t) {
        tensors.put(name, t);
    }

    /** All state tensors by name (read-only view of the live tensors). */
    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** Number of updates applied to this parameter. */
    public long step() {
        return step;
    }

    /** Counts one more update and returns the new count (1 after the first update). */
    public long incrementStep() {
        return ++step;
    }

    void setStep(long value) {
        if (value < 0) throw new IllegalArgumentException("negative step count " + value);
        step = value;
    }

    /** True before the first update (nothing stored). */
    public boolean isEmpty() {
        return step == 0 && tensors.isEmpty();
    }

    void clear() {
        tensors.clear();
        step = 0;
    }
}
