package dev.strix.detection.mtl;

import dev.strix.nn.Device;
import dev.strix.nn.Tensor;

import java.util.List;
import java.util.Map;

/**
 * A way of turning the per-task losses of a multi-task model into parameter gradients (a multi-task learning
 * strategy). Strategies are created by name through {@link StrategyFactory}.
 *
 * <p>Contract of a training step:
 * <ol>
 *   <li>the trainer clears the gradients of the model ({@code zeroGrad}) and of {@link #extraParameters()};</li>
 *   <li>it calls {@link #backward}, which adds the combined gradient to each parameter's {@code .grad}, exactly as
 *       {@link Tensor#backward()} accumulates, and returns per-task diagnostics;</li>
 *   <li>the optimizer steps over the model parameters and {@link #extraParameters()} (the latter without weight
 *       decay).</li>
 * </ol>
 * {@link #onEpochEnd} is called once per epoch with the epoch's mean loss per task.
 *
 * <p>Task names are those of the loss map: {@code cls}, {@code box} and {@code ctr} for the FCOS detector
 * (centerness is an auxiliary task). A strategy is configured with its task list ({@link #tasks()}) and requires
 * every step's loss map to hold exactly those tasks.
 *
 * <p>Gradient measurement: when {@link #measuresGradients()} is on, every step also computes each task's gradient
 * on the shared trunk ({@code dL_t/dθ_shared}, one extra backward pass per task with the graph retained) to report
 * its L2 norm and the pairwise cosine similarity between tasks (negative cosine = conflicting tasks). Strategies
 * that compute these gradients anyway (PCGrad) always report them; the others report NaN norms and no cosines when
 * measurement is off.
 */
public interface MtlStrategy {
    /** The name this strategy is created by ({@code weighted}, {@code uncertainty}, ...). */
    String name();

    /** The tasks, in the order used for diagnostics and state. */
    List<String> tasks();

    /**
     * Back-propagates the task losses as this strategy combines them, adding the result to the {@code .grad} of
     * the model parameters (and of {@link #extraParameters()}); the graph is released afterwards.
     *
     * @param taskLosses   one-element loss tensor per task (key set equal to {@link #tasks()}); a loss that does
     *                     not require grad (e.g. no positive locations) contributes a zero gradient
     * @param shared       which parameters are shared by all tasks, the last shared layer and each task's own
     *                     parameters
     * @param allTrainable every trainable model parameter (not the strategy's extra parameters)
     * @return the combined loss value and per-task loss, weight and (when measured) shared-trunk gradient stats
     */
    StepResult backward(Map<String, Tensor> taskLosses, SharedParameters shared, List<Tensor> allTrainable);

    /** Trainable tensors owned by the strategy (e.g. learned log-variances), to add to the optimizer; may be empty. */
    List<Tensor> extraParameters();

    /** The current weight of each task (for logging and plots), in {@link #tasks()} order. */
    Map<String, Double> weights();

    /** The strategy's state for checkpoints (learned values, running statistics, RNG state); may be empty. */
    Map<String, Tensor> stateDict();

    /**
     * Restores a state saved by {@link #stateDict()} of a strategy with the same name and tasks. Values are copied
     * into the existing tensors, so optimizer references to {@link #extraParameters()} stay valid.
     *
     * @throws IllegalArgumentException on missing or unexpected keys or wrong shapes (nothing is changed then)
     */
    void loadStateDict(Map<String, Tensor> state);

    /** Called once at the end of every epoch with the epoch's mean loss per task. */
    void onEpochEnd(Map<String, Double> epochMeanLosses);

    /** Whether every step measures per-task gradients on the shared trunk (see the class comment). */
    boolean measuresGradients();

    /** Turns per-step gradient measurement on or off (e.g. on only every N steps). */
    void setMeasureGradients(boolean measure);

    /**
     * Moves the strategy's own tensors to {@code device} (the model's device). Call before building the
     * optimizer: the tensors of {@link #extraParameters()} are replaced.
     */
    void to(Device device);
}
