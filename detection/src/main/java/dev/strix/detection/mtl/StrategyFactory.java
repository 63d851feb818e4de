package dev.strix.detection.mtl;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Creates loss-combination strategies by name.
 *
 * <table>
 *   <caption>Strategies and their options (every strategy also takes {@code tasks}, default cls,box,ctr, and
 *   {@code measure}, default false: per-step gradient norms and cosines on the shared trunk)</caption>
 *   <tr><th>name</th><th>objective</th><th>options</th></tr>
 *   <tr><td>{@code weighted}</td><td>sum_t w_t L_t</td><td>{@code weights} (map or "cls=1,box=2"; default 1)</td></tr>
 *   <tr><td>{@code coupled}</td><td>L_cls + w L_box + w_ctr L_ctr</td><td>{@code box_weight} (w, default 1),
 *       {@code ctr_weight} (default 1)</td></tr>
 *   <tr><td>{@code independent}</td><td>each task's loss into its own trunk</td><td>-</td></tr>
 *   <tr><td>{@code equal}</td><td>sum_t L_t</td><td>-</td></tr>
 *   <tr><td>{@code uncertainty}</td><td>sum_t exp(-s_t) L_t + s_t</td><td>{@code init_log_var} (default 0)</td></tr>
 *   <tr><td>{@code gradnorm}</td><td>sum_t w_t L_t, w by GradNorm</td><td>{@code alpha} (1.5), {@code lr} (0.025)</td></tr>
 *   <tr><td>{@code dwa}</td><td>sum_t w_t L_t, w by loss ratios</td><td>{@code temperature} (2)</td></tr>
 *   <tr><td>{@code pcgrad}</td><td>projected task gradients</td><td>{@code seed} (0)</td></tr>
 * </table>
 * See each strategy class for its formula and reference.
 */
public final class StrategyFactory {
    /** The strategy names, in documentation order. */
    public static final List<String> NAMES =
            List.of("weighted", "coupled", "independent", "equal", "uncertainty", "gradnorm", "dwa", "pcgrad");

    /** The detector's tasks: classification, box regression, centerness (auxiliary). */
    public static final List<String> DEFAULT_TASKS = List.of("cls", "box", "ctr");

    private StrategyFactory() {}

    /**
     * The strategy called {@code name} (case-insensitive) configured by {@code options} (may be null or empty).
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the valid ones), an unknown option
     *                                  (the message lists the strategy's options) or a bad value
     */
    public static MtlStrategy create(String name, Map<String, Object> options) {
        if (name == null || name.isBlank())
            throw new IllegalArgumentException("no strategy name given; choose one of " + String.join(", ", NAMES));
        String key = name.trim().toLowerCase(Locale.ROOT);
        StrategyOptions o = new StrategyOptions(key, options);
        List<String> tasks = o.getTasks("tasks", DEFAULT_TASKS);
        boolean measure = o.getBoolean("measure", false);
        MtlStrategy s = switch (key) {
            case "weighted" -> WeightedStrategy.weighted(tasks, o.getWeights("weights"), measure);
            case "coupled" -> new CoupledStrategy(tasks, o.getDouble("box_weight", 1.0), o.getDouble("ctr_weight", 1.0), measure);
            case "independent" -> new IndependentStrategy(tasks, measure);
            case "equal" -> WeightedStrategy.equal(tasks, measure);
            case "uncertainty" -> new UncertaintyStrategy(tasks, o.getDouble("init_log_var", 0.0), measure);
            case "gradnorm" -> new GradNormStrategy(tasks, o.getDouble("alpha", 1.5), o.getDouble("lr", 0.025), measure);
            case "dwa" -> new DwaStrategy(tasks, o.getDouble("temperature", 2.0), measure);
            case "pcgrad" -> new PcGradStrategy(tasks, o.getLong("seed", 0), measure);
            default -> throw new IllegalArgumentException("unknown strategy '" + name + "'; valid strategies: "
                    + String.join(", ", NAMES));
        };
        o.requireAllUsed();
        return s;
    }

    /** The strategy with its default options. */
    public static MtlStrategy create(String name) {
        return create(name, Map.of());
    }
}
