package dev.strix.detection.cli;

import dev.strix.nn.Device;
import dev.strix.nn.cuda.DeviceOutOfMemoryException;

import java.io.PrintStream;
import java.util.function.UnaryOperator;

/**
 * The device a command runs on ({@link DeviceSelection} picks it), and the error a command reports when that device
 * runs out of memory: one line naming the command's configuration (batch, input size, device) and suggesting a
 * smaller {@code --batch}.
 */
final class Devices {
    /** Applied to every device a command resolves; tests replace it to inject device faults. */
    static volatile UnaryOperator<Device> wrapper = UnaryOperator.identity();

    private Devices() {}

    /** {@link DeviceSelection#resolve} followed by {@link #wrapper}. */
    static Device resolve(String choice, PrintStream err) {
        return wrapper.apply(DeviceSelection.resolve(choice, err));
    }

    /**
     * The failure of {@code strix command} whose device ran out of memory.
     *
     * @param batch  images per step or forward pass
     * @param size   the input side in pixels, or 0 when it comes from the checkpoint
     * @param device the device's name, e.g. {@code cuda:0}
     */
    static CliException outOfMemory(String command, DeviceOutOfMemoryException e, int batch, int size, String device) {
        String config = "--batch " + batch + (size > 0 ? " --size " + size : "") + " on " + device;
        String hint = batch > 1 ? "Try a smaller --batch (e.g. --batch " + Math.max(1, batch / 2) + ")"
                + (size > 32 ? " or a smaller --size" : "")
                : "The batch is already 1; try a smaller --size or a device with more memory";
        return new CliException("strix " + command + ": out of device memory with " + config + ": " + e.getMessage()
                + " " + hint + ".", e);
    }
}
