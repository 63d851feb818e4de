package dev.strix.nn.optim;

import java.util.Arrays;

/**
 * {@code gamma^k} where k is the number of milestones at or before the step: PyTorch's
 * {@code MultiStepLR(milestones, gamma)}. Milestones are sorted on construction; a repeated milestone counts
 * twice, as in PyTorch.
 */
public record MultiStep(int[] milestones, double gamma) implements LrSchedule {
    public MultiStep {
        milestones = milestones.clone();
        Arrays.sort(milestones);
        if (milestones.length > 0 && milestones[0] < 0) throw new IllegalArgumentException("negative milestone");
        if (!(gamma >= 0) || Double.isInfinite(gamma))
            throw new IllegalArgumentException("gamma must be finite and >= 0, got " + gamma);
    }

    /** The sorted milestones (a copy). */
    @Override
    public int[] milestones() {
        return milestones.clone();
    }

    @Override
    public double factor(int step) {
        int passed = 0;
        while (passed < milestones.length && milestones[passed] <= step) passed++;
        return Math.pow(gamma, passed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MultiStep m && Arrays.equals(milestones, m.milestones) && Double.compare(gamma, m.gamma) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(milestones) + Double.hashCode(gamma);
    }

    @Override
    public String toString() {
        return "MultiStep[milestones=" + Arrays.toString(milestones) + ", gamma=" + gamma + "]";
    }
}
