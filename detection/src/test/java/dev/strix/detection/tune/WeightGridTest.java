package dev.strix.detection.tune;

import dev.strix.detection.mtl.StrategyFactory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing of {@code --grid}. */
class WeightGridTest {
    @Test
    void weightedGridIsTheProductWithTheFirstKeySlowest() {
        WeightGrid g = WeightGrid.parse("weighted", " cls=0.5,1,2 ; box=1,5 ");
        assertEquals(List.of("cls", "box"), g.keys());
        assertEquals(6, g.points().size());
        double[][] expected = {{0.5, 1}, {0.5, 5}, {1, 1}, {1, 5}, {2, 1}, {2, 5}};
        for (int i = 0; i < expected.length; i++)
            assertEquals(Map.of("cls", expected[i][0], "box", expected[i][1]), g.points().get(i), "point " + i);
        Map<String, Double> p = g.points().get(1);
        assertEquals("cls=0.5,box=5", WeightGrid.label(p, "="));
        assertEquals("cls0.5_box5", WeightGrid.folderName(p));
        Map<String, Object> options = g.strategyOptions(p, Map.of());
        assertEquals(Map.of("weights", "cls=0.5,box=5"), options);
        // the strategy accepts the options and ctr keeps weight 1
        var s = StrategyFactory.create("weighted", options);
        assertEquals(Map.of("cls", 0.5, "box", 5.0, "ctr", 1.0), s.weights());
    }

    @Test
    void coupledGridSetsTheCouplingWeight() {
        WeightGrid g = WeightGrid.parse("COUPLED", "box=0.5,1,2,5");
        assertEquals(4, g.points().size());
        Map<String, Object> options = g.strategyOptions(g.points().get(3), Map.of("ctr_weight", 0.5));
        assertEquals(Map.of("box_weight", 5.0, "ctr_weight", 0.5), options);
        assertEquals(Map.of("cls", 1.0, "box", 5.0, "ctr", 0.5), StrategyFactory.create("coupled", options).weights());
        assertEquals(2, WeightGrid.parse("coupled", "box=1;ctr=0,1;").points().size(), "a trailing ';' is allowed");
    }

    private static void assertBad(String strategy, String grid, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightGrid.parse(strategy, grid));
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
    }

    @Test
    void badGridsNameTheProblem() {
        assertBad("weighted", "", "empty");
        assertBad("weighted", "cls", "entry 1 'cls'", "no '='");
        assertBad("weighted", "cls=1;;box=2", "entry 2", "empty");
        assertBad("weighted", "cls=1;obj=2", "entry 2", "unknown key 'obj'", "cls, box, ctr");
        assertBad("coupled", "cls=1,2", "unknown key 'cls'", "coupling weight");
        assertBad("weighted", "cls=1;cls=2", "given twice");
        assertBad("weighted", "cls=1,x", "'x' is not a number");
        assertBad("weighted", "cls=1,,2", "value 2 of 'cls' is empty");
        assertBad("weighted", "cls=", "value 1 of 'cls' is empty");
        assertBad("weighted", "box=-1", "must be finite and >= 0");
        assertBad("weighted", "box=NaN", "must be finite and >= 0");
        assertBad("weighted", "box=1,2,1", "repeated");
        assertBad("uncertainty", "box=1", "weighted or coupled");
        StringBuilder many = new StringBuilder();
        for (String k : List.of("cls", "box", "ctr")) {
            if (!many.isEmpty()) many.append(';');
            many.append(k).append('=');
            for (int i = 0; i < 11; i++) many.append(i == 0 ? "" : ",").append(i);
        }
        assertBad("weighted", many.toString(), "1331 points");
    }
}
