package dev.strix.detection.train;

import dev.strix.detection.assign.FcosLoss;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.detection.model.LevelOutput;
import dev.strix.detection.mtl.SharedParameters;
import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DetNet in one of the two {@link SharingMode}s, as one {@link Module} whose state dict is what the checkpoints
 * hold.
 *
 * <p>{@link SharingMode#SHARED}: the children are DetNet's own children, so the state-dict names are exactly
 * DetNet's ({@code stem.0.weight} ... {@code ctr_out.bias}) and a checkpoint loads into {@link DetNet} (and into the
 * PyTorch reference) unchanged. The task split used by the loss-combination strategies is
 * <pre>
 *   shared trunk       stem, s1..s4 (backbone), lat.*, smooth.* (neck)
 *   last shared layer  smooth.0, smooth.1, smooth.2: the three FPN output convolutions, the last layers every
 *                      task's gradient passes through (one per level, taken together)
 *   cls                cls_tower.*, cls_out.*
 *   box                box_tower.*, box_out.*
 *   ctr                box_tower.*, ctr_out.*   (the box tower feeds both the box and the centerness outputs)
 * </pre>
 * {@link SharingMode#INDEPENDENT}: three complete DetNets registered as {@code cls}, {@code box} and {@code ctr}
 * (names {@code cls.stem.0.weight}, ...; each prefix holds a whole DetNet state dict). The classification output
 * comes from the {@code cls} network, the box distances from the {@code box} network and the centerness from the
 * {@code ctr} network; nothing is shared, and each task owns its whole network. The heads a network computes but
 * whose output is not used receive zero gradients.
 *
 * <p>Initialisation is DetNet's, except that {@code box_out.bias} starts at {@link #BOX_BIAS_INIT}.
 */
public final class MultiTaskDetNet extends Module {
    /** The tasks, in loss-map order. */
    public static final List<String> TASKS = List.of(FcosLoss.CLS, FcosLoss.BOX, FcosLoss.CTR);

    private static final List<String> SHARED_PREFIXES = List.of("stem.", "s1.", "s2.", "s3.", "s4.", "lat.", "smooth.");
    private static final List<String> LAST_SHARED_PREFIXES = List.of("smooth.");

    /**
     * Starting bias of {@code box_out}: distances of one stride on every side, so that the first predicted boxes span
     * two strides and the ReLU on the box output starts active (from DetNet's default bias near 0 the boxes start as
     * points and GIoU's gradient takes epochs to grow them).
     */
    public static final float BOX_BIAS_INIT = 1f;

    private final DetNetConfig config;
    private final SharingMode sharing;
    private final DetNet shared;
    private final Map<String, DetNet> perTask = new LinkedHashMap<>();

    /** A freshly initialised model (seed the initialisers with {@code Init.seed} first for reproducibility). */
    public MultiTaskDetNet(DetNetConfig config, SharingMode sharing) {
        this.config = config;
        this.sharing = sharing;
        if (sharing == SharingMode.SHARED) {
            shared = new DetNet(config);
            shared.children().forEach(this::registerModule);
        } else {
            shared = null;
            for (String task : TASKS) perTask.put(task, registerModule(task, new DetNet(config)));
        }
        namedParameters().forEach((name, p) -> {
            if (name.endsWith("box_out.bias")) Init.constant(p, BOX_BIAS_INIT);
        });
    }

    public DetNetConfig config() {
        return config;
    }

    public SharingMode sharing() {
        return sharing;
    }

    /**
     * Runs the model.
     *
     * @param x images (N, 3, H, W), H and W positive multiples of 32
     * @return per level (strides 8, 16, 32): cls (N, C, h, w), box (N, 4, h, w), ctr (N, 1, h, w)
     */
    public List<LevelOutput> forward(Tensor x) {
        if (shared != null) return shared.forward(x);
        List<LevelOutput> cls = perTask.get(FcosLoss.CLS).forward(x);
        List<LevelOutput> box = perTask.get(FcosLoss.BOX).forward(x);
        List<LevelOutput> ctr = perTask.get(FcosLoss.CTR).forward(x);
        List<LevelOutput> out = new ArrayList<>(cls.size());
        for (int k = 0; k < cls.size(); k++)
            out.add(new LevelOutput(cls.get(k).cls(), box.get(k).box(), ctr.get(k).ctr(), cls.get(k).stride()));
        return out;
    }

    /** How the parameters divide between the tasks (see the class comment). */
    public SharedParameters sharedParameters() {
        if (shared != null)
            return SharedParameters.byPrefix(namedParameters(), SHARED_PREFIXES, LAST_SHARED_PREFIXES, Map.of(
                    FcosLoss.CLS, List.of("cls_tower.", "cls_out."),
                    FcosLoss.BOX, List.of("box_tower.", "box_out."),
                    FcosLoss.CTR, List.of("box_tower.", "ctr_out.")));
        return SharedParameters.independent(taskParameters());
    }

    /** Each task's own parameters: its head (shared mode) or its whole network (independent mode). */
    public Map<String, List<Tensor>> taskParameters() {
        if (shared != null) return sharedParameters().taskParameters();
        Map<String, List<Tensor>> out = new LinkedHashMap<>();
        perTask.forEach((task, net) -> out.put(task, net.parameters()));
        return out;
    }

    /** The parameters of the shared trunk (backbone and neck); empty in independent mode. */
    public List<Tensor> sharedTrunkParameters() {
        return sharedParameters().shared();
    }

    /** The parameters of the last shared layer (the FPN smooth convolutions); empty in independent mode. */
    public List<Tensor> lastSharedLayerParameters() {
        return sharedParameters().lastSharedLayer();
    }

    /** The DetNet of one task in independent mode; the single DetNet (for any task) in shared mode. */
    public DetNet network(String task) {
        if (shared != null) return shared;
        DetNet n = perTask.get(task);
        if (n == null) throw new IllegalArgumentException("no network for task '" + task + "'; tasks are " + TASKS);
        return n;
    }
}
