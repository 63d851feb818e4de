package dev.strix.detection.cli;

import dev.strix.detection.infer.TinyDetNets;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;
import dev.strix.nn.cuda.AllocatorStats;
import dev.strix.nn.cuda.DeviceOutOfMemoryException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A device that runs out of memory, injected under train, detect, eval and bench: each prints one line naming the
 * batch, input size and device and suggesting a smaller {@code --batch}, exits with 1, and shows no stack trace.
 */
class DeviceOutOfMemoryTest {
    /** Larger requests fail: every tiny model's weights fit, a batch of 64 px images does not. */
    private static final long LIMIT_FLOATS = 3 * 64 * 64;

    @TempDir
    Path dir;

    private final AtomicInteger refused = new AtomicInteger();

    /** The CPU, except that allocations and uploads of more than {@link #LIMIT_FLOATS} floats fail as on a GPU. */
    private Device smallDevice() {
        return (Device) Proxy.newProxyInstance(Device.class.getClassLoader(), new Class<?>[] {Device.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("name")) return "cuda:0";
                    long numel = name.equals("allocate") ? (long) args[0] : name.equals("upload") ? (int) args[2] : 0;
                    if (numel > LIMIT_FLOATS) {
                        refused.incrementAndGet();
                        AllocatorStats stats = new AllocatorStats(LIMIT_FLOATS * 4, LIMIT_FLOATS * 4, 0, 3, 10, 3, 0);
                        throw new DeviceOutOfMemoryException("cuda:0", numel * 4, numel * 4, stats, "free 0 B of 16 MiB");
                    }
                    try {
                        return method.invoke(CpuDevice.INSTANCE, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private MainTest.Outcome withSmallDevice(String... args) {
        UnaryOperator<Device> before = Devices.wrapper;
        Devices.wrapper = d -> smallDevice();
        try {
            return MainTest.strix(args);
        } finally {
            Devices.wrapper = before;
        }
    }

    @AfterEach
    void wrapperRestored() {
        assertEquals(UnaryOperator.identity(), Devices.wrapper);
    }

    private void assertAdvice(MainTest.Outcome r, String command, String config, String smaller) {
        assertEquals(1, r.code(), r.err());
        assertTrue(refused.get() > 0, "the device refused an allocation");
        String line = r.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(line.startsWith("strix " + command + ": out of device memory with " + config + " on cuda:0"), line);
        assertTrue(line.contains("Try a smaller --batch (e.g. --batch " + smaller + ")"), line);
        assertTrue(line.contains("could not allocate"), "the allocator's own account is kept: " + line);
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void train() {
        MainTest.Outcome r = withSmallDevice("train", "--format", "synthetic", "--synthetic-count", "4",
                "--synthetic-classes", "2", "--val-split", "none", "--size", "64", "--batch", "4", "--width", "4",
                "--fpn", "8", "--depth", "1", "--workers", "1", "--epochs", "1", "--out", dir.resolve("run").toString());
        assertAdvice(r, "train", "--batch 4 --size 64", "2");
    }

    @Test
    void detectAndEval() throws Exception {
        Path weights = TinyDetNets.write(dir.resolve("best.safetensors"), List.of("a", "b", "c"), 64, 3);
        Path in = Files.createDirectories(dir.resolve("in"));
        for (int i = 0; i < 3; i++) ImageIO.write(TinyDetNets.picture(80, 60, i), "png", in.resolve(i + ".png").toFile());
        MainTest.Outcome r = withSmallDevice("detect", "--weights", weights.toString(), in.toString(), "--out",
                dir.resolve("out").toString(), "--batch", "3", "--size", "64");
        assertAdvice(r, "detect", "--batch 3 --size 64", "1");

        refused.set(0);
        r = withSmallDevice("eval", "--weights", weights.toString(), "--format", "synthetic", "--data",
                "seed=5,count=8,size=64,classes=3", "--batch", "8", "--size", "64");
        assertAdvice(r, "eval", "--batch 8 --size 64", "4");
    }

    @Test
    void javaHeapExhaustedIsOneLineWithTheSetting() {
        UnaryOperator<Device> before = Devices.wrapper;
        Devices.wrapper = d -> (Device) Proxy.newProxyInstance(Device.class.getClassLoader(), new Class<?>[] {Device.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    long numel = name.equals("allocate") ? (long) args[0] : name.equals("upload") ? (int) args[2] : 0;
                    if (numel > LIMIT_FLOATS) throw new OutOfMemoryError("Java heap space");
                    try {
                        return method.invoke(CpuDevice.INSTANCE, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        MainTest.Outcome r;
        try {
            r = MainTest.strix("bench", "model", "--mode", "train", "--batch", "6", "--size", "64", "--width", "4",
                    "--fpn", "8", "--depth", "1", "--warmup", "0", "--iters", "1");
        } finally {
            Devices.wrapper = before;
        }
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().strip().startsWith("strix: error: out of memory (raise the heap with -Xmx"), r.err());
        assertTrue(r.err().contains("STRIX_JAVA_OPTS=-Xmx8g"), "names the launcher's setting: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void benchModel() {
        MainTest.Outcome r = withSmallDevice("bench", "model", "--mode", "train", "--batch", "6", "--size", "64", "--width", "4", "--fpn",
                "8", "--depth", "1", "--warmup", "0", "--iters", "1");
        assertAdvice(r, "bench model", "--batch 6 --size 64", "3");
    }
}
