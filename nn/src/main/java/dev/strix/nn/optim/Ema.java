package dev.strix.nn.optim;

import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.io.DType;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Exponential moving average of a model's weights (the "model EMA" of timm and ultralytics), evaluated instead
 * of the raw weights for steadier results.
 *
 * <p>It keeps its own copy of every entry of the model's state dict, on the same devices. Each
 * {@link #update(Module)} moves the parameters towards the model's,
 * {@code ema = d * ema + (1 - d) * param}, and copies buffers (batch-norm running statistics, counters)
 * verbatim. With warm-up the decay used by the n-th update (counting from 1) is
 * {@code decay * (1 - exp(-n / 2000))}, so that early updates follow the model closely; without it, it is
 * {@code decay}.
 */
public final class Ema {
    /** Time constant of the warm-up, in updates (ultralytics' value). */
    public static final double WARMUP_UPDATES = 2000;

    private final double decay;
    private final boolean warmup;
    private final Map<String, Tensor> shadow = new LinkedHashMap<>();
    private long updates;

    /** An EMA of {@code model} with a constant decay (e.g. 0.9999), starting from the model's current weights. */
    public Ema(Module model, double decay) {
        this(model, decay, false);
    }

    /**
     * @param model  the model to follow; its state dict is copied now
     * @param decay  the decay in [0, 1]
     * @param warmup ramp the decay up as {@code decay * (1 - exp(-updates / 2000))}
     */
    public Ema(Module model, double decay, boolean warmup) {
        if (!(decay >= 0 && decay <= 1)) throw new IllegalArgumentException("EMA decay must be in [0, 1], got " + decay);
        this.decay = decay;
        this.warmup = warmup;
        model.stateDict().forEach((k, v) -> shadow.put(k, copyOf(v)));
    }

    /** The nominal decay. */
    public double decay() {
        return decay;
    }

    /** Number of updates applied so far. */
    public long updates() {
        return updates;
    }

    /** The decay that the {@code n}-th update (counting from 1) uses. */
    public double decayAt(long n) {
        return warmup ? decay * (1 - Math.exp(-n / WARMUP_UPDATES)) : decay;
    }

    /** Folds the model's current weights into the average; the model must have the same entries and shapes. */
    public void update(Module model) {
        Map<String, Tensor> state = model.stateDict();
        if (!state.keySet().equals(shadow.keySet())) {
            Set<String> missing = new TreeSet<>(shadow.keySet());
            missing.removeAll(state.keySet());
            Set<String> extra = new TreeSet<>(state.keySet());
            extra.removeAll(shadow.keySet());
            throw new IllegalArgumentException("model entries differ from the EMA's: missing " + missing
                    + ", unexpected " + extra);
        }
        Set<String> params = model.namedParameters().keySet();
        float d = (float) decayAt(++updates);
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor src = e.getValue(), dst = shadow.get(e.getKey());
            if (src.numel() != dst.numel() || src.dtype() != dst.dtype() || src.device() != dst.device())
                throw new IllegalArgumentException("entry '" + e.getKey() + "' is " + src + " in the model but " + dst
                        + " in the EMA");
            if (src.dtype() == DType.I64) System.arraycopy(src.longs(), 0, dst.longs(), 0, dst.numel());
            else if (params.contains(e.getKey())) dst.device().emaUpdate(dst, src, d);
            else dst.device().copy(dst, src);
        }
    }

    /** Copies the averaged weights and buffers into {@code target} (strict: same entries, same shapes). */
    public void copyTo(Module target) {
        target.loadStateDict(shadow, true);
    }

    /** The averaged state dict under the model's names (read-only view of the live tensors). */
    public Map<String, Tensor> stateDict() {
        return Collections.unmodifiableMap(shadow);
    }

    /**
     * Restores an average saved from {@link #stateDict()} together with its update count, for resuming
     * training. Every entry must be present with the same number of elements.
     */
    public void load(Map<String, Tensor> state, long updateCount) {
        if (updateCount < 0) throw new IllegalArgumentException("negative update count " + updateCount);
        if (!state.keySet().equals(shadow.keySet()))
            throw new IllegalArgumentException("EMA state entries differ: have " + shadow.keySet() + ", got "
                    + state.keySet());
        for (Map.Entry<String, Tensor> e : shadow.entrySet()) {
            Tensor dst = e.getValue(), src = state.get(e.getKey());
            if (src.numel() != dst.numel() || src.dtype() != dst.dtype())
                throw new IllegalArgumentException("entry '" + e.getKey() + "': " + src + " does not fit " + dst);
            if (dst.dtype() == DType.I64) System.arraycopy(src.longs(), 0, dst.longs(), 0, dst.numel());
            else dst.device().copy(dst, src.device() == dst.device() ? src
                    : Tensor.from(dst.device(), src.toArray(), src.shape()));
        }
        updates = updateCount;
    }

    private static Tensor copyOf(Tensor t) {
        if (t.dtype() == DType.I64) return Tensor.ofLongs(t.longs().clone(), t.shape());
        return Optimizer.copyOn(t.device(), t);
    }
}
