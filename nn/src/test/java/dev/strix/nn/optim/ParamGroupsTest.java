package dev.strix.nn.optim;

import dev.strix.nn.Tensor;
import dev.strix.nn.layers.BatchNorm2d;
import dev.strix.nn.layers.Conv2d;
import dev.strix.nn.layers.Sequential;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParamGroupsTest {
    @Test
    void splitsMatricesAndKernelsFromOneDimensionalParameters() {
        TinyNet net = new TinyNet(1);
        List<ParamGroup> groups = ParamGroups.decayAndNoDecay(net, 5e-4);
        assertEquals(2, groups.size());
        List<Tensor> decay = groups.get(0).params(), noDecay = groups.get(1).params();
        assertEquals(2, decay.size());
        assertSame(net.p("conv_weight"), decay.get(0));
        assertSame(net.p("head_weight"), decay.get(1));
        assertEquals(3, noDecay.size());
        assertSame(net.p("conv_bias"), noDecay.get(0));
        assertSame(net.norm.t("weight"), noDecay.get(1));
        assertSame(net.norm.t("bias"), noDecay.get(2));
        assertEquals(5e-4, groups.get(0).weightDecay());
        assertEquals(0.0, groups.get(1).weightDecay());
        assertFalse(groups.get(0).has(ParamGroup.LR), "the learning rate is left to the optimizer");
        assertThrows(IllegalArgumentException.class, () -> ParamGroups.decayAndNoDecay(net, -1));
    }

    @Test
    void optimizerKeepsTheGroupDecay() {
        TinyNet net = new TinyNet(2);
        Sgd opt = new Sgd(ParamGroups.decayAndNoDecay(net, 0.1), 1.0, 0, 0, 0.7, false);
        assertEquals(0.1, opt.groups().get(0).weightDecay(), "group options override the defaults");
        assertEquals(0.0, opt.groups().get(1).weightDecay());
        assertEquals(1.0, opt.groups().get(1).lr());
        // zero gradients: the only change is weight decay, p -= lr * wd * p, on the first group alone
        for (Tensor p : net.parameters()) p.setGrad(p.zerosLike());
        float[] w = net.p("conv_weight").toArray(), b = net.p("conv_bias").toArray();
        opt.step();
        float[] w2 = net.p("conv_weight").toArray(), b2 = net.p("conv_bias").toArray();
        for (int i = 0; i < w.length; i++) assertEquals(w[i] * 0.9f, w2[i], 1e-6f * Math.abs(w[i]) + 1e-7f, "weight[" + i + "]");
        for (int i = 0; i < b.length; i++) assertEquals(b[i], b2[i], 0f, "bias[" + i + "] must not decay");
    }

    @Test
    void splitsAConvBatchNormStack() {
        Sequential net = new Sequential(new Conv2d(3, 8, 3, 1, 1, true), new BatchNorm2d(8), new Conv2d(8, 4, 1, 1, 0, false));
        List<ParamGroup> groups = ParamGroups.decayAndNoDecay(net, 1e-4);
        Conv2d first = net.get(0), last = net.get(2);
        BatchNorm2d bn = net.get(1);
        assertEquals(List.of(first.weight(), last.weight()), groups.get(0).params());
        assertEquals(List.of(first.bias(), bn.weight(), bn.bias()), groups.get(1).params());
        assertEquals(net.parameters().size(), groups.get(0).params().size() + groups.get(1).params().size());
    }
}
