package dev.strix.nn.optim;

/**
 * A learning-rate schedule: the factor that multiplies every group's base learning rate at a given optimizer
 * step. Steps count from 0 (the first {@link Optimizer#step()} uses {@code factor(0)}), matching PyTorch's
 * schedulers read before each {@code scheduler.step()}.
 *
 * <p>Implementations: {@link Constant}, {@link LinearWarmup}, {@link Cosine}, {@link StepDecay},
 * {@link MultiStep}, {@link Sequence} and {@link WarmupCosine}. {@link Scheduler} applies one to an optimizer.
 */
@FunctionalInterface
public interface LrSchedule {
    /** The learning-rate factor at optimizer step {@code step} (>= 0). */
    double factor(int step);
}
