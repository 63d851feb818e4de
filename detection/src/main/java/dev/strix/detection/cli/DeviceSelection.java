package dev.strix.detection.cli;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;

import java.io.PrintStream;
import java.util.List;

/** Turns {@code --device cpu|cuda|auto} into a {@link Device}. */
final class DeviceSelection {
    /** The accepted values of {@code --device}. */
    static final List<String> CHOICES = List.of("cpu", "cuda", "auto");
    /** Why CUDA cannot be chosen in this build. */
    static final String CUDA_UNAVAILABLE = "CUDA backend is not available yet";

    private DeviceSelection() {}

    /**
     * @param choice one of {@link #CHOICES}
     * @param err    where {@code auto} reports what it picked and why
     * @throws CliException (exit 1) for {@code cuda}
     */
    static Device resolve(String choice, PrintStream err) {
        return switch (choice) {
            case "cpu" -> CpuDevice.INSTANCE;
            case "cuda" -> throw CliException.failure(CUDA_UNAVAILABLE + "; use --device cpu");
            case "auto" -> {
                err.println("device auto: using cpu (" + CUDA_UNAVAILABLE + ")");
                yield CpuDevice.INSTANCE;
            }
            default -> throw new UsageException("--device must be one of " + String.join("|", CHOICES)
                    + ", got '" + choice + "'");
        };
    }
}
