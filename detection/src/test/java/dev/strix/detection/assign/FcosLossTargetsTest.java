package dev.strix.detection.assign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strix.detection.assign.FcosLossConfig.BoxLoss;
import dev.strix.detection.assign.FcosLossConfig.ClassificationLoss;
import dev.strix.detection.bench.SyntheticTargets;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.detection.model.LevelOutput;
import dev.strix.nn.Autograd;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import dev.strix.nn.optim.ParamGroups;
import dev.strix.nn.optim.Sgd;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;

/**
 * Targets uploaded once ({@link FcosLoss#targets}) and reused step after step give bit for bit the losses and the
 * gradients of the per-step path (assign, fill the host arrays, upload, compute), over three SGD steps of DetNet on
 * a fixed batch: the same ops on the same values in the same order. Between the steps the loss object computes the
 * loss of another batch, which rewrites its host scratch arrays: the uploaded targets must not depend on them.
 * The per-step path itself is checked against a scalar reference in {@link FcosLossTest}.
 */
class FcosLossTargetsTest {
    private static final DetNetConfig MODEL = new DetNetConfig(5, 8, 16, 2);
    private static final int BATCH = 2, SIZE = 64, STEPS = 3;

    /** One classification loss each, with a box loss of each kind (IoU family and pointwise). */
    enum Variant {
        FOCAL_GIOU(FcosLossConfig.defaults()),
        BCE_SMOOTH_L1(FcosLossConfig.defaults().withClassification(ClassificationLoss.BCE).withBox(BoxLoss.SMOOTH_L1)),
        SOFTMAX_CE_IOU(FcosLossConfig.defaults().withClassification(ClassificationLoss.SOFTMAX_CE).withBox(BoxLoss.IOU));

        final FcosLossConfig config;

        Variant(FcosLossConfig config) {
            this.config = config;
        }

        /** Classes of the boxes: the softmax head's last channel is the background. */
        int classes() {
            return config.classification() == ClassificationLoss.SOFTMAX_CE ? MODEL.numClasses() - 1 : MODEL.numClasses();
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void targetsUploadedOnceGiveTheLossesAndGradientsOfThePerStepPath(Variant v) {
        Init.seed(3);
        DetNet model = new DetNet(MODEL);
        model.train();
        Tensor input = Tensor.of(SyntheticTargets.images(BATCH, SIZE, 11), BATCH, 3, SIZE, SIZE);
        List<List<ObjectAnnotation>> boxes = SyntheticTargets.generate(BATCH, SIZE, v.classes(), 12);
        List<List<ObjectAnnotation>> otherBoxes = SyntheticTargets.generate(BATCH, SIZE, v.classes(), 99);
        Sgd optimizer = new Sgd(ParamGroups.decayAndNoDecay(model, 1e-4), 0.01, 0.9, 0, 1e-4, false);
        FcosLoss loss = new FcosLoss(v.config);
        FcosAssigner assigner = new FcosAssigner();
        Assignment assignment = new Assignment(), other = new Assignment();
        List<Tensor> params = model.parameters();
        FcosLoss.Targets once = null;

        for (int step = 0; step < STEPS; step++) {
            List<LevelOutput> outputs = model.forward(input);
            LevelGrid grid = LevelGrid.of(SIZE, SIZE, outputs);
            assigner.assign(boxes, grid, assignment);
            if (once == null) {
                once = loss.targets(assignment, v.classes(), CpuDevice.INSTANCE);
                assertTrue(once.numPositives() > 0, "the fixed boxes have positive locations");
                assertEquals(assignment.numPositives(), once.numPositives());
                assertEquals(BATCH * grid.numLocations(), once.rows());
            }
            Map<String, Tensor> perStep = loss.compute(outputs, assignment);
            // another batch's targets through the same loss object: its host arrays now hold other values
            assigner.assign(otherBoxes, grid, other);
            loss.compute(outputs, other);
            Map<String, Tensor> reused = loss.compute(outputs, once);

            assertEquals(perStep.keySet(), reused.keySet());
            for (String k : perStep.keySet())
                assertBitwise("step " + step + " loss " + k, perStep.get(k), reused.get(k));
            Tensor totalA = total(perStep), totalB = total(reused);
            List<Tensor> gradA = Autograd.grad(totalA, params, true), gradB = Autograd.grad(totalB, params, true);
            for (int i = 0; i < params.size(); i++)
                assertBitwise("step " + step + " gradient of parameter " + i, gradA.get(i), gradB.get(i));
            totalA.backward();
            optimizer.step();
            optimizer.zeroGrad();
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void targetsRefuseAnotherConfigurationOrClassCount(Variant v) {
        Init.seed(3);
        DetNet model = new DetNet(MODEL);
        Tensor input = Tensor.of(SyntheticTargets.images(1, SIZE, 11), 1, 3, SIZE, SIZE);
        List<LevelOutput> outputs = model.forward(input);
        Assignment a = new Assignment();
        new FcosAssigner().assign(SyntheticTargets.generate(1, SIZE, v.classes(), 12), LevelGrid.of(SIZE, SIZE, outputs), a);
        FcosLoss.Targets t = new FcosLoss(v.config).targets(a, v.classes(), CpuDevice.INSTANCE);
        FcosLossConfig otherBox = v.config.withBox(v.config.box() == BoxLoss.GIOU ? BoxLoss.DIOU : BoxLoss.GIOU);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FcosLoss(otherBox).compute(outputs, t));
        assertTrue(e.getMessage().contains("another loss configuration"), e.getMessage());
        FcosLoss loss = new FcosLoss(v.config);
        FcosLoss.Targets fewer = loss.targets(a, v.classes() + 1, CpuDevice.INSTANCE);
        e = assertThrows(IllegalArgumentException.class, () -> loss.compute(outputs, fewer));
        assertTrue(e.getMessage().contains("were made for " + (v.classes() + 1)), e.getMessage());
    }

    private static Tensor total(Map<String, Tensor> losses) {
        Tensor total = null;
        for (Tensor t : losses.values()) total = total == null ? t : total.add(t);
        return total;
    }

    private static void assertBitwise(String what, Tensor expected, Tensor actual) {
        float[] e = expected.toArray(), a = actual.toArray();
        assertEquals(e.length, a.length, what + ": sizes");
        for (int i = 0; i < e.length; i++)
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i]))
                throw new AssertionError(what + ": element " + i + " of " + e.length + " is " + a[i] + ", expected "
                        + e[i]);
    }
}
