package dev.strix.benchmarks;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every CPU benchmark's setup (which checks the timed variant against its reference) for every combination
 * of its {@code @Param} values, so a kernel that disagrees with its reference fails the build and not only a JMH run.
 */
class BenchmarkSetupTest {

    @Test
    void activationSetupsAgreeWithTheReference() throws Exception {
        assertEquals(4, runAllCombinations(ActivationBench.Data.class));
    }

    @Test
    void elementwiseSetupsAgreeWithTheReference() throws Exception {
        assertEquals(4, runAllCombinations(ElementwiseBench.Data.class));
    }

    @Test
    void batchNormSetupsAgreeWithTheReference() throws Exception {
        assertEquals(8, runAllCombinations(BatchNormBench.Layer.class));
    }

    @Test
    void convolutionSetupsAgreeWithTheReference() throws Exception {
        try {
            assertEquals(24, runAllCombinations(ConvBench.Layer.class));
        } finally {
            dev.strix.kernels.Conv2d.useWinograd(true);
        }
    }

    @Test
    void lossSetupAgreesWithTheDoubleFormulas() throws Exception {
        assertEquals(1, runAllCombinations(LossBench.Data.class));
    }

    @Test
    void reductionSetupsAgreeWithTheReference() throws Exception {
        assertEquals(4, runAllCombinations(ReductionBench.Data.class));
    }

    @Test
    void optimizerSetupsAgreeWithTheReference() throws Exception {
        assertEquals(2, runAllCombinations(OptimizerBench.Data.class));
    }

    @Test
    void agreementNamesTheFirstMismatchAndTheLargestDifference() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Agreement.check("k",
                new float[] {1f, 2.5f, 3f, 9f}, new float[] {1f, 2f, 3f, 4f}, 1e-3, 0));
        assertTrue(e.getMessage().startsWith("k: [1] = 2.5, expected 2.0"), e.getMessage());
        assertTrue(e.getMessage().contains("largest difference 5.0 at [3]"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Agreement.check("nan", new float[] {Float.NaN},
                new float[] {0f}, 1, 1));
        assertDoesNotThrow(() -> Agreement.check("ok", new float[] {1.0005f}, new float[] {1f}, 1e-3, 0));
    }

    /** Instantiates the state for every combination of its parameters and calls setup; returns how many ran. */
    static int runAllCombinations(Class<?> state) throws Exception {
        List<Field> params = new ArrayList<>();
        for (Field f : state.getFields()) if (f.isAnnotationPresent(Param.class)) params.add(f);
        assertTrue(!params.isEmpty(), state + " has no @Param fields");
        return run(state, params, new ArrayList<>());
    }

    private static int run(Class<?> state, List<Field> params, List<String> chosen) throws Exception {
        if (chosen.size() == params.size()) {
            Object s = state.getDeclaredConstructor().newInstance();
            for (int i = 0; i < params.size(); i++) {
                Field f = params.get(i);
                String v = chosen.get(i);
                if (f.getType() == int.class) f.setInt(s, Integer.parseInt(v));
                else if (f.getType() == boolean.class) f.setBoolean(s, Boolean.parseBoolean(v));
                else f.set(s, v);
            }
            Method setup = state.getMethod("setup");
            try {
                setup.invoke(s);
            } catch (java.lang.reflect.InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause == null) throw e;
                // the setup's own failure (a kernel that disagrees with its reference), message and cause kept
                throw new IllegalStateException(cause.getMessage(), cause);
            }
            return 1;
        }
        int count = 0;
        for (String v : params.get(chosen.size()).getAnnotation(Param.class).value()) {
            chosen.add(v);
            count += run(state, params, chosen);
            chosen.removeLast();
        }
        return count;
    }
}
