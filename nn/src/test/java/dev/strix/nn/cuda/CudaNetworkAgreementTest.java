package dev.strix.nn.cuda;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.layers.BatchNorm2d;
import dev.strix.nn.layers.Conv2d;
import dev.strix.nn.layers.ReLU;
import dev.strix.nn.layers.Sequential;
import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ReduceOps;
import dev.strix.nn.optim.ParamGroup;
import dev.strix.nn.optim.Sgd;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

/**
 * A small network (conv, batch norm, ReLU, strided conv) trained for 20 SGD steps with momentum on the CPU and
 * on CUDA from the same weights and data: the loss, every gradient of the first step and every parameter and
 * running statistic after the last step agree.
 *
 * <p>Tolerances: strict FP32 differs from the CPU only in summation order: 1e-4 relative per step, compounded
 * over 20 steps of a well-conditioned problem (lr 0.01), gives the 1e-3 used for the end state; TF32 rounds
 * every convolution input to 10 mantissa bits (about 1e-3 relative per product), so the gradients get 2e-2 and
 * the end state 2e-2 relative.
 */
class CudaNetworkAgreementTest {

    private static Sequential net() {
        return new Sequential(new Conv2d(3, 8, 3, 1, 1, true), new BatchNorm2d(8), new ReLU(),
                new Conv2d(8, 4, 3, 2, 1, true));
    }

    private static Tensor loss(Sequential model, Tensor x, Tensor target) {
        Tensor diff = MathOps.sub(model.forward(x), target);
        return ReduceOps.mean(MathOps.square(diff));
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"CUDA_STRICT_FP32", "CUDA_TF32"})
    void forwardBackwardAndTwentySgdStepsAgree(Backend backend) {
        Device cuda = backend.open();
        double rtolGrad = backend.tf32() ? 2e-2 : 1e-4, rtolEnd = backend.tf32() ? 2e-2 : 1e-3;
        Sequential cpuNet = net(), gpuNet = net();
        gpuNet.loadStateDict(cpuNet.stateDict(), true);
        gpuNet.to(cuda);
        float[] xs = Bounds.uniform(1, 4 * 3 * 13 * 17, -1, 1), ts = Bounds.uniform(2, 4 * 4 * 7 * 9, -1, 1);
        Tensor xCpu = Tensor.from(CpuDevice.INSTANCE, xs, 4, 3, 13, 17), tCpu = Tensor.from(CpuDevice.INSTANCE, ts, 4, 4, 7, 9);
        Tensor xGpu = Tensor.from(cuda, xs, 4, 3, 13, 17), tGpu = Tensor.from(cuda, ts, 4, 4, 7, 9);
        Sgd cpuOpt = new Sgd(ParamGroup.single(cpuNet.parameters()), 0.01, 0.9, 0, 1e-4, false);
        Sgd gpuOpt = new Sgd(ParamGroup.single(gpuNet.parameters()), 0.01, 0.9, 0, 1e-4, false);
        for (int step = 0; step < 20; step++) {
            cpuNet.zeroGrad();
            gpuNet.zeroGrad();
            Tensor lc = loss(cpuNet, xCpu, tCpu), lg = loss(gpuNet, xGpu, tGpu);
            assertEquals(cuda, lg.device());
            assertClose("loss at step " + step, lc.item(), lg.item(), 1e-6, step == 0 ? rtolGrad : rtolEnd);
            lc.backward();
            lg.backward();
            if (step == 0) {
                Map<String, Tensor> pc = cpuNet.namedParameters(), pg = gpuNet.namedParameters();
                for (String name : pc.keySet()) {
                    float[] gc = pc.get(name).grad().toArray();
                    double scale = maxAbs(gc);
                    assertClose("gradient of " + name, gc, pg.get(name).grad().toArray(), rtolGrad * scale, rtolGrad);
                }
            }
            cpuOpt.step();
            gpuOpt.step();
        }
        Map<String, Tensor> sc = cpuNet.stateDict(), sg = gpuNet.stateDict();
        assertEquals(sc.keySet(), sg.keySet());
        for (String name : sc.keySet()) {
            float[] c = sc.get(name).dtype() == dev.strix.nn.io.DType.F32 ? sc.get(name).toArray() : null;
            if (c == null) {
                assertEquals(sc.get(name).longs()[0], sg.get(name).longs()[0], name);
                continue;
            }
            assertClose(name + " after 20 steps", c, sg.get(name).toArray(), rtolEnd * maxAbs(c), rtolEnd);
        }
    }

    private static double maxAbs(float[] v) {
        double m = 1e-6;
        for (float f : v) m = Math.max(m, Math.abs(f));
        return m;
    }
}
