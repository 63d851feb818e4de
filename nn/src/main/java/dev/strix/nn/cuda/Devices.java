package dev.strix.nn.cuda;

import dev.strix.cuda.CudaAvailability;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;

import java.util.Locale;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Turns a {@code --device} value into a {@link Device}: {@code cpu}, {@code cuda} (= {@code cuda:0}),
 * {@code cuda:N}, or {@code auto}, which takes CUDA device 0 when CUDA is usable and the CPU otherwise, and
 * says why.
 */
public final class Devices {
    private Devices() {}

    /**
     * A device and why it was chosen.
     *
     * @param device the device
     * @param reason one sentence: what was asked for and what was found
     */
    public record Choice(Device device, String reason) {}

    /** The accepted spellings, for messages. */
    public static final String SPECS = "cpu, cuda, cuda:N (N = 0, 1, ...) or auto";

    /**
     * The device named by {@code spec}.
     *
     * @throws IllegalArgumentException for an unknown spelling
     * @throws IllegalStateException    for {@code cuda...} when CUDA is not usable here (with the probe's reason)
     */
    public static Device parse(String spec) {
        return choose(spec).device();
    }

    /** Like {@link #parse}, with the reason for the choice (useful for {@code auto}). */
    public static Choice choose(String spec) {
        return choose(spec, CudaAvailability::probe, CudaDevice::get);
    }

    /**
     * The choice with the probe and the CUDA device factory given, so that the rules can be exercised without
     * a GPU.
     */
    static Choice choose(String spec, Supplier<CudaAvailability> probe, IntFunction<Device> cuda) {
        if (spec == null) throw new IllegalArgumentException("no device given; expected " + SPECS);
        String s = spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) return new Choice(CpuDevice.INSTANCE, "cpu was asked for");
        if (s.equals("auto")) {
            CudaAvailability a = probe.get();
            if (a.usable()) {
                try {
                    return new Choice(cuda.apply(0), "auto: CUDA is usable (" + a.reason() + "), took cuda:0");
                } catch (RuntimeException e) {
                    return new Choice(CpuDevice.INSTANCE, "auto: CUDA looked usable (" + a.reason()
                            + ") but cuda:0 could not be opened, took the CPU: " + e.getMessage());
                }
            }
            return new Choice(CpuDevice.INSTANCE, "auto: CUDA is not usable, took the CPU: " + a.reason());
        }
        int index = cudaIndex(s, spec);
        CudaAvailability a = probe.get();
        if (!a.usable())
            throw new IllegalStateException("device " + spec.strip() + " was asked for but CUDA is not usable: "
                    + a.reason() + " (use --device cpu or auto)");
        if (index >= a.deviceCount())
            throw new IllegalArgumentException("device " + spec.strip() + " was asked for but only " + a.deviceCount()
                    + " CUDA device(s) are present (cuda:0 .. cuda:" + (a.deviceCount() - 1) + ")");
        return new Choice(cuda.apply(index), "cuda:" + index + " was asked for (" + a.reason() + ")");
    }

    /**
     * Checks the spelling of {@code spec} without probing CUDA.
     *
     * @return the spelling, stripped and in lower case
     * @throws IllegalArgumentException for an unknown spelling (the message names the accepted ones)
     */
    public static String checkSpec(String spec) {
        if (spec == null) throw new IllegalArgumentException("no device given; expected " + SPECS);
        String s = spec.strip().toLowerCase(Locale.ROOT);
        if (!s.equals("cpu") && !s.equals("auto")) cudaIndex(s, spec);
        return s;
    }

    /** The N of {@code cuda} / {@code cuda:N}, or an exception naming the accepted spellings. */
    static int cudaIndex(String lower, String original) {
        if (lower.equals("cuda")) return 0;
        if (lower.startsWith("cuda:")) {
            String n = lower.substring(5);
            if (!n.isEmpty() && n.chars().allMatch(Character::isDigit) && n.length() <= 4) return Integer.parseInt(n);
        }
        throw new IllegalArgumentException("unknown device '" + original + "'; expected " + SPECS);
    }
}
