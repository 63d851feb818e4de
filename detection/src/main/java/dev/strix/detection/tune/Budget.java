package dev.strix.detection.tune;

/**
 * The training budget every trial of a search or comparison gets: a number of epochs, or a number of optimizer
 * steps turned into the whole number of epochs that first reaches it (the schedule's warm-up and cosine decay are
 * laid out over whole epochs).
 *
 * @param epochs epochs per trial, or 0 when {@code steps} is given
 * @param steps  optimizer steps per trial, or 0 when {@code epochs} is given
 */
public record Budget(int epochs, long steps) {
    public Budget {
        if ((epochs > 0) == (steps > 0) || epochs < 0 || steps < 0)
            throw new IllegalArgumentException("give a budget of epochs or of steps (one of them, positive), got epochs "
                    + epochs + ", steps " + steps);
    }

    public static Budget ofEpochs(int epochs) {
        return new Budget(epochs, 0);
    }

    public static Budget ofSteps(long steps) {
        return new Budget(0, steps);
    }

    /** Epochs per trial for {@code images} training images in batches of {@code batch} (last batch kept). */
    public int epochsFor(int images, int batch) {
        if (epochs > 0) return epochs;
        long perEpoch = Math.max(1, ((long) images + batch - 1) / batch);
        long e = (steps + perEpoch - 1) / perEpoch;
        if (e > Integer.MAX_VALUE) throw new IllegalArgumentException("a budget of " + steps + " steps is too large");
        return (int) e;
    }

    /** {@code "3 epochs"}, or {@code "3 epochs (budget 10 steps)"} for a step budget. */
    public String describe(int epochsPerTrial) {
        String e = epochsPerTrial + " epoch" + (epochsPerTrial == 1 ? "" : "s");
        return epochs > 0 ? e : e + " (budget " + describe() + ")";
    }

    /** "3 epochs" or "100 steps". */
    public String describe() {
        return epochs > 0 ? epochs + " epoch" + (epochs == 1 ? "" : "s") : steps + " step" + (steps == 1 ? "" : "s");
    }
}
