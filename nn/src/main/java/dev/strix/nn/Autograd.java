package dev.strix.nn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode automatic differentiation over the graph that ops record as they run (define by run).
 *
 * <p>{@link #grad} returns gradients of any scalar with respect to any tensors, leaves or intermediate
 * results, without touching {@code .grad} fields: per-task gradients on a shared trunk (GradNorm, PCGrad) use
 * it. {@link #backward} accumulates into the {@code .grad} of leaves, as PyTorch does.
 * Recording is off inside {@link #noGrad()}.
 */
public final class Autograd {
    private static final ThreadLocal<int[]> DISABLED = ThreadLocal.withInitial(() -> new int[1]);

    /** The profile row of the additions where a tensor feeds several ops and its gradients are summed. */
    public static final String GRADIENT_SUM = "(gradient sums)";

    private Autograd() {}

    /** A scope in which ops record no history: {@code try (var g = Autograd.noGrad()) { ... }}. */
    public static AutoCloseable0 noGrad() {
        int[] depth = DISABLED.get();
        depth[0]++;
        return () -> depth[0]--;
    }

    /** An {@link AutoCloseable} whose close throws nothing. */
    public interface AutoCloseable0 extends AutoCloseable {
        @Override
        void close();
    }

    /** True when ops should record history on this thread. */
    public static boolean isEnabled() {
        return DISABLED.get()[0] == 0;
    }

    /**
     * Records that {@code output} was computed from {@code inputs} when recording is on and any input needs a
     * gradient. Returns {@code output}.
     */
    public static Tensor record(Tensor output, String name, Node.Backward backward, Tensor... inputs) {
        OpProfiler.forward(name);
        if (!isEnabled()) return output;
        boolean any = false;
        for (Tensor t : inputs) any |= t != null && t.requiresGrad();
        if (!any) return output;
        output.setGradFn(new Node(name, inputs.clone(), backward));
        return output;
    }

    /** Accumulates d(root)/d(leaf) into every reachable leaf's {@code grad}. */
    public static void backward(Tensor root, Tensor rootGrad, boolean retainGraph) {
        if (!root.requiresGrad())
            throw new IllegalStateException("backward() on a tensor that does not require grad: no input of the "
                    + "computation that made it requires grad (or it was computed under noGrad)");
        Map<Tensor, Tensor> grads = run(root, rootGrad, retainGraph, null);
        for (Map.Entry<Tensor, Tensor> e : grads.entrySet()) {
            Tensor t = e.getKey();
            if (!t.isLeaf()) continue;
            Tensor g = e.getValue();
            if (t.grad() == null) {
                Tensor own = g.zerosLike(); // the gradient may be shared with other nodes: keep a private copy
                t.device().copy(own, g);
                t.setGrad(own);
            }
            else t.device().axpy(t.grad(), 1f, g);
        }
    }

    /**
     * Gradients of the one-element tensor {@code root} with respect to each of {@code wrt} (zeros where a
     * tensor does not influence root). Leaves' {@code grad} fields are left alone.
     */
    public static List<Tensor> grad(Tensor root, List<Tensor> wrt, boolean retainGraph) {
        if (!root.requiresGrad())
            throw new IllegalStateException("grad() of a tensor that does not require grad");
        Set<Tensor> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
        wanted.addAll(wrt);
        Map<Tensor, Tensor> grads = run(root, null, retainGraph, wanted);
        List<Tensor> out = new ArrayList<>(wrt.size());
        for (Tensor t : wrt) {
            Tensor g = grads.get(t);
            out.add(g != null ? g : t.zerosLike());
        }
        return out;
    }

    private static Map<Tensor, Tensor> run(Tensor root, Tensor rootGrad, boolean retainGraph, Set<Tensor> wanted) {
        if (rootGrad == null) {
            if (root.numel() != 1)
                throw new IllegalArgumentException("backward from a non-scalar of shape "
                        + Arrays.toString(root.shape()) + " needs an explicit output gradient");
            rootGrad = Tensor.full(root.device(), 1f, root.shape());
        }
        Tensor[] order = topologicalOrder(root).toArray(new Tensor[0]);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, rootGrad);
        Map<Tensor, Tensor> result = new IdentityHashMap<>();
        try (var ignored = noGrad()) {
            for (int k = 0; k < order.length; k++) { // root first, inputs after everything that consumes them
                Tensor t = order[k];
                // Without retainGraph, a processed tensor is reachable from nothing here any more (its consumers
                // were released before it), so the collector can take its storage during the rest of the pass.
                if (!retainGraph) order[k] = null;
                Tensor g = grads.remove(t);
                if (g == null) continue;
                if (t.isLeaf() || (wanted != null && wanted.contains(t))) result.put(t, g);
                Node node = t.gradFn();
                if (node == null) continue;
                Tensor[] in = node.inputs();
                long t0 = OpProfiler.enabled() ? System.nanoTime() : 0L;
                Tensor[] gin = node.apply(g);
                if (t0 != 0L) OpProfiler.backward(node.name(), System.nanoTime() - t0);
                if (!retainGraph) node.release();
                for (int i = 0; i < in.length; i++) {
                    Tensor x = in[i];
                    if (x == null || !x.requiresGrad() || gin[i] == null) continue;
                    if (!Arrays.equals(gin[i].shape(), x.shape()))
                        throw new IllegalStateException("backward of '" + node.name() + "' produced a gradient of shape "
                                + Arrays.toString(gin[i].shape()) + " for input " + i + " of shape "
                                + Arrays.toString(x.shape()));
                    Tensor prev = grads.get(x);
                    if (prev == null) grads.put(x, gin[i]);
                    else {
                        long s0 = OpProfiler.enabled() ? System.nanoTime() : 0L;
                        // same shapes: the sum writes every element, so its output needs no zero fill
                        Tensor sum = prev.emptyLike();
                        x.device().binary(dev.strix.kernels.Elementwise.Binary.ADD, sum, prev, gin[i]);
                        grads.put(x, sum);
                        if (s0 != 0L) OpProfiler.backward(GRADIENT_SUM, System.nanoTime() - s0);
                    }
                }
            }
        }
        return result;
    }

    /** Tensors reachable from root, each placed before all of its inputs (iterative DFS, no recursion limit). */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> post = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Tensor[] in = t.gradFn() == null ? new Tensor[0] : t.gradFn().inputs();
            if (next < in.length) {
                top[1] = next + 1;
                Tensor x = in[next];
                if (x != null && x.requiresGrad() && seen.add(x)) stack.push(new Object[] {x, 0});
            } else {
                stack.pop();
                post.add(t);
            }
        }
        Collections.reverse(post);
        return post;
    }
}
