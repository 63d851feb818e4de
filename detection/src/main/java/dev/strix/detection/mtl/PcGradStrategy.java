package dev.strix.detection.mtl;

import dev.strix.nn.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PCGrad, projecting conflicting gradients (Yu, Kumar, Gupta, Levine, Hausman, Finn, "Gradient Surgery for
 * Multi-Task Learning", NeurIPS 2020, Algorithm 1). With {@code g_t = dL_t/dθ_shared} each task's gradient on the
 * shared trunk:
 * <pre>
 *   for each task i:
 *     g_i^PC = g_i
 *     for each other task j, in a random order:
 *       if g_i^PC . g_j &lt; 0:   g_i^PC = g_i^PC - (g_i^PC . g_j / ||g_j||^2) g_j
 *   shared gradient = sum_i g_i^PC
 * </pre>
 * so that a task's gradient loses the component that points against another task's (it is projected onto the
 * normal plane of g_j); non-conflicting gradients pass unchanged. Parameters outside the shared trunk receive the
 * plain sum of the task gradients, which for a task's own head is that task's gradient alone. The random orders
 * come from a SplitMix64 generator seeded by option {@code seed} (default 0), whose state is part of the state dict,
 * so runs are deterministic and resumable.
 *
 * <p>Cost: one backward pass per task (the graph retained for all but the last), T gradient copies of the
 * trainable parameters. Because the per-task shared-trunk gradients are computed anyway, every step reports their
 * norms and cosines (before projection) whether or not gradient measurement is on. Requires a shared trunk.
 */
public final class PcGradStrategy extends AbstractStrategy {
    private long rngState;
    private int[][] lastOrders = new int[0][];
    private List<List<Tensor>> lastProjected = List.of();

    public PcGradStrategy(List<String> tasks, long seed, boolean measure) {
        super("pcgrad", tasks, measure);
        rngState = seed;
    }

    @Override
    public StepResult backward(Map<String, Tensor> taskLosses, SharedParameters shared, List<Tensor> allTrainable) {
        List<Tensor> losses = lossesInOrder(taskLosses);
        if (shared.shared().isEmpty())
            throw new IllegalStateException("strategy 'pcgrad' projects task gradients on a shared trunk, but the model "
                    + "shares no parameters; with one trunk per task use 'independent'");
        Map<Tensor, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < allTrainable.size(); i++) index.put(allTrainable.get(i), i);
        boolean[] isShared = new boolean[allTrainable.size()];
        int[] sharedIndex = new int[shared.shared().size()];
        for (int k = 0; k < sharedIndex.length; k++) {
            Integer i = index.get(shared.shared().get(k));
            if (i == null)
                throw new IllegalArgumentException("pcgrad: shared parameter " + shared.shared().get(k)
                        + " is not among the trainable parameters");
            sharedIndex[k] = i;
            isShared[i] = true;
        }
        double[] values = values(losses);
        int n = losses.size();
        int last = -1;
        for (int t = 0; t < n; t++) if (losses.get(t).requiresGrad()) last = t;
        List<List<Tensor>> grads = new ArrayList<>(n);
        List<List<Tensor>> sharedGrads = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            List<Tensor> g = Gradients.of(losses.get(t), allTrainable, t < last);
            grads.add(g);
            List<Tensor> sg = new ArrayList<>(sharedIndex.length);
            for (int i : sharedIndex) sg.add(g.get(i));
            sharedGrads.add(sg);
        }
        SharedGradientStats stats = SharedGradientStats.of(sharedGrads);

        List<Tensor> projectedSum = null;
        List<List<Tensor>> projected = new ArrayList<>(n);
        lastOrders = new int[n][];
        for (int i = 0; i < n; i++) {
            List<Tensor> p = Gradients.copy(sharedGrads.get(i));
            int[] order = shuffledOthers(n, i);
            lastOrders[i] = order;
            for (int j : order) {
                double normSq = stats.norms()[j] * stats.norms()[j];
                if (normSq == 0) continue;
                double d = Gradients.dot(p, sharedGrads.get(j));
                if (d < 0) Gradients.axpy(p, -d / normSq, sharedGrads.get(j));
            }
            projected.add(p);
            if (projectedSum == null) projectedSum = Gradients.copy(p);
            else Gradients.axpy(projectedSum, 1.0, p);
        }
        lastProjected = projected;
        for (int k = 0; k < sharedIndex.length; k++)
            Gradients.accumulate(allTrainable.get(sharedIndex[k]), projectedSum.get(k));
        for (int i = 0; i < allTrainable.size(); i++) {
            if (isShared[i]) continue;
            Tensor param = allTrainable.get(i);
            // the returned gradients may alias tensors inside the graph: add them, never write into them
            for (int t = 0; t < n; t++) Gradients.accumulate(param, grads.get(t).get(i));
        }
        double[] ones = new double[n];
        Arrays.fill(ones, 1.0);
        double total = 0;
        for (double v : values) total += v;
        return result(total, values, ones, stats);
    }

    /** The tasks other than {@code self} in a random order (Fisher-Yates over SplitMix64). */
    private int[] shuffledOthers(int n, int self) {
        int[] o = new int[n - 1];
        for (int j = 0, k = 0; j < n; j++) if (j != self) o[k++] = j;
        for (int k = o.length - 1; k > 0; k--) {
            int r = (int) Long.remainderUnsigned(nextLong(), k + 1);
            int tmp = o[k];
            o[k] = o[r];
            o[r] = tmp;
        }
        return o;
    }

    private long nextLong() {
        long z = (rngState += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The orders of the other tasks used for each task in the last step (row i: the j's, in projection order). */
    int[][] lastOrders() {
        int[][] c = new int[lastOrders.length][];
        for (int i = 0; i < c.length; i++) c[i] = lastOrders[i].clone();
        return c;
    }

    /** The projected shared-trunk gradients g_i^PC of the last step, per task (shared-parameter layout). */
    List<List<Tensor>> lastProjected() {
        return lastProjected;
    }

    @Override
    public Map<String, Double> weights() {
        double[] ones = new double[tasks().size()];
        Arrays.fill(ones, 1.0);
        return weightMap(ones);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("rng_state", StrategyState.scalarLong(rngState));
        return m;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        StrategyState.requireKeys(name(), state, List.of("rng_state"));
        rngState = StrategyState.longOf(state, "rng_state");
    }
}
