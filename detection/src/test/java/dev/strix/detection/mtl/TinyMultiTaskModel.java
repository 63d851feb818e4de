package dev.strix.detection.mtl;

import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.layers.Linear;
import dev.strix.nn.layers.Tanh;
import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ReduceOps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A three-task model small enough to reason about: a shared trunk {@code h = tanh(x W^T + b)} (Linear 3 -> 4) and
 * one Linear head per task (cls 4 -> 2, box 4 -> 1, ctr 4 -> 1), with deterministic weights. Losses are mean
 * squared errors against fixed targets: {@code L_t = mean((head_t(h) - y_t)^2)}.
 */
final class TinyMultiTaskModel extends Module {
    static final int BATCH = 5;
    final Linear trunk = registerModule("trunk", new Linear(3, 4));
    final Tanh act = new Tanh();
    final Linear cls = registerModule("cls", new Linear(4, 2));
    final Linear box = registerModule("box", new Linear(4, 1));
    final Linear ctr = registerModule("ctr", new Linear(4, 1));
    private final Tensor x = Tensor.of(values(BATCH * 3, 0.7, 0.1), BATCH, 3);
    private final Tensor yCls = Tensor.of(values(BATCH * 2, 1.3, 0.2), BATCH, 2);
    private final Tensor yBox = Tensor.of(values(BATCH, 2.1, 0.3), BATCH, 1);
    private final Tensor yCtr = Tensor.of(values(BATCH, 0.4, -0.1), BATCH, 1);

    TinyMultiTaskModel() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        int seed = 1;
        for (Map.Entry<String, Tensor> e : stateDict().entrySet())
            state.put(e.getKey(), Tensor.of(values(e.getValue().numel(), 0.37 * seed++, 0.05), e.getValue().shape()));
        loadStateDict(state, true);
    }

    /** Deterministic values 0.8 sin(phase + 1.7 i) + offset. */
    static float[] values(int n, double phase, double offset) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (0.8 * Math.sin(phase + 1.7 * i) + offset);
        return v;
    }

    /** A fresh graph: {cls, box, ctr} losses. */
    Map<String, Tensor> losses() {
        Tensor h = act.forward(trunk.forward(x));
        Map<String, Tensor> l = new LinkedHashMap<>();
        l.put("cls", mse(cls.forward(h), yCls));
        l.put("box", mse(box.forward(h), yBox));
        l.put("ctr", mse(ctr.forward(h), yCtr));
        return l;
    }

    private static Tensor mse(Tensor a, Tensor b) {
        return ReduceOps.mean(MathOps.square(MathOps.sub(a, b)));
    }

    List<Tensor> sharedParams() {
        return trunk.parameters();
    }

    /** Hard sharing: the trunk is shared and is the last shared layer; each head belongs to its task. */
    SharedParameters hardSharing() {
        Map<String, List<Tensor>> tasks = new LinkedHashMap<>();
        tasks.put("cls", cls.parameters());
        tasks.put("box", box.parameters());
        tasks.put("ctr", ctr.parameters());
        return SharedParameters.hardSharing(sharedParams(), sharedParams(), tasks);
    }

    /**
     * An independent partition of the same model: the trunk is declared to belong to cls only, so box and ctr
     * must not move it although their losses depend on it.
     */
    SharedParameters trunkOwnedByCls() {
        Map<String, List<Tensor>> tasks = new LinkedHashMap<>();
        List<Tensor> c = new ArrayList<>(trunk.parameters());
        c.addAll(cls.parameters());
        tasks.put("cls", c);
        tasks.put("box", box.parameters());
        tasks.put("ctr", ctr.parameters());
        return SharedParameters.independent(tasks);
    }
}
