package dev.strix.detection.mtl;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StrategyFactoryTest {
    @Test
    void everyNameCreatesItsStrategy() {
        for (String name : StrategyFactory.NAMES) {
            MtlStrategy s = StrategyFactory.create(name.toUpperCase(), null);
            assertEquals(name, s.name());
            assertEquals(StrategyFactory.DEFAULT_TASKS, s.tasks());
            assertEquals(3, s.weights().size(), name);
            assertEquals(name.equals("uncertainty") ? 3 : 0, s.extraParameters().size(), name);
        }
    }

    @Test
    void unknownNameListsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrategyFactory.create("gradnrom"));
        for (String n : StrategyFactory.NAMES) assertTrue(e.getMessage().contains(n), e.getMessage());
        assertTrue(e.getMessage().contains("gradnrom"), e.getMessage());
    }

    @Test
    void unknownOptionListsTheAcceptedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StrategyFactory.create("gradnorm", Map.of("alfa", 1.0)));
        assertTrue(e.getMessage().contains("alfa") && e.getMessage().contains("alpha") && e.getMessage().contains("lr"),
                e.getMessage());
    }

    @Test
    void badValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> StrategyFactory.create("dwa", Map.of("temperature", "hot")));
        assertThrows(IllegalArgumentException.class, () -> StrategyFactory.create("dwa", Map.of("temperature", 0)));
        assertThrows(IllegalArgumentException.class, () -> StrategyFactory.create("weighted", Map.of("weights", "cls=-1")));
        assertThrows(IllegalArgumentException.class, () -> StrategyFactory.create("weighted", Map.of("weights", "seg=1")));
        assertThrows(IllegalArgumentException.class, () -> StrategyFactory.create("coupled", Map.of("tasks", "cls,ctr")));
        assertThrows(IllegalArgumentException.class, () -> StrategyFactory.create("pcgrad", Map.of("seed", 1.5)));
        assertThrows(IllegalArgumentException.class, () -> StrategyFactory.create("equal", Map.of("measure", "yes")));
    }

    @Test
    void optionsFromStrings() {
        MtlStrategy s = StrategyFactory.create("coupled", Map.of("box_weight", "2.5", "measure", "true", "tasks", "cls, box"));
        assertEquals(Map.of("cls", 1.0, "box", 2.5), s.weights());
        assertTrue(s.measuresGradients());
    }
}
