package dev.strix.nn.losses;

import dev.strix.nn.Tensor;
import dev.strix.nn.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.strix.nn.testing.Assertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrossEntropyLossTest {
    /**
     * PyTorch's cross_entropy in double: per position (1 - eps) * (lse - x_y) + eps/C * sum_c (lse - x_c), zero
     * for ignored positions. Layout (N, C, inner).
     */
    private static double[] reference(float[] x, int n, int classes, int inner, long[] y, double eps, int ignore) {
        double[] out = new double[n * inner];
        for (int b = 0; b < n; b++)
            for (int k = 0; k < inner; k++) {
                if (y[b * inner + k] == ignore) continue;
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) max = Math.max(max, x[(b * classes + c) * inner + k]);
                double s = 0;
                for (int c = 0; c < classes; c++) s += Math.exp(x[(b * classes + c) * inner + k] - max);
                double lse = max + Math.log(s), smooth = 0;
                for (int c = 0; c < classes; c++) smooth += lse - x[(b * classes + c) * inner + k];
                double nll = lse - x[(b * classes + (int) y[b * inner + k]) * inner + k];
                out[b * inner + k] = (1 - eps) * nll + eps / classes * smooth;
            }
        return out;
    }

    private static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (3 * r.nextGaussian());
        return v;
    }

    private static long[] targets(int count, int classes, int ignore, long seed) {
        Random r = new Random(seed);
        long[] y = new long[count];
        for (int i = 0; i < count; i++) y[i] = r.nextInt(5) == 0 ? ignore : r.nextInt(classes);
        return y;
    }

    @ParameterizedTest(name = "N={0} C={1} H={2} W={3} eps={4} ignore={5}")
    @CsvSource({"7, 3, 1, 1, 0, -100", "2, 5, 3, 4, 0.1, -100", "3, 13, 2, 1, 0.2, 255", "1, 1, 1, 1, 0.3, -100",
            "4, 4, 1, 7, 1.0, 2"})
    void matchesDoubleReference(int n, int classes, int h, int w, float eps, int ignore) {
        boolean spatial = h * w > 1;
        int inner = h * w;
        int[] shape = spatial ? new int[] {n, classes, h, w} : new int[] {n, classes};
        float[] x = gaussian(n * classes * inner, n * 31L + classes);
        long[] y = targets(n * inner, classes, ignore, classes * 7L + n);
        y[0] = Math.min(classes - 1, 1); // keep at least one valid target
        double[] ref = reference(x, n, classes, inner, y, eps, ignore);
        float[] expected = new float[ref.length];
        double sum = 0;
        int valid = 0;
        for (int i = 0; i < ref.length; i++) {
            expected[i] = (float) ref[i];
            sum += ref[i];
            if (y[i] != ignore) valid++;
        }
        Tensor none = CrossEntropyLoss.crossEntropy(Tensor.of(x, shape), y, eps, Reduction.NONE, ignore);
        assertArrayEquals(spatial ? new int[] {n, h, w} : new int[] {n}, none.shape());
        // log_softmax in float32 of logits ~ +-10: absolute error ~1e-6
        assertClose("none", expected, none.toArray(), 2e-6, 1e-5);
        assertClose("sum", sum, CrossEntropyLoss.crossEntropy(Tensor.of(x, shape), y, eps, Reduction.SUM, ignore).item(),
                1e-5, 1e-5);
        assertClose("mean", sum / valid,
                CrossEntropyLoss.crossEntropy(Tensor.of(x, shape), y, eps, Reduction.MEAN, ignore).item(), 1e-5, 1e-5);
        for (Reduction r : Reduction.values())
            GradCheck.check("cross entropy " + r, in -> CrossEntropyLoss.crossEntropy(in[0], y, eps, r, ignore), 1e-2,
                    2e-4, 1e-2, Tensor.of(x.clone(), shape).requiresGrad(true));
    }

    @Test
    void allIgnoredGivesNaNMeanWithZeroGradient() {
        float[] x = gaussian(12, 1);
        long[] y = {-100, -100, -100, -100};
        Tensor xs = Tensor.of(x, 4, 3).requiresGrad(true);
        Tensor mean = CrossEntropyLoss.crossEntropy(xs, y, 0.1f, Reduction.MEAN, -100);
        assertTrue(Float.isNaN(mean.item()), "PyTorch gives NaN for a mean over no valid target, got " + mean.item());
        mean.backward();
        assertClose("gradient of an all-ignored mean", new float[12], xs.grad().toArray(), 0, 0);
        assertEquals(0f, CrossEntropyLoss.crossEntropy(Tensor.of(x, 4, 3), y, 0.1f, Reduction.SUM, -100).item());
        assertClose("none", new float[4],
                CrossEntropyLoss.crossEntropy(Tensor.of(x, 4, 3), y, 0.1f, Reduction.NONE, -100).toArray(), 0, 0);
    }

    @Test
    void ignoredPositionsGetNoGradient() {
        float[] x = gaussian(15, 2);
        long[] y = {1, -100, 4};
        Tensor xs = Tensor.of(x, 3, 5).requiresGrad(true);
        CrossEntropyLoss.crossEntropy(xs, y, 0.2f, Reduction.MEAN, -100).backward();
        float[] g = xs.grad().toArray();
        for (int c = 0; c < 5; c++) assertClose("ignored row, class " + c, 0, g[5 + c], 0, 0); // -0 counts as 0
        double rowSum = 0;
        for (int c = 0; c < 5; c++) rowSum += g[c];
        assertClose("softmax gradient rows sum to zero", 0, rowSum, 1e-6, 0);
    }

    @Test
    void weightsOfAnotherShapeAreRefusedNamingBothShapes() {
        Tensor logits = Tensor.of(gaussian(6, 1), 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CrossEntropyLoss.crossEntropy(logits, Tensor.of(new float[6], 3, 2), 2, Reduction.MEAN));
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    /** Weights made from the class indices give bit for bit the loss and gradient of the class-index form. */
    @Test
    void weightsFromTheTargetsGiveTheClassIndexLossExactly() {
        float[] x = gaussian(16, 21);
        long[] y = {2, -100, 0, 3};
        float[] w = new float[16];
        for (int i = 0; i < 4; i++) if (y[i] >= 0) w[i * 4 + (int) y[i]] = 1f;
        Tensor a = Tensor.of(x.clone(), 4, 4).requiresGrad(true), b = Tensor.of(x.clone(), 4, 4).requiresGrad(true);
        Tensor la = CrossEntropyLoss.crossEntropy(a, y, 0f, Reduction.MEAN, CrossEntropyLoss.DEFAULT_IGNORE_INDEX);
        Tensor lb = CrossEntropyLoss.crossEntropy(b, Tensor.of(w, 4, 4), 3, Reduction.MEAN);
        assertEquals(Float.floatToRawIntBits(la.item()), Float.floatToRawIntBits(lb.item()));
        la.backward();
        lb.backward();
        assertArrayEquals(a.grad().toArray(), b.grad().toArray());
    }

    @Test
    void emptyBatch() {
        Tensor x = Tensor.of(new float[0], 0, 4);
        assertTrue(Float.isNaN(CrossEntropyLoss.crossEntropy(x, new long[0], Reduction.MEAN).item()),
                "mean over an empty batch is NaN as in PyTorch");
        assertEquals(0f, CrossEntropyLoss.crossEntropy(x, new long[0], Reduction.SUM).item());
        assertArrayEquals(new int[] {0}, CrossEntropyLoss.crossEntropy(x, new long[0], Reduction.NONE).shape());
    }

    @Test
    void rejectsBadTargets() {
        Tensor x = Tensor.of(new float[6], 2, 3);
        assertThrows(IllegalArgumentException.class, () -> CrossEntropyLoss.crossEntropy(x, new long[] {0, 3}, Reduction.SUM));
        assertThrows(IllegalArgumentException.class, () -> CrossEntropyLoss.crossEntropy(x, new long[] {0, -1}, Reduction.SUM));
        assertThrows(IllegalArgumentException.class, () -> CrossEntropyLoss.crossEntropy(x, new long[] {0}, Reduction.SUM));
        assertThrows(IllegalArgumentException.class,
                () -> CrossEntropyLoss.crossEntropy(Tensor.of(new float[3], 3), new long[] {0, 1, 2}, Reduction.SUM));
    }

    @Test
    void largeLogitsStayFinite() {
        float[] x = {100f, -100f, 0f, -100f, 100f, 50f};
        Tensor xs = Tensor.of(x, 2, 3).requiresGrad(true);
        Tensor loss = CrossEntropyLoss.crossEntropy(xs, new long[] {1, 1}, 0f, Reduction.SUM, -100);
        assertClose("large logits", 200.0, loss.item(), 1e-4, 1e-6);
        loss.backward();
        assertClose("gradient", new float[] {1f, -1f, 0f, 0f, 0f, 0f}, xs.grad().toArray(), 1e-6, 0);
    }
}
