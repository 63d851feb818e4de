package dev.strix.nn.losses;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Locale;

import static dev.strix.nn.testing.Assertions.assertClose;
import static dev.strix.nn.testing.Assertions.assertShape;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every loss and reduction against the PyTorch / torchvision fixtures of make_fixtures.py (group "losses"):
 * the forward output and the gradient of sum(output * grad_output) with respect to the input.
 */
class LossFixturesTest {
    static List<String> cases() {
        return Fixtures.cases("losses");
    }

    @Test
    void everyLossHasFixtures() {
        List<String> names = cases();
        for (String op : new String[] {"bce_with_logits", "bce_with_logits_weight", "sigmoid_focal_loss", "cross_entropy",
                "cross_entropy_ls01", "mse", "l1", "smooth_l1_beta1", "smooth_l1_beta05", "iou_loss", "giou_loss",
                "diou_loss", "ciou_loss"})
            for (String r : new String[] {"none", "mean", "sum"})
                assertTrue(names.contains(op + "_" + r), "missing fixture losses/" + op + "_" + r);
    }

    /** The loss that a fixture's {@code op} metadata names, applied to its input. */
    private static Tensor apply(Fixtures.Fixture fx, Tensor input) {
        Reduction r = Reduction.valueOf(fx.meta("reduction").toUpperCase(Locale.ROOT));
        return switch (fx.meta("op")) {
            case "binary_cross_entropy_with_logits" -> BinaryLosses.bceWithLogits(input, fx.tensor("target"),
                    fx.has("weight_arg") ? fx.tensor("weight_arg") : null, r);
            case "sigmoid_focal_loss" -> BinaryLosses.sigmoidFocalLoss(input, fx.tensor("target"),
                    fx.metaFloat("alpha"), fx.metaFloat("gamma"), r);
            case "cross_entropy" -> CrossEntropyLoss.crossEntropy(input, fx.longs("target"),
                    fx.metaFloat("label_smoothing"), r,
                    Integer.parseInt(fx.meta("ignore_index", String.valueOf(CrossEntropyLoss.DEFAULT_IGNORE_INDEX))));
            case "mse_loss" -> RegressionLosses.mse(input, fx.tensor("target"), r);
            case "l1_loss" -> RegressionLosses.l1(input, fx.tensor("target"), r);
            case "smooth_l1_loss" -> RegressionLosses.smoothL1(input, fx.tensor("target"), fx.metaFloat("beta"), r);
            case "iou_loss" -> BoxLosses.iouLoss(input, fx.tensor("target"), fx.metaFloat("eps"), r);
            case "giou_loss" -> BoxLosses.giouLoss(input, fx.tensor("target"), fx.metaFloat("eps"), r);
            case "diou_loss" -> BoxLosses.diouLoss(input, fx.tensor("target"), fx.metaFloat("eps"), r);
            case "ciou_loss" -> BoxLosses.ciouLoss(input, fx.tensor("target"), fx.metaFloat("eps"), r);
            default -> throw new AssertionError(fx.name() + ": no loss for op " + fx.meta("op"));
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name) {
        Fixtures.Fixture fx = Fixtures.load("losses/" + name);
        Tensor input = fx.tensor("input").requiresGrad(true);
        Tensor out = apply(fx, input);
        assertShape(name + " output", fx.shape("output"), out);
        // float32 on both sides with differently ordered arithmetic (fused BCE with log instead of log1p, CE
        // weights folded into one product): differences stay near 1e-7 relative; 1e-5 leaves room
        assertClose(name + " output", fx.floats("output"), out.toArray(), 1e-5, 1e-5);
        Autograd.backward(out, fx.tensor("grad_output"), false);
        assertClose(name + " grad.input", fx.floats("grad.input"), input.grad().toArray(), 1e-5, 1e-4);
    }
}
