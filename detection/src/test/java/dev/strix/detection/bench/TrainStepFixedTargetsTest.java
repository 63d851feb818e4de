package dev.strix.detection.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import dev.strix.nn.io.DType;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * The work a captured training step replays ({@link TrainStep#fixedTargets}: the targets assigned and uploaded
 * once, then forward, loss, backward and SGD update with nothing uploaded or read back inside), run eagerly on the
 * CPU, gives bit for bit the losses and the weights of the ordinary step (assign and upload every step, loss read
 * back before backward): the fixed boxes give the same assignment every step and the ops are the same.
 */
class TrainStepFixedTargetsTest {
    private static final DetNetConfig MODEL = new DetNetConfig(5, 8, 16, 2);
    private static final int BATCH = 2, SIZE = 64, STEPS = 3;

    private static DetNet model() {
        Init.seed(5);
        return new DetNet(MODEL);
    }

    @Test
    void fixedTargetStepsMatchOrdinaryStepsBitForBit() {
        Tensor input = Tensor.of(SyntheticTargets.images(BATCH, SIZE, 6), BATCH, 3, SIZE, SIZE);
        List<List<ObjectAnnotation>> boxes = SyntheticTargets.generate(BATCH, SIZE, MODEL.numClasses(), 7);
        DetNet a = model(), b = model();
        TrainStep ordinary = new TrainStep(a, input, boxes, ModelBenchConfig.LR, ModelBenchConfig.MOMENTUM,
                ModelBenchConfig.WEIGHT_DECAY);
        for (int i = 0; i < TrainStep.EAGER_STEPS; i++) ordinary.run(); // the fixed-target step runs these itself
        try (TrainStep fixed = TrainStep.fixedTargets(b, input, boxes, ModelBenchConfig.LR, ModelBenchConfig.MOMENTUM,
                ModelBenchConfig.WEIGHT_DECAY)) {
            assertFalse(fixed.isCaptured());
            assertArrayEquals(new String[] {"step", "readback"}, fixed.phases());
            assertStatesBitwise("after the eager steps", a, b);
            for (int step = 0; step < STEPS; step++) {
                ordinary.run();
                fixed.run();
                assertTrue(Float.isFinite(ordinary.lastLoss()) && ordinary.lastLoss() > 0, "a real loss");
                assertEquals(Float.floatToRawIntBits(ordinary.lastLoss()), Float.floatToRawIntBits(fixed.lastLoss()),
                        "step " + step + ": loss " + fixed.lastLoss() + ", expected " + ordinary.lastLoss());
                assertEquals(ordinary.lastPositives(), fixed.lastPositives(), "positives");
                assertStatesBitwise("after step " + step, a, b);
                assertEquals(2, fixed.phaseNanos().length);
            }
        }
        assertTrue(ordinary.lastPositives() > 0, "the fixed boxes have positive locations");
    }

    @Test
    void aGraphOfTheTrainingStepNeedsCuda() {
        ModelBenchConfig c = new ModelBenchConfig(MODEL, BenchMode.TRAIN, 1, SIZE, 0, 1, 1, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelBenchmark.run(c, CpuDevice.INSTANCE, true));
        assertTrue(e.getMessage().contains("CUDA graph capture needs a CUDA device, not cpu"), e.getMessage());
    }

    /** Every float parameter and buffer (weights, running statistics) of the two models, bit for bit. */
    private static void assertStatesBitwise(String when, DetNet expected, DetNet actual) {
        Map<String, Tensor> e = expected.stateDict(), a = actual.stateDict();
        assertEquals(e.keySet(), a.keySet());
        for (String k : e.keySet()) {
            if (e.get(k).dtype() != DType.F32) continue;
            float[] x = e.get(k).toArray(), y = a.get(k).toArray();
            for (int i = 0; i < x.length; i++)
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i]))
                    throw new AssertionError(when + ": " + k + "[" + i + "] is " + y[i] + ", expected " + x[i]);
        }
    }
}
