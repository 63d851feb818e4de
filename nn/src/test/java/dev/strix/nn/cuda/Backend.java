package dev.strix.nn.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strix.cuda.CudaAvailability;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;

/**
 * The devices the parameterised op tests run on. CUDA cases skip, with the probe's reason, where no usable GPU
 * is present. The two CUDA cases differ only in the precision of GEMMs and convolutions.
 */
enum Backend {
    /** {@link CpuDevice}. */
    CPU,
    /** {@link CudaDevice} 0 with strict FP32 GEMMs and convolutions. */
    CUDA_STRICT_FP32,
    /** {@link CudaDevice} 0 with TF32 GEMMs and convolutions (the default). */
    CUDA_TF32;

    /** The device, set to this case's precision; skips the test when CUDA is not usable. */
    Device open() {
        if (this == CPU) return CpuDevice.INSTANCE;
        CudaDevice d = cuda();
        d.setStrictFp32(this == CUDA_STRICT_FP32);
        return d;
    }

    /** True for the case whose matrix products round their inputs to TF32. */
    boolean tf32() {
        return this == CUDA_TF32;
    }

    /** CUDA device 0, or a skipped test that says why there is none. */
    static CudaDevice cuda() {
        CudaAvailability probe = CudaAvailability.probe();
        assumeTrue(probe.usable(), () -> "no CUDA: " + probe.reason());
        return CudaDevice.get(0);
    }
}
