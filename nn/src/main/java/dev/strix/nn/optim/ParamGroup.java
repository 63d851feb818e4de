package dev.strix.nn.optim;

import dev.strix.nn.Tensor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A list of parameters that share hyperparameters, like one entry of PyTorch's {@code param_groups}.
 *
 * <p>Options are numbers under fixed names ({@link #LR}, {@link #WEIGHT_DECAY}, {@link #MOMENTUM}, ...; booleans
 * are stored as 0 or 1). A group only holds the options set on it; an {@link Optimizer} fills in its own
 * defaults for the rest when the group is handed to it. The learning rate set here is the group's base
 * learning rate: the rate actually used is {@code baseLr * lrFactor}, and schedules change only the factor so
 * that groups keep their ratios.
 *
 * <pre>{@code
 * ParamGroup heads = new ParamGroup(headParams).set(ParamGroup.LR, 0.02).set(ParamGroup.WEIGHT_DECAY, 0);
 * }</pre>
 */
public final class ParamGroup {
    /** Base learning rate. */
    public static final String LR = "lr";
    /** L2 penalty (coupled for SGD and Adam, decoupled for AdamW). */
    public static final String WEIGHT_DECAY = "weight_decay";
    /** SGD momentum factor. */
    public static final String MOMENTUM = "momentum";
    /** SGD dampening of the momentum update. */
    public static final String DAMPENING = "dampening";
    /** SGD Nesterov momentum, 1 or 0. */
    public static final String NESTEROV = "nesterov";
    /** Adam first-moment decay. */
    public static final String BETA1 = "beta1";
    /** Adam second-moment decay. */
    public static final String BETA2 = "beta2";
    /** Adam denominator term. */
    public static final String EPS = "eps";

    private final List<Tensor> params;
    private final Map<String, Double> options = new LinkedHashMap<>();
    private double lrFactor = 1.0;

    /** A group of {@code params} (copied list, same tensors) with no options set yet. */
    public ParamGroup(Collection<Tensor> params) {
        for (Tensor p : params)
            if (p == null) throw new IllegalArgumentException("null parameter in a parameter group");
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
    }

    /** One group holding all of {@code params}, as a list ready for an optimizer's constructor. */
    public static List<ParamGroup> single(Collection<Tensor> params) {
        return List.of(new ParamGroup(params));
    }

    /** The parameters, in order. */
    public List<Tensor> params() {
        return params;
    }

    /** Sets option {@code key}; returns this. */
    public ParamGroup set(String key, double value) {
        if (Double.isNaN(value)) throw new IllegalArgumentException("option " + key + " is NaN");
        options.put(key, value);
        return this;
    }

    /** Sets a boolean option (stored as 1 or 0); returns this. */
    public ParamGroup set(String key, boolean value) {
        return set(key, value ? 1.0 : 0.0);
    }

    /** Sets {@code key} only when the group does not hold it yet. */
    void setDefault(String key, double value) {
        options.putIfAbsent(key, value);
    }

    /** True when option {@code key} is set. */
    public boolean has(String key) {
        return options.containsKey(key);
    }

    /** Option {@code key}; fails when it is not set. */
    public double get(String key) {
        Double v = options.get(key);
        if (v == null) throw new IllegalArgumentException("parameter group has no option '" + key + "' (has "
                + options.keySet() + ")");
        return v;
    }

    /** Boolean option {@code key} (non-zero is true). */
    public boolean flag(String key) {
        return get(key) != 0.0;
    }

    /** The options set on this group, in the order they were set (read-only view). */
    public Map<String, Double> options() {
        return Collections.unmodifiableMap(options);
    }

    /** The base learning rate. */
    public double baseLr() {
        return get(LR);
    }

    /** The factor that schedules apply to the base learning rate (1 at the start). */
    public double lrFactor() {
        return lrFactor;
    }

    /** Sets the schedule factor; the rate used becomes {@code baseLr() * factor}. */
    public void setLrFactor(double factor) {
        if (!Double.isFinite(factor) || factor < 0)
            throw new IllegalArgumentException("learning-rate factor must be finite and >= 0, got " + factor);
        lrFactor = factor;
    }

    /** The learning rate in use: {@code baseLr() * lrFactor()}. */
    public double lr() {
        return baseLr() * lrFactor;
    }

    /** {@link #WEIGHT_DECAY}. */
    public double weightDecay() {
        return get(WEIGHT_DECAY);
    }

    @Override
    public String toString() {
        return "ParamGroup(" + params.size() + " params, " + options + ", lr factor " + lrFactor + ")";
    }
}
