package dev.strix.nn.cuda;

import dev.strix.cuda.CTypes;
import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.CudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * The Strix PTX module ({@code /dev/strix/kernels/cuda/strix_kernels.ptx}, packaged in strix-kernels) loaded
 * into the context current on the calling thread, with its functions looked up by name once.
 */
final class CudaKernelModule implements AutoCloseable {
    /** Class-path location of the PTX built from kernels/src/main/cuda. */
    static final String PTX_RESOURCE = "/dev/strix/kernels/cuda/strix_kernels.ptx";

    /** One kernel of the module: its {@code CUfunction} and its name (for error messages). */
    record Kernel(String name, MemorySegment handle) {}

    private final MemorySegment module;
    private final Map<String, Kernel> kernels = new HashMap<>();
    private boolean closed;

    /** Loads the PTX into the current context (JIT-compiled by the driver for the device). */
    CudaKernelModule() {
        byte[] ptx = readPtx();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = arena.allocate(ptx.length + 1L);
            MemorySegment.copy(ptx, 0, image, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, ptx.length);
            image.set(java.lang.foreign.ValueLayout.JAVA_BYTE, ptx.length, (byte) 0);
            MemorySegment out = arena.allocate(CTypes.C_POINTER);
            CudaCheck.driver("cuModuleLoadData(" + PTX_RESOURCE + ")", CudaDriver.cuModuleLoadData(out, image));
            module = out.get(CTypes.C_POINTER, 0);
        }
    }

    static byte[] readPtx() {
        try (InputStream in = CudaKernelModule.class.getResourceAsStream(PTX_RESOURCE)) {
            if (in == null)
                throw new IllegalStateException(PTX_RESOURCE + " is not on the class path (is strix-kernels a dependency?)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + PTX_RESOURCE, e);
        }
    }

    /** Looks up {@code name} (a {@code extern "C"} kernel of the module). */
    Kernel function(String name) {
        return kernels.computeIfAbsent(name, n -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(CTypes.C_POINTER);
                CudaCheck.driver("cuModuleGetFunction(" + n + ")",
                        CudaDriver.cuModuleGetFunction(out, module, arena.allocateFrom(n)));
                return new Kernel(n, out.get(CTypes.C_POINTER, 0));
            }
        });
    }

    /** Unloads the module (its kernels must not be launched afterwards). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        CudaCheck.driver("cuModuleUnload", CudaDriver.cuModuleUnload(module));
    }
}
