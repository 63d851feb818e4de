package dev.strix.nn.optim;

import java.util.List;

/**
 * Linear warm-up followed by cosine annealing, the usual detector schedule: {@link LinearWarmup} from
 * {@code startFactor} over {@code warmupSteps}, then {@link Cosine} from 1 to {@code minFactor} over the
 * remaining {@code totalSteps - warmupSteps} steps (PyTorch's {@code SequentialLR} of {@code LinearLR} and
 * {@code CosineAnnealingLR} with the milestone at {@code warmupSteps}).
 */
public record WarmupCosine(int warmupSteps, int totalSteps, double startFactor, double minFactor) implements LrSchedule {
    public WarmupCosine {
        if (warmupSteps < 0 || totalSteps <= warmupSteps)
            throw new IllegalArgumentException("need 0 <= warmupSteps < totalSteps, got " + warmupSteps + " and "
                    + totalSteps);
        asSequence(warmupSteps, totalSteps, startFactor, minFactor); // validates the factors
    }

    /** The equivalent {@link Sequence}. */
    public Sequence asSequence() {
        return asSequence(warmupSteps, totalSteps, startFactor, minFactor);
    }

    private static Sequence asSequence(int warmupSteps, int totalSteps, double startFactor, double minFactor) {
        return new Sequence(List.of(new LinearWarmup(startFactor, warmupSteps),
                new Cosine(totalSteps - warmupSteps, minFactor)),
                new int[] {warmupSteps});
    }

    @Override
    public double factor(int step) {
        return asSequence().factor(step);
    }
}
