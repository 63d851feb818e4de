package dev.strix.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Compiles CUDA C++ source to PTX with NVRTC. A compilation error becomes a {@link CudaException}
 * whose message ends with NVRTC's program log.
 */
public final class NvrtcCompiler {
    private NvrtcCompiler() {
    }

    /**
     * @param source  CUDA C++ source
     * @param name    the program's name, used in the log (e.g. {@code "saxpy.cu"})
     * @param options NVRTC options, e.g. {@code "--gpu-architecture=compute_90"}
     * @return the PTX text
     * @throws CudaException when NVRTC fails; for a compilation error the message includes the log
     */
    public static String compileToPtx(String source, String name, List<String> options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment programOut = arena.allocate(CTypes.C_POINTER);
            CudaCheck.nvrtc("nvrtcCreateProgram", Nvrtc.nvrtcCreateProgram(programOut, arena.allocateFrom(source),
                    arena.allocateFrom(name), 0, MemorySegment.NULL, MemorySegment.NULL));
            MemorySegment program = programOut.get(CTypes.C_POINTER, 0);
            try {
                MemorySegment optionArray = arena.allocate(CTypes.C_POINTER, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) {
                    optionArray.setAtIndex(CTypes.C_POINTER, i, arena.allocateFrom(options.get(i)));
                }
                int compiled = Nvrtc.nvrtcCompileProgram(program, options.size(), optionArray);
                if (compiled != Nvrtc.NVRTC_SUCCESS) {
                    throw CudaCheck.exception(CudaException.Library.NVRTC, "nvrtcCompileProgram", compiled,
                            "program log of " + name + ":\n" + programLog(arena, program));
                }
                MemorySegment sizeOut = arena.allocate(CTypes.C_SIZE_T);
                CudaCheck.nvrtc("nvrtcGetPTXSize", Nvrtc.nvrtcGetPTXSize(program, sizeOut));
                MemorySegment ptx = arena.allocate(Math.max(1, sizeOut.get(CTypes.C_SIZE_T, 0)));
                CudaCheck.nvrtc("nvrtcGetPTX", Nvrtc.nvrtcGetPTX(program, ptx));
                return ptx.getString(0, StandardCharsets.UTF_8);
            } finally {
                Nvrtc.nvrtcDestroyProgram(programOut);
            }
        }
    }

    private static String programLog(Arena arena, MemorySegment program) {
        MemorySegment sizeOut = arena.allocate(CTypes.C_SIZE_T);
        if (Nvrtc.nvrtcGetProgramLogSize(program, sizeOut) != Nvrtc.NVRTC_SUCCESS) {
            return "(log unavailable)";
        }
        MemorySegment log = arena.allocate(Math.max(1, sizeOut.get(CTypes.C_SIZE_T, 0)));
        if (Nvrtc.nvrtcGetProgramLog(program, log) != Nvrtc.NVRTC_SUCCESS) {
            return "(log unavailable)";
        }
        return log.getString(0, StandardCharsets.UTF_8);
    }
}
