package dev.strix.detection.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * The training progress line: {@code epoch 3/12  step 45/120  38.5 img/s  cls 0.512 box 0.431 ctr 0.602
 * lr 9.8e-03  ETA 4m12s}. On a terminal it is rewritten in place with a carriage return; otherwise a full line is
 * printed every {@code every} steps and at the end of each epoch.
 */
final class ProgressLine {
    private final PrintStream out;
    private final boolean tty;
    private final int every;
    private int lastLength;

    ProgressLine(PrintStream out, boolean tty, int every) {
        this.out = out;
        this.tty = tty;
        this.every = every;
    }

    /** Reports step {@code step} (1-based within the epoch). */
    void update(int epoch, int epochs, int step, int steps, double imagesPerSecond, Map<String, Double> losses, double lr,
                double etaSeconds) {
        boolean last = step == steps;
        if (!tty && step % every != 0 && !last) return;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "epoch %d/%d  step %d/%d  %.1f img/s ", epoch, epochs, step, steps, imagesPerSecond));
        losses.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.4f", k, v)));
        sb.append(String.format(Locale.ROOT, "  lr %.2e  ETA %s", lr, duration(etaSeconds)));
        String line = sb.toString();
        if (tty) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
            if (last) {
                out.println();
                lastLength = 0;
            }
        } else out.println(line);
        out.flush();
    }

    /** A message on its own line (ends a rewritten progress line first). */
    void message(String text) {
        if (tty && lastLength > 0) {
            out.println();
            lastLength = 0;
        }
        out.println(text);
        out.flush();
    }

    /** {@code 4m12s}, {@code 1h03m}, {@code 9s}. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "-";
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return (s / 60) + "m" + String.format(Locale.ROOT, "%02ds", s % 60);
        return (s / 3600) + "h" + String.format(Locale.ROOT, "%02dm", (s % 3600) / 60);
    }
}
