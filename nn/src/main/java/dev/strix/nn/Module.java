package dev.strix.nn;

import dev.strix.nn.io.DType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A node of a model: named parameters, named buffers and named child modules, with train/eval modes.
 *
 * <p>Names and order follow PyTorch's {@code state_dict}: a module's own parameters, then its own buffers, then
 * each child's entries under {@code childName.}, in registration order. Subclasses read their tensors through
 * {@link #param(String)} and {@link #buffer(String)} so that {@link #to(Device)} can move them.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a trainable tensor; it is marked as requiring gradients. */
    protected final Tensor registerParameter(String name, Tensor t) {
        checkName(name);
        t.requiresGrad(true);
        params.put(name, t);
        return t;
    }

    /** Registers a non-trainable tensor that belongs to the state dict (running statistics, counters). */
    protected final Tensor registerBuffer(String name, Tensor t) {
        checkName(name);
        buffers.put(name, t);
        return t;
    }

    /** Registers a child module. */
    protected final <M extends Module> M registerModule(String name, M m) {
        checkName(name);
        children.put(name, m);
        return m;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains("."))
            throw new IllegalArgumentException("bad module entry name '" + name + "'");
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name))
            throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
    }

    /** This module's own parameter {@code name}. */
    protected final Tensor param(String name) {
        Tensor t = params.get(name);
        if (t == null && !params.containsKey(name))
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'");
        return t;
    }

    /** This module's own buffer {@code name}. */
    protected final Tensor buffer(String name) {
        Tensor t = buffers.get(name);
        if (t == null && !buffers.containsKey(name))
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer '" + name + "'");
        return t;
    }

    /** Replaces the tensor behind an existing buffer (e.g. a counter's new value). */
    protected final void setBuffer(String name, Tensor t) {
        if (!buffers.containsKey(name)) throw new IllegalArgumentException("no buffer '" + name + "'");
        buffers.put(name, t);
    }

    /** Direct children, by name. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Child {@code name}. */
    public final Module child(String name) {
        Module m = children.get(name);
        if (m == null) throw new IllegalArgumentException(getClass().getSimpleName() + " has no child '" + name + "'");
        return m;
    }

    /** All parameters under dotted names, in state-dict order. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    /** All parameters in state-dict order. */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters and buffers under dotted names, in PyTorch's state-dict order. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean withParams, boolean withBuffers) {
        if (withParams) params.forEach((k, v) -> { if (v != null) out.put(prefix + k, v); });
        if (withBuffers) buffers.forEach((k, v) -> { if (v != null) out.put(prefix + k, v); });
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, withParams, withBuffers));
    }

    /**
     * Copies values from {@code state} into this module's tensors (shapes must match exactly). With
     * {@code strict}, missing and unexpected names are errors; the message lists them.
     */
    public final void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        TreeSet<String> missing = new TreeSet<>(own.keySet());
        missing.removeAll(state.keySet());
        TreeSet<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(own.keySet());
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty()))
            throw new IllegalArgumentException("state dict does not match " + getClass().getSimpleName()
                    + (missing.isEmpty() ? "" : "; missing: " + missing)
                    + (unexpected.isEmpty() ? "" : "; unexpected: " + unexpected));
        // check every shape before copying anything, so a failed load leaves the module untouched
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src != null && !Arrays.equals(src.shape(), e.getValue().shape()))
                throw new IllegalArgumentException("tensor '" + e.getKey() + "': shape " + Arrays.toString(src.shape())
                        + " does not match the model's " + Arrays.toString(e.getValue().shape()));
        }
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) continue;
            Tensor dst = e.getValue();
            if (dst.dtype() == DType.I64) {
                long[] v = src.dtype() == DType.I64 ? src.longs() : toLongs(src.toArray());
                System.arraycopy(v, 0, dst.longs(), 0, v.length);
            } else {
                Tensor s = src.dtype() == DType.F32 ? src : Tensor.of(toFloats(src.longs()), src.shape());
                dst.device().copy(dst, s.device() == dst.device() ? s.detach() : s.detach().to(dst.device()));
            }
        }
    }

    private static long[] toLongs(float[] f) {
        long[] r = new long[f.length];
        for (int i = 0; i < f.length; i++) r[i] = (long) f[i];
        return r;
    }

    private static float[] toFloats(long[] l) {
        float[] r = new float[l.length];
        for (int i = 0; i < l.length; i++) r[i] = l[i];
        return r;
    }

    /** Moves every float parameter and buffer to {@code device} (int64 buffers stay on the host). */
    public final Module to(Device device) {
        params.replaceAll((k, v) -> v == null || v.device() == device ? v : moved(v, device, true));
        buffers.replaceAll((k, v) -> v == null || v.device() == device || v.dtype() != DType.F32 ? v
                : moved(v, device, false));
        for (Module m : children.values()) m.to(device);
        return this;
    }

    private static Tensor moved(Tensor v, Device device, boolean trainable) {
        Tensor t = Tensor.from(device, v.toArray(), v.shape());
        if (trainable) t.requiresGrad(true);
        return t;
    }

    /** Training mode (batch statistics, dropout on) for this module and its children. */
    public Module train() {
        return setTraining(true);
    }

    /** Evaluation mode (running statistics, dropout off). */
    public Module eval() {
        return setTraining(false);
    }

    private Module setTraining(boolean t) {
        training = t;
        for (Module m : children.values()) m.setTraining(t);
        return this;
    }

    public final boolean isTraining() {
        return training;
    }

    /** Clears the gradient of every parameter. */
    public final void zeroGrad() {
        for (Tensor p : parameters()) p.setGrad(null);
    }

    /** Number of trainable scalars. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }
}
