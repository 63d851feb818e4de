package dev.strix.nn.optim;

import java.util.Arrays;
import java.util.List;

/**
 * Schedules one after another, like PyTorch's {@code SequentialLR}: schedule i runs from
 * {@code boundaries[i-1]} (0 for the first) up to {@code boundaries[i]}, and each one restarts from its own
 * step 0 at its boundary.
 *
 * @param schedules  the schedules, in order (at least one)
 * @param boundaries the steps where the next schedule takes over, increasing, {@code schedules.size() - 1} of them
 */
public record Sequence(List<LrSchedule> schedules, int[] boundaries) implements LrSchedule {
    public Sequence {
        schedules = List.copyOf(schedules);
        boundaries = boundaries.clone();
        if (schedules.isEmpty()) throw new IllegalArgumentException("a sequence needs at least one schedule");
        if (boundaries.length != schedules.size() - 1)
            throw new IllegalArgumentException(schedules.size() + " schedules need " + (schedules.size() - 1)
                    + " boundaries, got " + boundaries.length);
        for (int i = 0; i < boundaries.length; i++)
            if (boundaries[i] < 0 || (i > 0 && boundaries[i] <= boundaries[i - 1]))
                throw new IllegalArgumentException("boundaries must be >= 0 and increasing: "
                        + Arrays.toString(boundaries));
    }

    /** The boundaries (a copy). */
    @Override
    public int[] boundaries() {
        return boundaries.clone();
    }

    @Override
    public double factor(int step) {
        int i = 0;
        while (i < boundaries.length && step >= boundaries[i]) i++;
        int start = i == 0 ? 0 : boundaries[i - 1];
        return schedules.get(i).factor(step - start);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sequence s && schedules.equals(s.schedules) && Arrays.equals(boundaries, s.boundaries);
    }

    @Override
    public int hashCode() {
        return 31 * schedules.hashCode() + Arrays.hashCode(boundaries);
    }

    @Override
    public String toString() {
        return "Sequence[schedules=" + schedules + ", boundaries=" + Arrays.toString(boundaries) + "]";
    }
}
