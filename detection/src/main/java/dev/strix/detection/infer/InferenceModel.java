package dev.strix.detection.infer;

import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.detection.model.LevelOutput;
import dev.strix.detection.postprocess.HostLevel;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network behind a {@link Detector}, in one of the layouts a checkpoint can have:
 * <ul>
 *   <li>one DetNet (names {@code stem.0.weight} ... {@code ctr_out.bias}: PyTorch's reference and Strix's shared
 *       trunk);</li>
 *   <li>one DetNet per task (names {@code cls.stem.0.weight}, {@code box.…}, {@code ctr.…}: Strix's
 *       {@code independent} sharing mode), the classification logits from the {@code cls} network, the box distances
 *       from {@code box} and the centerness from {@code ctr}.</li>
 * </ul>
 * A classifier trained with softmax cross-entropy (metadata {@value #CLS_LOSS} = {@value #SOFTMAX}) has C + 1 logits,
 * the last one background; class c's probability {@code p_c} is turned into the logit {@code log(p_c / (1 - p_c))}, so
 * that the post-processor's sigmoid gives back {@code p_c}.
 */
final class InferenceModel {
    /** Metadata key of the classification loss the trainer used. */
    static final String CLS_LOSS = "cls_loss";
    /** {@value #CLS_LOSS} of a softmax classifier with a background logit. */
    static final String SOFTMAX = "softmax_ce";
    private static final List<String> TASKS = List.of("cls", "box", "ctr");

    private final List<DetNet> networks; // one, or cls, box, ctr
    private final boolean softmax;
    private final int numClasses;

    private InferenceModel(List<DetNet> networks, boolean softmax) {
        this.networks = List.copyOf(networks);
        this.softmax = softmax;
        this.numClasses = networks.getFirst().config().numClasses() - (softmax ? 1 : 0);
        if (numClasses < 1) throw new IllegalArgumentException("a softmax classifier needs at least 2 outputs");
    }

    /** Wraps one DetNet with sigmoid classification. */
    static InferenceModel of(DetNet model) {
        return new InferenceModel(List.of(model), false);
    }

    /**
     * Builds and loads the networks of a checkpoint.
     *
     * @throws IllegalArgumentException when the tensors fit neither layout
     */
    static InferenceModel fromStateDict(Map<String, Tensor> state, Map<String, String> metadata) {
        boolean softmax = SOFTMAX.equals(metadata.get(CLS_LOSS));
        if (state.containsKey("cls.cls_out.weight")) {
            List<DetNet> nets = new ArrayList<>();
            for (String task : TASKS) {
                Map<String, Tensor> part = new LinkedHashMap<>();
                String prefix = task + ".";
                for (Map.Entry<String, Tensor> e : state.entrySet())
                    if (e.getKey().startsWith(prefix)) part.put(e.getKey().substring(prefix.length()), e.getValue());
                if (part.isEmpty())
                    throw new IllegalArgumentException("per-task checkpoint without the '" + task + ".' network");
                nets.add(load(part, "network '" + task + "': "));
            }
            for (String key : state.keySet())
                if (TASKS.stream().noneMatch(t -> key.startsWith(t + ".")))
                    throw new IllegalArgumentException("per-task checkpoint has the unexpected tensor '" + key + "'");
            return new InferenceModel(nets, softmax);
        }
        return new InferenceModel(List.of(load(state, "")), softmax);
    }

    private static DetNet load(Map<String, Tensor> state, String where) {
        try {
            DetNet net = new DetNet(DetNetConfig.inferFrom(state));
            net.loadStateDict(state, true);
            return net;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    /** Moves the networks to {@code device} and puts them in evaluation mode. */
    void prepare(Device device) {
        for (DetNet n : networks) {
            n.to(device);
            n.eval();
        }
    }

    /** The configuration of the (classification) network; its class count includes a softmax background. */
    DetNetConfig config() {
        return networks.getFirst().config();
    }

    /** Object classes (without a softmax background). */
    int numClasses() {
        return numClasses;
    }

    /** "DetNet(C=.. w=.. F=.. D=..)", with the layout and classifier when they are not the plain ones. */
    String describe() {
        return "DetNet(" + config().summary() + ")" + (networks.size() > 1 ? " x3 (one per task)" : "")
                + (softmax ? ", softmax classifier" : "");
    }

    /**
     * Evaluation forward pass, outputs downloaded to the host.
     *
     * @param x images (N, 3, S, S)
     * @return per level, cls (N, C, h, w) sigmoid logits, box and ctr
     */
    List<HostLevel> forward(Tensor x) {
        List<LevelOutput> out;
        if (networks.size() == 1) {
            out = networks.getFirst().forward(x);
        } else {
            List<LevelOutput> cls = networks.get(0).forward(x), box = networks.get(1).forward(x),
                    ctr = networks.get(2).forward(x);
            out = new ArrayList<>(cls.size());
            for (int k = 0; k < cls.size(); k++)
                out.add(new LevelOutput(cls.get(k).cls(), box.get(k).box(), ctr.get(k).ctr(), cls.get(k).stride()));
        }
        List<HostLevel> levels = new ArrayList<>(out.size());
        for (LevelOutput o : out) {
            HostLevel h = HostLevel.of(o);
            levels.add(softmax ? h.withoutBackground() : h);
        }
        return levels;
    }
}
