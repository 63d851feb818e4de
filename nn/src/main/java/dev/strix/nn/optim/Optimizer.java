package dev.strix.nn.optim;

import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.io.DType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Base of the gradient-descent optimizers: parameter groups, per-parameter state, learning-rate factors and a
 * state dict for exact resumption.
 *
 * <p>Parameters are numbered across all groups in order (group 0's first parameter is 0), as in PyTorch's
 * state dict. {@link #step()} visits every parameter and skips those whose {@code grad()} is null. All updates
 * run through the parameter's {@link Device}, so the optimizers work on any backend.
 *
 * <p>State dict keys ({@link #stateDict()}): {@code state.<param>.<name>} for each state tensor (e.g.
 * {@code state.3.momentum_buffer}, {@code state.3.exp_avg}, {@code state.3.exp_avg_sq}),
 * {@code state.<param>.step} (I64 scalar), and per group {@code group.<g>.lr} (the rate in use),
 * {@code group.<g>.base_lr}, {@code group.<g>.<option>} (F32 scalars) and {@code group.<g>.params} (I64, the
 * parameter numbers of the group).
 */
public abstract class Optimizer {
    private final List<ParamGroup> groups;
    private final List<Tensor> params = new ArrayList<>();
    private final List<ParamState> states = new ArrayList<>();

    /**
     * @param groups   the parameter groups (at least one; a parameter may appear only once overall)
     * @param defaults option values for groups that do not set them (must include {@link ParamGroup#LR})
     */
    protected Optimizer(List<ParamGroup> groups, Map<String, Double> defaults) {
        if (groups.isEmpty()) throw new IllegalArgumentException("an optimizer needs at least one parameter group");
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (ParamGroup g : groups) {
            defaults.forEach(g::setDefault);
            for (Map.Entry<String, Double> e : g.options().entrySet())
                if (!Double.isFinite(e.getValue()))
                    throw new IllegalArgumentException("option " + e.getKey() + " = " + e.getValue() + " is not finite");
            requireAtLeast(g, ParamGroup.LR, 0);
            if (g.has(ParamGroup.WEIGHT_DECAY)) requireAtLeast(g, ParamGroup.WEIGHT_DECAY, 0);
            for (Tensor p : g.params()) {
                if (seen.put(p, Boolean.TRUE) != null)
                    throw new IllegalArgumentException("parameter " + p + " appears in more than one place");
                if (p.dtype() != DType.F32) throw new IllegalArgumentException("parameter " + p + " is not float32");
                params.add(p);
                states.add(new ParamState());
            }
        }
        this.groups = List.copyOf(groups);
    }

    /** Fails unless option {@code key} of {@code g} is at least {@code min}. */
    protected static void requireAtLeast(ParamGroup g, String key, double min) {
        if (g.get(key) < min) throw new IllegalArgumentException(key + " must be >= " + min + ", got " + g.get(key));
    }

    /**
     * Applies one update to {@code param} in place from its gradient.
     *
     * @param group the parameter's group (options already filled with defaults)
     * @param param the parameter (any shape)
     * @param grad  its gradient, same shape and device
     * @param state the parameter's state, to read and update
     */
    protected abstract void update(ParamGroup group, Tensor param, Tensor grad, ParamState state);

    /** One optimization step over every parameter that has a gradient. */
    public final void step() {
        int index = 0;
        for (ParamGroup g : groups)
            for (Tensor p : g.params()) {
                Tensor grad = p.grad();
                if (grad != null) update(g, p, grad, states.get(index)); // Tensor.setGrad checked the shape
                index++;
            }
    }

    /** Clears every parameter's gradient (sets it to null, PyTorch's default {@code set_to_none}). */
    public void zeroGrad() {
        for (Tensor p : params) p.setGrad(null);
    }

    /** The parameter groups (read-only list; the groups themselves are live). */
    public List<ParamGroup> groups() {
        return groups;
    }

    /** All parameters in state-dict numbering. */
    public List<Tensor> parameters() {
        return Collections.unmodifiableList(params);
    }

    /** The state of parameter number {@code index}. */
    public ParamState state(int index) {
        return states.get(index);
    }

    /** The learning rate in use by the first group. */
    public double lr() {
        return groups.get(0).lr();
    }

    /**
     * Sets the first group's learning rate to {@code lr} and every other group's in proportion to its base
     * rate (the factor {@code lr / baseLr} of the first group is applied to all groups).
     */
    public void setLr(double lr) {
        double base = groups.get(0).baseLr();
        if (base == 0) throw new IllegalStateException("the first group's base learning rate is 0; use setLrFactor");
        setLrFactor(lr / base);
    }

    /** Sets every group's learning rate to its base rate times {@code factor}. */
    public void setLrFactor(double factor) {
        for (ParamGroup g : groups) g.setLrFactor(factor);
    }

    // ---- state dict -----------------------------------------------------------------------------------

    /**
     * A snapshot of the optimizer: copies of every state tensor (on their devices), step counts and group
     * options. Continuing from it with {@link #loadStateDict} gives bitwise the same updates.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int first = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            String pre = "group." + gi + ".";
            out.put(pre + "lr", Tensor.scalar((float) g.lr()));
            out.put(pre + "base_lr", Tensor.scalar((float) g.baseLr()));
            for (Map.Entry<String, Double> o : g.options().entrySet())
                if (!o.getKey().equals(ParamGroup.LR)) out.put(pre + o.getKey(), Tensor.scalar(o.getValue().floatValue()));
            long[] ids = new long[g.params().size()];
            for (int i = 0; i < ids.length; i++) ids[i] = first + i;
            out.put(pre + "params", Tensor.ofLongs(ids, ids.length));
            first += ids.length;
        }
        for (int i = 0; i < states.size(); i++) {
            ParamState s = states.get(i);
            if (s.isEmpty()) continue;
            String pre = "state." + i + ".";
            for (Map.Entry<String, Tensor> e : s.tensors().entrySet())
                out.put(pre + e.getKey(), copyOn(e.getValue().device(), e.getValue()));
            out.put(pre + "step", Tensor.ofLongs(new long[] {s.step()}));
        }
        return out;
    }

    /**
     * Restores a snapshot taken by {@link #stateDict()} of an optimizer of the same kind over parameters of the
     * same shapes and grouping. State tensors (shaped like their parameter) are copied onto each parameter's
     * device. Group options are taken from the snapshot where they differ from this optimizer's at float
     * precision (so options given to the constructor in double precision survive when they agree). Parameters
     * absent from the snapshot start with empty state.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        validate(state);
        for (ParamState s : states) s.clear();
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            String pre = "group." + gi + ".";
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                if (!e.getKey().startsWith(pre)) continue;
                String k = e.getKey().substring(pre.length());
                if (k.equals("params") || k.equals("lr")) continue;
                String option = k.equals("base_lr") ? ParamGroup.LR : k;
                float stored = e.getValue().item();
                if (!g.has(option) || (float) g.get(option) != stored) g.set(option, stored);
            }
            Tensor lr = state.get(pre + "lr");
            if (lr != null) {
                float stored = lr.item();
                if ((float) g.lr() != stored) {
                    if (g.baseLr() == 0) {
                        g.set(ParamGroup.LR, stored);
                        g.setLrFactor(1);
                    } else g.setLrFactor(stored / g.baseLr());
                }
            }
        }
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("state.")) continue;
            int dot = key.indexOf('.', 6);
            int index = Integer.parseInt(key.substring(6, dot));
            String name = key.substring(dot + 1);
            ParamState s = states.get(index);
            if (name.equals("step")) s.setStep(longsOf(e.getValue())[0]);
            else s.put(name, copyOn(params.get(index).device(), e.getValue()));
        }
    }

    /** Names of the per-parameter state tensors this optimizer keeps (e.g. {@code momentum_buffer}). */
    protected abstract Set<String> stateNames();

    /** Checks every key, the group layout and the state shapes before anything is changed. */
    private void validate(Map<String, Tensor> state) {
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey();
            checkKey(key);
            if (!key.startsWith("state.")) continue;
            int dot = key.indexOf('.', 6);
            int index = Integer.parseInt(key.substring(6, dot));
            String name = key.substring(dot + 1);
            if (name.equals("step")) {
                if (longsOf(e.getValue())[0] < 0) throw new IllegalArgumentException("negative step in '" + key + "'");
                continue;
            }
            if (!stateNames().contains(name))
                throw new IllegalArgumentException("state '" + key + "' is not kept by " + getClass().getSimpleName()
                        + " (it keeps " + stateNames() + ")");
            Tensor p = params.get(index), src = e.getValue();
            if (!Arrays.equals(src.shape(), p.shape()))
                throw new IllegalArgumentException("state '" + key + "' has shape " + Arrays.toString(src.shape())
                        + " but parameter " + index + " has shape " + Arrays.toString(p.shape()));
        }
        int first = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            int n = groups.get(gi).params().size();
            Tensor ids = state.get("group." + gi + ".params");
            if (ids != null) {
                long[] expected = new long[n];
                for (int i = 0; i < n; i++) expected[i] = first + i;
                if (!Arrays.equals(expected, longsOf(ids)))
                    throw new IllegalArgumentException("group " + gi + " holds parameters "
                            + Arrays.toString(longsOf(ids)) + " in the state dict but " + Arrays.toString(expected)
                            + " here");
            }
            first += n;
        }
    }

    private void checkKey(String key) {
        String[] parts = key.split("\\.", 3);
        boolean ok = parts.length == 3 && (parts[0].equals("group") || parts[0].equals("state"))
                && parts[1].matches("[0-9]{1,9}") && !parts[2].isEmpty();
        if (!ok) throw new IllegalArgumentException("unexpected optimizer state key '" + key + "'");
        int n = Integer.parseInt(parts[1]);
        int limit = parts[0].equals("group") ? groups.size() : params.size();
        if (n >= limit)
            throw new IllegalArgumentException("state key '" + key + "' refers to " + parts[0] + " " + n + " but this "
                    + "optimizer has " + limit);
    }

    private static long[] longsOf(Tensor t) {
        if (t.dtype() == DType.I64) return t.longs();
        float[] f = t.toArray();
        long[] r = new long[f.length];
        for (int i = 0; i < f.length; i++) r[i] = (long) f[i];
        return r;
    }

    /** A fresh float copy of {@code src} on {@code device}, without history. */
    static Tensor copyOn(Device device, Tensor src) {
        if (src.dtype() != DType.F32)
            throw new IllegalArgumentException("optimizer state tensor " + src + " is not float32");
        if (src.device() != device) return Tensor.from(device, src.toArray(), src.shape());
        Tensor out = Tensor.zeros(device, src.shape());
        device.copy(out, src);
        return out;
    }
}
