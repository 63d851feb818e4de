package dev.strix.detection.model;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.io.DType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.strix.detection.model.Fixtures.assertClose;
import static dev.strix.detection.model.Fixtures.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DetNet against the PyTorch reference (detnet.py) through the fixtures of make_fixtures.py. */
class DetNetTest {
    private static final String[] HEADS = {"cls", "box", "ctr"};

    @Test
    void defaultStateDictHasPyTorchsNamesShapesAndParameterCount() {
        DetNet model = new DetNet();
        // detnet.py's docstring and `python3 detnet.py`: 1,479,209 parameters
        assertEquals(1_479_209L, model.parameterCount());
        Map<String, Tensor> sd = model.stateDict();
        assertEquals(80, sd.size(), "state dict entries (53 parameters, 27 batch-norm buffers)");
        List<String> names = new ArrayList<>(sd.keySet());
        assertEquals(List.of("stem.0.weight", "stem.1.weight", "stem.1.bias", "stem.1.running_mean",
                "stem.1.running_var", "stem.1.num_batches_tracked", "s1.0.0.weight"), names.subList(0, 7));
        assertEquals(List.of("cls_out.weight", "cls_out.bias", "box_out.weight", "box_out.bias", "ctr_out.weight",
                "ctr_out.bias"), names.subList(74, 80));
        assertShape(sd, "stem.0.weight", 16, 3, 3, 3);
        assertShape(sd, "s1.0.0.weight", 32, 16, 3, 3);
        assertShape(sd, "s2.1.0.weight", 64, 64, 3, 3);
        assertShape(sd, "s4.1.0.weight", 256, 256, 3, 3);
        assertShape(sd, "s4.1.1.running_var", 256);
        assertShape(sd, "lat.0.weight", 64, 64, 1, 1);
        assertShape(sd, "lat.2.weight", 64, 256, 1, 1);
        assertShape(sd, "lat.2.bias", 64);
        assertShape(sd, "smooth.1.weight", 64, 64, 3, 3);
        assertShape(sd, "cls_tower.2.weight", 64, 64, 3, 3);
        assertShape(sd, "box_tower.0.bias", 64);
        assertShape(sd, "cls_out.weight", 20, 64, 3, 3);
        assertShape(sd, "box_out.weight", 4, 64, 3, 3);
        assertShape(sd, "ctr_out.bias", 1);
        assertShape(sd, "s3.0.1.num_batches_tracked");
        assertEquals(DType.I64, sd.get("s3.0.1.num_batches_tracked").dtype());
    }

    @Test
    void smallStateDictMatchesTheFixtureNameForNameInOrder() {
        Map<String, Tensor> fixture = Fixtures.read(Fixtures.SMALL_WEIGHTS);
        Map<String, Tensor> own = new DetNet(Fixtures.SMALL).stateDict();
        assertEquals(new ArrayList<>(fixture.keySet()), new ArrayList<>(own.keySet()));
        for (var e : fixture.entrySet()) {
            assertArrayEquals(e.getValue().shape(), own.get(e.getKey()).shape(), e.getKey());
            assertEquals(e.getValue().dtype(), own.get(e.getKey()).dtype(), e.getKey());
        }
        assertEquals(316_274L, new DetNet(Fixtures.SMALL).parameterCount(), "make_fixtures.py's 'parameters'");
    }

    @Test
    void classificationBiasStartsAtPriorProbabilityOnePercent() {
        float[] bias = new DetNet().namedParameters().get("cls_out.bias").toArray();
        assertEquals(20, bias.length);
        for (float b : bias) {
            assertEquals(-Math.log(99.0), b, 1e-6);
            assertEquals(0.01, 1 / (1 + Math.exp(-b)), 1e-7);
        }
    }

    @Test
    void evalForwardMatchesPyTorch() {
        DetNet model = loadSmall();
        model.eval();
        Map<String, Tensor> io = Fixtures.read(Fixtures.SMALL_IO);
        List<LevelOutput> out;
        try (var noGrad = Autograd.noGrad()) {
            out = model.forward(get(io, "input"));
        }
        assertEquals(3, out.size());
        for (int i = 0; i < 3; i++) {
            LevelOutput l = out.get(i);
            assertEquals(DetNet.STRIDES[i], l.stride());
            Tensor[] got = {l.cls(), l.box(), l.ctr()};
            for (int h = 0; h < 3; h++) {
                String name = "level" + i + "." + HEADS[h];
                // float32 through 17 convolutions with another summation order than PyTorch's; the outputs are
                // O(1) logits and O(10) box distances (stride-scaled), observed differences up to about 2e-6
                assertClose(name, get(io, name), got[h], 1e-4, 1e-4);
            }
        }
        for (float v : out.get(2).box().toArray()) assertTrue(v >= 0f, "box distances are relu(...) * stride >= 0");
    }

    @Test
    void trainForwardAndRunningStatisticsMatchPyTorch() {
        DetNet model = loadSmall();
        model.train();
        Map<String, Tensor> t = Fixtures.read(Fixtures.SMALL_TRAIN);
        List<LevelOutput> out = model.forward(get(t, "input"));
        for (int i = 0; i < 3; i++) {
            LevelOutput l = out.get(i);
            Tensor[] got = {l.cls(), l.box(), l.ctr()};
            for (int h = 0; h < 3; h++) {
                String name = "level" + i + "." + HEADS[h];
                // batch statistics instead of running ones; observed differences up to 1.8e-6 (level2.box, |3.8|)
                assertClose("train." + name, get(t, "train." + name), got[h], 1e-4, 1e-4);
            }
        }
        // running = (1 - 0.1) * running + 0.1 * batch statistic (unbiased variance); observed up to 1.2e-7
        int stats = 0;
        for (var e : model.stateDict().entrySet()) {
            String name = e.getKey();
            if (name.endsWith("running_mean") || name.endsWith("running_var")) {
                assertClose("after." + name, get(t, "after." + name), e.getValue(), 1e-5, 1e-5);
                stats++;
            }
            if (name.endsWith("num_batches_tracked"))
                assertEquals(1L, e.getValue().longs()[0], name + " after one train forward");
        }
        assertEquals(18, stats);
    }

    /** The fixture's input keeps every ReLU input at least 2e-6 from zero (make_fixtures.py), so no tie can flip. */
    @Test
    void trainBackwardAndOneSgdStepMatchPyTorch() {
        DetNet model = loadSmall();
        model.train();
        Map<String, Tensor> t = Fixtures.read(Fixtures.SMALL_TRAIN);
        Tensor x = Tensor.of(get(t, "input").toArray(), get(t, "input").shape()).requiresGrad(true);
        List<LevelOutput> out = model.forward(x);
        Tensor loss = null;
        for (int i = 0; i < 3; i++) {
            LevelOutput l = out.get(i);
            Tensor[] got = {l.cls(), l.box(), l.ctr()};
            for (int h = 0; h < 3; h++) {
                String name = "level" + i + "." + HEADS[h];
                assertClose("train." + name, get(t, "train." + name), got[h], 1e-4, 1e-4);
                Tensor term = got[h].mul(get(t, "grad_output." + name)).sum();
                loss = loss == null ? term : loss.add(term);
            }
        }
        assertNotNull(loss);
        loss.backward();

        // gradients reach O(10-50) (sums over up to 2*32*48 positions); observed differences up to 1.1e-4
        // (box_out.bias, |38|) and 7.6e-5 (stem.0.weight, |48|, after five batch-norm backwards)
        assertClose("grad.input", get(t, "grad.input"), x.grad(), 1e-4, 1e-4);
        Map<String, Tensor> params = model.namedParameters();
        int gradients = 0;
        for (var e : params.entrySet()) {
            Tensor g = e.getValue().grad();
            assertNotNull(g, "no gradient for " + e.getKey());
            assertClose("grad." + e.getKey(), get(t, "grad." + e.getKey()), g, 1e-4, 1e-4);
            gradients++;
        }
        assertEquals(t.keySet().stream().filter(k -> k.startsWith("grad.") && !k.equals("grad.input")).count(),
                gradients, "every parameter gradient of the fixture is compared");

        // one SGD step (lr 0.01, momentum 0.9, dampening 0, weight decay 1e-4 on every parameter) from the fixture's
        // weights: the momentum buffer starts as the first decayed gradient, so p1 = p0 - lr * (g + wd * p0)
        Map<String, Tensor> start = Fixtures.read(Fixtures.SMALL_WEIGHTS);
        float lr = 0.01f, wd = 1e-4f;
        for (var e : params.entrySet()) {
            float[] p = get(start, e.getKey()).toArray(), g = e.getValue().grad().toArray();
            float[] stepped = new float[p.length];
            for (int i = 0; i < p.length; i++) stepped[i] = p[i] - lr * (g[i] + wd * p[i]);
            // the gradient tolerance times lr, plus float32 rounding of O(1) parameters
            assertClose("after." + e.getKey(), get(t, "after." + e.getKey()).toArray(), stepped, 2e-6, 1e-5);
        }
    }

    @Test
    void rejectsInputsThatAreNotMultiplesOf32() {
        DetNet model = new DetNet(Fixtures.SMALL);
        var e = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.of(new float[3 * 48 * 64], 1, 3, 48, 64)));
        assertTrue(e.getMessage().contains("H=48") && e.getMessage().contains("multiples of 32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.of(new float[3 * 64 * 40], 1, 3, 64, 40)));
        assertTrue(e.getMessage().contains("W=40"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.of(new float[4 * 32 * 32], 1, 4, 32, 32)));
        assertTrue(e.getMessage().contains("4 channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.of(new float[3 * 32 * 32], 3, 32, 32)));
        assertTrue(e.getMessage().contains("(N, 3, H, W)"), e.getMessage());
    }

    @Test
    void outputShapesFollowTheStrides() {
        DetNet model = new DetNet(new DetNetConfig(3, 4, 8, 1));
        model.eval();
        List<LevelOutput> out;
        try (var noGrad = Autograd.noGrad()) {
            out = model.forward(Tensor.of(new float[3 * 32 * 96], 1, 3, 32, 96));
        }
        assertArrayEquals(new int[] {1, 3, 4, 12}, out.get(0).cls().shape());
        assertArrayEquals(new int[] {1, 4, 2, 6}, out.get(1).box().shape());
        assertArrayEquals(new int[] {1, 1, 1, 3}, out.get(2).ctr().shape());
    }

    @Test
    void forwardFlopsOfTheDefaultModelAt256Is1016Mflop() {
        DetNet model = new DetNet();
        long flops = model.forwardFlops(256, 256);
        // detnet.py's docstring: 1.016 GFLOP per 256 x 256 image (rounded to 3 decimals)
        assertEquals(1.016e9, flops, 0.0005e9);
        assertEquals(flopsFromWeights(model, 256, 256), flops);
        assertEquals(flopsFromWeights(model, 320, 192), model.forwardFlops(320, 192));
        assertEquals(4 * flops, model.forwardFlops(512, 512), "every layer scales with the pixel count");
        DetNet small = new DetNet(new DetNetConfig(7, 8, 24, 3));
        assertEquals(flopsFromWeights(small, 64, 96), small.forwardFlops(64, 96));
        assertThrows(IllegalArgumentException.class, () -> model.forwardFlops(250, 256));
    }

    /**
     * Independent count from the model's own parameters: each 4-d weight (K, C, R, S) costs 2 * K*C*R*S per output
     * position, and the output map of a layer is known from where it sits (stem /2, s1 /4 ... s4 /32; lat.i and
     * smooth.i at level i; the shared head layers run at all three levels).
     */
    private static long flopsFromWeights(DetNet model, int h, int w) {
        long total = 0;
        for (var e : model.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            if (p.dim() != 4) continue;
            String name = e.getKey();
            long perPosition = 2L * p.numel();
            String top = name.substring(0, name.indexOf('.'));
            long positions = switch (top) {
                case "stem" -> (long) (h / 2) * (w / 2);
                case "s1", "s2", "s3", "s4" -> {
                    int div = 2 << (top.charAt(1) - '0');
                    yield (long) (h / div) * (w / div);
                }
                case "lat", "smooth" -> {
                    int s = DetNet.STRIDES[name.charAt(name.indexOf('.') + 1) - '0'];
                    yield (long) (h / s) * (w / s);
                }
                default -> {
                    long sum = 0;
                    for (int s : DetNet.STRIDES) sum += (long) (h / s) * (w / s);
                    yield sum;
                }
            };
            total += perPosition * positions;
        }
        return total;
    }

    @Test
    void configIsInferredFromStateDictShapes() {
        for (DetNetConfig c : List.of(DetNetConfig.defaults(), Fixtures.SMALL, new DetNetConfig(1, 2, 3, 0),
                new DetNetConfig(7, 4, 8, 3))) {
            assertEquals(c, DetNetConfig.inferFrom(new DetNet(c).stateDict()));
        }
        assertEquals(Fixtures.SMALL, DetNetConfig.inferFrom(Fixtures.read(Fixtures.SMALL_WEIGHTS)));
        var e = assertThrows(IllegalArgumentException.class, () -> DetNetConfig.inferFrom(Map.of()));
        assertTrue(e.getMessage().contains("cls_out.weight"), e.getMessage());
    }

    @Test
    void configRejectsNonPositiveSizes() {
        assertEquals(new DetNetConfig(20, 16, 64, 2), DetNetConfig.defaults());
        assertThrows(IllegalArgumentException.class, () -> new DetNetConfig(0, 16, 64, 2));
        assertThrows(IllegalArgumentException.class, () -> new DetNetConfig(20, 0, 64, 2));
        assertThrows(IllegalArgumentException.class, () -> new DetNetConfig(20, 16, 0, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> new DetNetConfig(20, 16, 64, -1));
        assertTrue(e.getMessage().contains("depth"), e.getMessage());
    }

    private static DetNet loadSmall() {
        DetNet model = new DetNet(Fixtures.SMALL);
        model.loadStateDict(Fixtures.read(Fixtures.SMALL_WEIGHTS), true);
        return model;
    }

    private static void assertShape(Map<String, Tensor> sd, String name, int... shape) {
        assertNotNull(sd.get(name), "missing " + name);
        assertArrayEquals(shape, sd.get(name).shape(), name);
    }
}
