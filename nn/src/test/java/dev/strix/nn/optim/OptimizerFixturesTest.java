package dev.strix.nn.optim;

import dev.strix.nn.Tensor;
import dev.strix.nn.io.SafeTensors;
import dev.strix.nn.io.TensorData;
import dev.strix.nn.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static dev.strix.nn.testing.Assertions.assertClose;

/**
 * Optimizers, learning-rate schedules and gradient clipping against the PyTorch fixtures of make_fixtures.py
 * (group "optim").
 */
class OptimizerFixturesTest {
    /**
     * Parameters are N(0,1) floats (|p| < 4, ulp <= 4.8e-7); each of the three updates may round differently
     * from PyTorch's unfused float32 single-tensor path by about one ulp (fused multiply-adds, another order of
     * the Adam denominator), so up to ~1.5e-6 in the worst case.
     */
    private static final double PARAM_ATOL = 2e-6, PARAM_RTOL = 1e-6;

    /** Builds the optimizer that the fixture's metadata describes over the single parameter {@code p}. */
    private static Optimizer optimizerFor(Fixtures.Fixture fx, Tensor p) {
        List<ParamGroup> groups = ParamGroup.single(List.of(p));
        double lr = Double.parseDouble(fx.meta("lr")), wd = Double.parseDouble(fx.meta("weight_decay"));
        return switch (fx.meta("op")) {
            case "SGD" -> new Sgd(groups, lr, Double.parseDouble(fx.meta("momentum")),
                    Double.parseDouble(fx.meta("dampening")), wd, fx.metaBool("nesterov"));
            case "Adam", "AdamW" -> {
                if (fx.metaBool("amsgrad")) throw new AssertionError(fx.name() + ": amsgrad is not supported");
                String[] betas = fx.meta("betas").split(",");
                double b1 = Double.parseDouble(betas[0]), b2 = Double.parseDouble(betas[1]);
                double eps = Double.parseDouble(fx.meta("eps"));
                yield fx.meta("op").equals("Adam") ? new Adam(groups, lr, b1, b2, eps, wd) : new AdamW(groups, lr, b1, b2, eps, wd);
            }
            default -> throw new AssertionError(fx.name() + ": unknown optimizer " + fx.meta("op"));
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd_plain", "sgd_momentum", "sgd_nesterov", "adam", "adam_wd", "adamw"})
    void optimizerStepsMatchPyTorch(String name) {
        Fixtures.Fixture fx = Fixtures.load("optim/" + name);
        Tensor p = fx.tensor("param").requiresGrad(true);
        Optimizer opt = optimizerFor(fx, p);
        int steps = fx.metaInt("steps");
        for (int i = 0; i < steps; i++) {
            p.setGrad(fx.tensor("grad." + i));
            opt.step();
            assertClose(name + " param after step " + i, fx.tensor("param.after." + i), p, PARAM_ATOL, PARAM_RTOL);
        }
    }

    /** The learning rates of a fixture, read in double precision (the shared loader rounds F64 to float). */
    private static double[] lrs(String name) throws Exception {
        TensorData t = SafeTensors.read(Fixtures.path("optim/" + name)).get("lr");
        ByteBuffer b = t.data();
        double[] out = new double[Math.toIntExact(t.numel())];
        for (int i = 0; i < out.length; i++) out[i] = b.getDouble(8 * i);
        return out;
    }

    /** The learning rate an SGD optimizer with base lr {@code base} uses at each step under {@code schedule}. */
    private static double[] scheduled(LrSchedule schedule, double base, int steps) {
        Tensor p = Tensor.zeros(dev.strix.nn.CpuDevice.INSTANCE, 1).requiresGrad(true);
        Sgd opt = new Sgd(ParamGroup.single(List.of(p)), base);
        Scheduler sched = new Scheduler(opt, schedule);
        double[] out = new double[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = opt.lr();
            opt.step();
            sched.step();
        }
        return out;
    }

    // PyTorch updates StepLR, MultiStepLR and LinearLR recursively (lr *= ratio) while these are closed forms;
    // the fixture's own metadata puts that difference at 1.7e-18 for the warm-up/cosine case.
    private static final double LR_ATOL = 1e-15, LR_RTOL = 1e-12;

    @Test
    void warmupCosineMatchesSequentialLr() throws Exception {
        Fixtures.Fixture fx = Fixtures.load("optim/lr_warmup_cosine");
        double base = Double.parseDouble(fx.meta("base_lr"));
        int steps = fx.metaInt("steps"), warm = fx.metaInt("linear_total_iters"), tMax = fx.metaInt("cosine_T_max");
        double start = Double.parseDouble(fx.meta("linear_start_factor"));
        double[] expected = lrs("lr_warmup_cosine");
        Sequence seq = new Sequence(List.of(new LinearWarmup(start, warm), new Cosine(tMax, 0.0)),
                new int[] {fx.metaInt("milestones")});
        assertClose("SequentialLR(LinearLR, CosineAnnealingLR) as Sequence", expected, scheduled(seq, base, steps),
                LR_ATOL, LR_RTOL);
        assertClose("SequentialLR(LinearLR, CosineAnnealingLR) as WarmupCosine", expected,
                scheduled(new WarmupCosine(warm, warm + tMax, start, 0.0), base, steps), LR_ATOL, LR_RTOL);
    }

    @Test
    void stepDecayMatchesStepLr() throws Exception {
        Fixtures.Fixture fx = Fixtures.load("optim/lr_step");
        double[] got = scheduled(new StepDecay(fx.metaInt("step_size"), Double.parseDouble(fx.meta("gamma"))),
                Double.parseDouble(fx.meta("base_lr")), fx.metaInt("steps"));
        assertClose("StepLR", lrs("lr_step"), got, LR_ATOL, LR_RTOL);
    }

    @Test
    void multiStepMatchesMultiStepLr() throws Exception {
        Fixtures.Fixture fx = Fixtures.load("optim/lr_multistep");
        String[] ms = fx.meta("milestones").split(",");
        int[] milestones = new int[ms.length];
        for (int i = 0; i < ms.length; i++) milestones[i] = Integer.parseInt(ms[i].trim());
        double[] got = scheduled(new MultiStep(milestones, Double.parseDouble(fx.meta("gamma"))),
                Double.parseDouble(fx.meta("base_lr")), fx.metaInt("steps"));
        assertClose("MultiStepLR", lrs("lr_multistep"), got, LR_ATOL, LR_RTOL);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"clip_grad_norm", "clip_grad_norm_noclip"})
    void clipGradNormMatchesPyTorch(String name) {
        Fixtures.Fixture fx = Fixtures.load("optim/" + name);
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; fx.has("grad." + i); i++) {
            Tensor g = fx.tensor("grad." + i);
            Tensor p = Tensor.zeros(dev.strix.nn.CpuDevice.INSTANCE, g.shape()).requiresGrad(true);
            p.setGrad(g);
            params.add(p);
        }
        double total = GradClip.clipGradNorm(params, Double.parseDouble(fx.meta("max_norm")));
        // PyTorch sums the per-tensor float32 norms in float32; the norm here accumulates in double: a few ulps
        assertClose(name + " total norm", fx.floats("total_norm")[0], total, 0, 1e-6);
        for (int i = 0; i < params.size(); i++)
            // the clip coefficient may differ from PyTorch's float32 one by an ulp, hence rtol 1e-6
            assertClose(name + " grad.after." + i, fx.tensor("grad.after." + i), params.get(i).grad(), 1e-7, 1e-6);
    }
}
