package dev.strix.benchmarks;

import dev.strix.cuda.CudaAvailability;
import dev.strix.kernels.Activation;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.io.Json;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class CudaKernelBenchTest {

    /** A target that runs on {@code device} and only records the precision mode. */
    static CudaKernelBench.Target target(Device device) {
        return new CudaKernelBench.Target() {
            boolean strict;

            public Device device() { return device; }
            public void synchronize() {}
            public void setStrictFp32(boolean s) { strict = s; }
            public boolean strictFp32() { return strict; }
            public String describe() { return "cpu as the device under test"; }
        };
    }

    @Test
    void mainSaysWhyItSkipsWithoutCuda() {
        CudaAvailability a = CudaAvailability.probe();
        assumeFalse(a.usable(), "CUDA is usable here: the benchmark would run instead of skipping");
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            CudaKernelBench.main(new String[0]);
        } finally {
            System.setOut(saved);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        assertEquals("CudaKernelBench skipped: CUDA is not usable here (" + a.reason() + ")" + System.lineSeparator(),
                text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyCheckAndTimingRunsWithTheCpuAsTheDeviceUnderTest() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        new CudaKernelBench(target(CpuDevice.INSTANCE), new PrintStream(buf, true, StandardCharsets.UTF_8), 1, 0)
                .runAll();
        String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\\R");
        Map<String, Object> json = (Map<String, Object>) Json.parse(lines[lines.length - 1]);
        List<Object> ops = (List<Object>) json.get("ops");
        // 4 layers x 3 convolution passes, gemm, relu x 2, 2 shapes x {plain, relu} x {forward, backward}, focal x 2, sgd
        assertEquals(4 * 3 + 1 + 2 + 8 + 2 + 1, ops.size());
        assertEquals(ops.size() + 3, lines.length); // description, header, one row per op, JSON
        for (Object o : ops) {
            Map<String, Object> row = (Map<String, Object>) o;
            assertTrue(((Number) row.get("ms")).doubleValue() >= 0, row.toString());
            assertEquals(0.0, ((Number) row.get("max_abs_diff")).doubleValue(), row.toString());
        }
        assertEquals("relu forward", ((Map<String, Object>) ops.get(13)).get("op"));
    }

    @Test
    void aDeviceThatDisagreesWithTheCpuIsRefusedBeforeTiming() {
        // the CPU device, except that its ReLU adds 1e-3 to every output
        Device wrong = (Device) Proxy.newProxyInstance(Device.class.getClassLoader(), new Class<?>[] {Device.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(CpuDevice.INSTANCE, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("activationForward") && args[0] == Activation.RELU)
                        CpuDevice.INSTANCE.addScalar((Tensor) args[2], (Tensor) args[2], 1e-3f);
                    return result;
                });
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CudaKernelBench bench = new CudaKernelBench(target(wrong), new PrintStream(buf, true, StandardCharsets.UTF_8),
                1, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> bench.relu(4, 8, 8));
        assertTrue(e.getMessage().startsWith("CUDA relu forward 4x8x8x8: [0] = "), e.getMessage());
        assertEquals("", buf.toString(StandardCharsets.UTF_8));
    }
}
