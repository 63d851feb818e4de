package dev.strix.detection.train;

import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.detection.model.LevelOutput;
import dev.strix.detection.mtl.SharedParameters;
import dev.strix.nn.Tensor;
import dev.strix.nn.init.Init;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two sharing modes: state-dict names, task split, and which network each output comes from. */
class MultiTaskDetNetTest {
    private static final DetNetConfig CONFIG = new DetNetConfig(3, 2, 4, 1);

    @Test
    void sharedModeHasDetNetsNamesAndSplitsThePrefixes() {
        MultiTaskDetNet m = new MultiTaskDetNet(CONFIG, SharingMode.SHARED);
        assertEquals(new ArrayList<>(new DetNet(CONFIG).stateDict().keySet()), new ArrayList<>(m.stateDict().keySet()));
        Map<String, Tensor> named = m.namedParameters();
        SharedParameters sp = m.sharedParameters();
        assertEquals(names(named, sp.lastSharedLayer()), List.of("smooth.0.weight", "smooth.0.bias", "smooth.1.weight",
                "smooth.1.bias", "smooth.2.weight", "smooth.2.bias"));
        for (String n : names(named, sp.shared()))
            assertTrue(n.matches("(stem|s[1-4]|lat|smooth)\\..*"), "shared: " + n);
        assertEquals(List.of("cls_tower.0.weight", "cls_tower.0.bias", "cls_out.weight", "cls_out.bias"),
                names(named, sp.parametersOf("cls")));
        assertEquals(List.of("box_tower.0.weight", "box_tower.0.bias", "box_out.weight", "box_out.bias"),
                names(named, sp.parametersOf("box")));
        assertEquals(List.of("box_tower.0.weight", "box_tower.0.bias", "ctr_out.weight", "ctr_out.bias"),
                names(named, sp.parametersOf("ctr")));
        int owned = sp.shared().size() + sp.parametersOf("cls").size() + sp.parametersOf("box").size() + 2;
        assertEquals(named.size(), owned, "every parameter is shared or belongs to a task (box tower counted once)");
        for (float b : named.get("box_out.bias").toArray()) assertEquals(MultiTaskDetNet.BOX_BIAS_INIT, b);
    }

    @Test
    void independentModeTakesEachOutputFromItsOwnNetwork() {
        Init.seed(5);
        MultiTaskDetNet m = new MultiTaskDetNet(CONFIG, SharingMode.INDEPENDENT);
        m.eval();
        Set<String> keys = m.stateDict().keySet();
        for (String task : MultiTaskDetNet.TASKS)
            for (String k : new DetNet(CONFIG).stateDict().keySet()) assertTrue(keys.contains(task + "." + k), task + "." + k);
        SharedParameters sp = m.sharedParameters();
        assertTrue(sp.isIndependent());
        for (String task : MultiTaskDetNet.TASKS) {
            Set<Tensor> own = Collections.newSetFromMap(new IdentityHashMap<>());
            own.addAll(sp.parametersOf(task));
            for (Tensor p : m.network(task).parameters()) assertTrue(own.contains(p), task);
            assertEquals(m.network(task).parameters().size(), own.size());
        }
        Tensor x = Tensor.of(new float[2 * 3 * 64 * 64], 2, 3, 64, 64);
        float[] px = x.toArray();
        for (int i = 0; i < px.length; i++) px[i] = (float) Math.sin(0.37 * i);
        x = Tensor.of(px, 2, 3, 64, 64);
        List<LevelOutput> out = m.forward(x);
        for (String task : MultiTaskDetNet.TASKS) {
            List<LevelOutput> own = m.network(task).forward(x);
            for (int k = 0; k < out.size(); k++) {
                Tensor a = task.equals("cls") ? out.get(k).cls() : task.equals("box") ? out.get(k).box() : out.get(k).ctr();
                Tensor b = task.equals("cls") ? own.get(k).cls() : task.equals("box") ? own.get(k).box() : own.get(k).ctr();
                assertArrayEquals(b.toArray(), a.toArray(), task + " level " + k);
            }
        }
        assertSame(m.network("cls"), m.network("cls"));
    }

    private static List<String> names(Map<String, Tensor> named, List<Tensor> params) {
        List<String> out = new ArrayList<>();
        for (Tensor p : params)
            for (Map.Entry<String, Tensor> e : named.entrySet()) if (e.getValue() == p) out.add(e.getKey());
        return out;
    }
}
