package dev.strix.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strix.kernels.Activation;
import dev.strix.kernels.Elementwise.Unary;
import dev.strix.nn.Tensor;

import org.junit.jupiter.api.Test;

/** Capture and replay of work on a real GPU: a replay recomputes from the current input values. */
class CudaGraphGpuTest {
    private static final int N = 4099;

    @Test
    void aReplayRecomputesTheCapturedOpsFromTheCurrentInput() {
        CudaDevice d = Backend.cuda();
        Tensor x = Tensor.from(d, Bounds.uniform(1, N, -2, 2), N), y = Tensor.zeros(d, N);
        Tensor[] out = new Tensor[1];
        Runnable work = () -> {
            Tensor t = Tensor.zeros(d, N); // allocated during the capture: kept for the graph
            d.activationForward(Activation.RELU, 0f, t, x);
            d.unary(Unary.NEG, y, t);
            d.axpy(y, 2f, x); // y = 2x - relu(x)
            out[0] = t;
        };
        work.run(); // eager first, as the rules ask
        try (CudaGraph graph = CudaGraph.capture(d, work)) {
            assertTrue(graph.retainedBlocks() >= 1, "the temporary is kept for the graph");
            for (int round = 0; round < 3; round++) {
                float[] xs = Bounds.uniform(10 + round, N, -2, 2);
                d.copy(x, Tensor.from(d, xs, N)); // new values at the captured address
                graph.replay();
                float[] expected = new float[N], relu = new float[N];
                for (int i = 0; i < N; i++) {
                    relu[i] = Math.max(0f, xs[i]);
                    expected[i] = -relu[i] + 2f * xs[i];
                }
                assertArrayEquals(relu, out[0].toArray(), "captured temporary in round " + round);
                assertArrayEquals(expected, y.toArray(), 1e-6f, "output in round " + round);
            }
        }
    }

    @Test
    void aHostReadInsideTheCaptureFailsWithAClearMessage() {
        CudaDevice d = Backend.cuda();
        Tensor x = Tensor.from(d, Bounds.uniform(2, N, -1, 1), N);
        AllocatorStats before = d.memoryStats();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CudaGraph.capture(d, () -> x.toArray()));
        assertTrue(e.getMessage().contains("must not synchronise with the host"), e.getMessage());
        // the device is usable afterwards and nothing stays reserved for the failed graph
        Tensor y = Tensor.zeros(d, N);
        d.fill(y, 3f);
        assertEquals(3f * N, d.sum(y), 1e-3);
        assertTrue(d.memoryStats().bytesInUse() <= before.bytesInUse() + CachingAllocator.bucketSize(4L * N),
                before + " -> " + d.memoryStats());
    }
}
