package dev.strix.detection.train;

/**
 * Training stopped because too many steps in a row had a non-finite loss or gradient. The run folder keeps the
 * checkpoint of the last completed epoch before the failure (the message names it).
 */
public final class TrainingStoppedException extends RuntimeException {
    private final long lastGoodEpoch;

    public TrainingStoppedException(String message, long lastGoodEpoch) {
        super(message);
        this.lastGoodEpoch = lastGoodEpoch;
    }

    /** The epoch of the last checkpoint written, 0 when none was. */
    public long lastGoodEpoch() {
        return lastGoodEpoch;
    }
}
