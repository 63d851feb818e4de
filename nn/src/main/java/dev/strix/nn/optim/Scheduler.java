package dev.strix.nn.optim;

/**
 * Drives an optimizer's learning rate from an {@link LrSchedule}: every group's rate is its base rate times
 * {@code schedule.factor(step)}. Use it like a PyTorch scheduler, stepping after each optimizer step:
 *
 * <pre>{@code
 * Scheduler sched = new Scheduler(opt, new WarmupCosine(500, 20000, 0.001, 0.01));
 * for (...) { loss.backward(); opt.step(); opt.zeroGrad(); sched.step(); }
 * }</pre>
 */
public final class Scheduler {
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private int step;

    /** Applies {@code schedule.factor(0)} to {@code optimizer} right away. */
    public Scheduler(Optimizer optimizer, LrSchedule schedule) {
        this.optimizer = optimizer;
        this.schedule = schedule;
        apply();
    }

    /** Advances to the next optimizer step and applies its factor. */
    public void step() {
        step++;
        apply();
    }

    /** The optimizer step whose factor is applied now (0 at the start). */
    public int currentStep() {
        return step;
    }

    /** Jumps to optimizer step {@code step} (e.g. when resuming) and applies its factor. */
    public void seek(int step) {
        if (step < 0) throw new IllegalArgumentException("negative step " + step);
        this.step = step;
        apply();
    }

    /** The factor applied now. */
    public double currentFactor() {
        return schedule.factor(step);
    }

    public LrSchedule schedule() {
        return schedule;
    }

    private void apply() {
        optimizer.setLrFactor(schedule.factor(step));
    }
}
