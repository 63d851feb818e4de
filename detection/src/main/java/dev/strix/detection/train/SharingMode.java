package dev.strix.detection.train;

import java.util.Locale;

/**
 * How the detector's tasks share parameters.
 * <ul>
 *   <li>{@link #SHARED}: hard sharing, one DetNet whose backbone and neck serve every task (the benchmark model);</li>
 *   <li>{@link #INDEPENDENT}: one complete DetNet per task ({@code cls}, {@code box}, {@code ctr}); each task's
 *       output is taken from its own network, so each network is trained on its own task's loss only.</li>
 * </ul>
 */
public enum SharingMode {
    SHARED, INDEPENDENT;

    /** {@code shared} or {@code independent} (case-insensitive). */
    public static SharingMode parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "shared" -> SHARED;
            case "independent" -> INDEPENDENT;
            default -> throw new IllegalArgumentException("sharing must be shared or independent, got '" + name + "'");
        };
    }

    /** The sharing a strategy needs when none is asked for: {@code independent} for the strategy of that name. */
    public static SharingMode defaultFor(String strategy) {
        return "independent".equalsIgnoreCase(strategy == null ? "" : strategy.trim()) ? INDEPENDENT : SHARED;
    }

    /** The lower-case name used in configs and on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
