package dev.strix.detection.cli;

import dev.strix.nn.Device;
import dev.strix.nn.cuda.Devices;

import java.io.PrintStream;

/**
 * Turns {@code --device cpu|cuda|cuda:N|auto} into a {@link Device} with {@link Devices#choose}: {@code auto}
 * takes CUDA device 0 when CUDA is usable and the CPU otherwise, and says which and why on stderr; {@code cuda}
 * fails (exit 1) with the probe's reason when CUDA is missing or broken.
 */
final class DeviceSelection {
    /** The accepted values of {@code --device}, for help texts and messages. */
    static final String CHOICES = "cpu|cuda|cuda:N|auto";

    private DeviceSelection() {}

    /**
     * The checked spelling of {@code --device} ({@code fallback} when absent).
     *
     * @throws UsageException (exit 2) for an unknown spelling
     */
    static String spec(ParsedArgs a, String fallback) {
        String v = a.get("device", fallback);
        try {
            return Devices.checkSpec(v);
        } catch (IllegalArgumentException e) {
            throw a.usage("option --device must be " + CHOICES + ", got '" + v + "'");
        }
    }

    /**
     * @param spec one of {@link #CHOICES}
     * @param err  where a CUDA or {@code auto} choice reports what it took and why
     * @throws UsageException (exit 2) for an unknown spelling
     * @throws CliException   (exit 1) for {@code cuda} or {@code cuda:N} when that device cannot be used
     */
    static Device resolve(String spec, PrintStream err) {
        String s;
        try {
            s = Devices.checkSpec(spec);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--device must be " + CHOICES + ", got '" + spec + "'");
        }
        Devices.Choice choice;
        try {
            choice = Devices.choose(s);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw CliException.failure(e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            throw new CliException("device " + s + ": CUDA could not be started: " + e.getMessage()
                    + " (use --device cpu or auto)", e);
        }
        if (!s.equals("cpu")) err.println("device: " + choice.reason());
        return choice.device();
    }
}
