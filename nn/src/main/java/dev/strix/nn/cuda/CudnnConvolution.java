package dev.strix.nn.cuda;

import static dev.strix.nn.cuda.CudnnDescriptors.ONE;
import static dev.strix.nn.cuda.CudnnDescriptors.ZERO;
import static dev.strix.nn.cuda.CudnnDescriptors.ptr;

import dev.strix.cuda.CTypes;
import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.CudaException;
import dev.strix.cuda.Cudnn;
import dev.strix.kernels.ConvShape;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * Convolutions through cuDNN: forward, backward-data, backward-filter and backward-bias on NCHW float32.
 *
 * <p>Descriptors are built once per {@link ConvShape} (and precision mode) from {@link ConvDescriptors}. The
 * algorithm of each direction is chosen on first use and cached with them, like PyTorch's
 * {@code cudnn.benchmark = True}: cuDNN's heuristics ({@code cudnnGet*Algorithm_v7}) list the candidates,
 * then {@code cudnnFind*AlgorithmEx} times them on the real buffers (system property
 * {@code strix.cuda.convSearch=heuristic} skips the timing and takes the heuristics' first choice). Candidates
 * whose math type the precision mode forbids ({@link MathModes#acceptsAlgorithm}) or whose workspace exceeds
 * {@code strix.cuda.workspaceLimitMiB} (default 1024) are skipped. One workspace block serves every call and
 * grows when an algorithm needs more.
 */
final class CudnnConvolution {
    private static final int FORWARD = 0, BACKWARD_DATA = 1, BACKWARD_FILTER = 2;
    private static final String[] DIRECTION = {"forward", "backward data", "backward filter"};
    private static final int MAX_ALGOS = 16;
    private static final long WORKSPACE_LIMIT = Long.getLong("strix.cuda.workspaceLimitMiB", 1024L) << 20;
    private static final boolean TIMED_SEARCH = !"heuristic".equals(System.getProperty("strix.cuda.convSearch"));

    /** Cache key: the geometry and the precision mode the descriptors were built for. */
    private record Key(ConvShape shape, boolean strict) {}

    /** Descriptors of one shape and the algorithm chosen per direction. */
    private static final class Plan {
        final MemorySegment x, w, y, bias, conv;
        final int baseMath;
        final int[] algo = {-1, -1, -1};
        final int[] math = new int[3];
        final long[] workspace = new long[3];
        int currentMath;

        Plan(ConvDescriptors d, int baseMath) {
            x = CudnnDescriptors.tensor(d.input());
            w = CudnnDescriptors.filter(d.filter());
            y = CudnnDescriptors.tensor(d.output());
            bias = CudnnDescriptors.tensor(d.bias());
            conv = CudnnDescriptors.convolution(d.convolution(), d.groups(), baseMath);
            this.baseMath = baseMath;
            currentMath = baseMath;
        }
    }

    private final CudaContext context;
    private final CachingAllocator allocator;
    private final Map<Key, Plan> plans = new HashMap<>();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment perf = arena.allocate(Cudnn.CONVOLUTION_FWD_ALGO_PERF, MAX_ALGOS);
    private final MemorySegment count = arena.allocate(CTypes.C_INT);
    private final MemorySegment size = arena.allocate(CTypes.C_SIZE_T);
    private CachingAllocator.Block workspace;

    CudnnConvolution(CudaContext context, CachingAllocator allocator) {
        this.context = context;
        this.allocator = allocator;
    }

    /** y = conv(x, w) (+ bias when {@code bias != 0}); addresses of (N,C,H,W), (K,C/g,R,S), (K), (N,K,P,Q). */
    synchronized void forward(long y, long x, long w, long bias, ConvShape s) {
        Plan p = plan(s);
        if (p.algo[FORWARD] < 0) choose(p, s, FORWARD, x, w, y);
        long ws = prepare(p, FORWARD);
        MemorySegment h = context.cudnn();
        CudaCheck.cudnn("cudnnConvolutionForward", Cudnn.cudnnConvolutionForward(h, ONE, p.x, ptr(x), p.w, ptr(w),
                p.conv, p.algo[FORWARD], ptr(ws), p.workspace[FORWARD], ZERO, p.y, ptr(y)));
        if (bias != 0)
            CudaCheck.cudnn("cudnnAddTensor", Cudnn.cudnnAddTensor(h, ONE, p.bias, ptr(bias), ONE, p.y, ptr(y)));
    }

    /** dx (N,C,H,W) from dy (N,K,P,Q) and w. */
    synchronized void backwardData(long dx, long dy, long w, ConvShape s) {
        Plan p = plan(s);
        if (p.algo[BACKWARD_DATA] < 0) choose(p, s, BACKWARD_DATA, w, dy, dx);
        long ws = prepare(p, BACKWARD_DATA);
        CudaCheck.cudnn("cudnnConvolutionBackwardData", Cudnn.cudnnConvolutionBackwardData(context.cudnn(), ONE,
                p.w, ptr(w), p.y, ptr(dy), p.conv, p.algo[BACKWARD_DATA], ptr(ws), p.workspace[BACKWARD_DATA], ZERO,
                p.x, ptr(dx)));
    }

    /** dw (K,C/g,R,S) from dy (N,K,P,Q) and x (N,C,H,W). */
    synchronized void backwardFilter(long dw, long dy, long x, ConvShape s) {
        Plan p = plan(s);
        if (p.algo[BACKWARD_FILTER] < 0) choose(p, s, BACKWARD_FILTER, x, dy, dw);
        long ws = prepare(p, BACKWARD_FILTER);
        CudaCheck.cudnn("cudnnConvolutionBackwardFilter", Cudnn.cudnnConvolutionBackwardFilter(context.cudnn(), ONE,
                p.x, ptr(x), p.y, ptr(dy), p.conv, p.algo[BACKWARD_FILTER], ptr(ws), p.workspace[BACKWARD_FILTER],
                ZERO, p.w, ptr(dw)));
    }

    /** db (K) = dy (N,K,P,Q) summed over N, P, Q. */
    synchronized void backwardBias(long db, long dy, ConvShape s) {
        Plan p = plan(s);
        CudaCheck.cudnn("cudnnConvolutionBackwardBias", Cudnn.cudnnConvolutionBackwardBias(context.cudnn(), ONE, p.y,
                ptr(dy), ZERO, p.bias, ptr(db)));
    }

    /** Number of shapes with cached descriptors (for tests and diagnostics). */
    synchronized int cachedShapes() {
        return plans.size();
    }

    private Plan plan(ConvShape s) {
        boolean strict = context.strictFp32();
        return plans.computeIfAbsent(new Key(s, strict),
                k -> new Plan(ConvDescriptors.plan(s), MathModes.convolutionMathType(strict)));
    }

    /** Sets the direction's math type on the shared descriptor and returns a workspace address (0 when none). */
    private long prepare(Plan p, int dir) {
        setMath(p, p.math[dir]);
        long need = p.workspace[dir];
        if (need == 0) return 0;
        return ensureWorkspace(need).address();
    }

    private void setMath(Plan p, int math) {
        if (p.currentMath == math) return;
        CudaCheck.cudnn("cudnnSetConvolutionMathType", Cudnn.cudnnSetConvolutionMathType(p.conv, math));
        p.currentMath = math;
    }

    private CachingAllocator.Block ensureWorkspace(long bytes) {
        if (workspace == null || workspace.bytes() < bytes) {
            if (workspace != null) allocator.free(workspace);
            workspace = null;
            workspace = allocator.allocate(bytes);
        }
        return workspace;
    }

    /** Picks and records the algorithm, math type and workspace of one direction; a, b, c as the Find call takes them. */
    private void choose(Plan p, ConvShape s, int dir, long a, long b, long c) {
        boolean strict = context.strictFp32();
        setMath(p, p.baseMath);
        int n = heuristics(p, dir);
        long searchBytes = 0;
        for (int i = 0; i < n; i++) {
            long mem = memory(i);
            if (accepted(i, strict) && mem <= WORKSPACE_LIMIT) searchBytes = Math.max(searchBytes, mem);
        }
        if (TIMED_SEARCH) {
            try {
                n = find(p, dir, a, b, c, searchBytes);
            } catch (CudaException e) {
                setMath(p, p.baseMath);
                n = heuristics(p, dir); // the timed search is an optimisation; heuristics always answer
            }
        }
        for (int i = 0; i < n; i++) {
            long base = i * Cudnn.CONVOLUTION_FWD_ALGO_PERF.byteSize();
            if (!accepted(i, strict) || memory(i) > WORKSPACE_LIMIT) continue;
            int algo = perf.get(CTypes.C_INT, base + Cudnn.ALGO_PERF_ALGO_OFFSET);
            int math = strict ? p.baseMath : perf.get(CTypes.C_INT, base + Cudnn.ALGO_PERF_MATH_TYPE_OFFSET);
            setMath(p, math);
            long bytes = workspaceSize(p, dir, algo);
            if (bytes > WORKSPACE_LIMIT) continue;
            p.algo[dir] = algo;
            p.math[dir] = math;
            p.workspace[dir] = bytes;
            return;
        }
        throw new IllegalStateException("cuDNN offers no usable convolution " + DIRECTION[dir] + " algorithm for "
                + s + " within a workspace of " + CachingAllocator.formatBytes(WORKSPACE_LIMIT)
                + (strict ? " in strict FP32 mode" : "") + " (" + n + " candidates)");
    }

    private long memory(int i) {
        return perf.get(CTypes.C_SIZE_T, i * Cudnn.CONVOLUTION_FWD_ALGO_PERF.byteSize() + Cudnn.ALGO_PERF_MEMORY_OFFSET);
    }

    private boolean accepted(int i, boolean strict) {
        long base = i * Cudnn.CONVOLUTION_FWD_ALGO_PERF.byteSize();
        return perf.get(CTypes.C_INT, base + Cudnn.ALGO_PERF_STATUS_OFFSET) == Cudnn.CUDNN_STATUS_SUCCESS
                && MathModes.acceptsAlgorithm(perf.get(CTypes.C_INT, base + Cudnn.ALGO_PERF_MATH_TYPE_OFFSET), strict);
    }

    private int heuristics(Plan p, int dir) {
        MemorySegment h = context.cudnn();
        switch (dir) {
            case FORWARD -> CudaCheck.cudnn("cudnnGetConvolutionForwardAlgorithm_v7",
                    Cudnn.cudnnGetConvolutionForwardAlgorithm_v7(h, p.x, p.w, p.conv, p.y, MAX_ALGOS, count, perf));
            case BACKWARD_DATA -> CudaCheck.cudnn("cudnnGetConvolutionBackwardDataAlgorithm_v7",
                    Cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(h, p.w, p.y, p.conv, p.x, MAX_ALGOS, count, perf));
            default -> CudaCheck.cudnn("cudnnGetConvolutionBackwardFilterAlgorithm_v7",
                    Cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, p.x, p.y, p.conv, p.w, MAX_ALGOS, count, perf));
        }
        return count.get(CTypes.C_INT, 0);
    }

    private int find(Plan p, int dir, long a, long b, long c, long searchBytes) {
        MemorySegment h = context.cudnn();
        long ws = searchBytes == 0 ? 0 : ensureWorkspace(searchBytes).address();
        switch (dir) {
            case FORWARD -> CudaCheck.cudnn("cudnnFindConvolutionForwardAlgorithmEx",
                    Cudnn.cudnnFindConvolutionForwardAlgorithmEx(h, p.x, ptr(a), p.w, ptr(b), p.conv, p.y, ptr(c),
                            MAX_ALGOS, count, perf, ptr(ws), searchBytes));
            case BACKWARD_DATA -> CudaCheck.cudnn("cudnnFindConvolutionBackwardDataAlgorithmEx",
                    Cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(h, p.w, ptr(a), p.y, ptr(b), p.conv, p.x, ptr(c),
                            MAX_ALGOS, count, perf, ptr(ws), searchBytes));
            default -> CudaCheck.cudnn("cudnnFindConvolutionBackwardFilterAlgorithmEx",
                    Cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(h, p.x, ptr(a), p.y, ptr(b), p.conv, p.w,
                            ptr(c), MAX_ALGOS, count, perf, ptr(ws), searchBytes));
        }
        return count.get(CTypes.C_INT, 0);
    }

    private long workspaceSize(Plan p, int dir, int algo) {
        MemorySegment h = context.cudnn();
        switch (dir) {
            case FORWARD -> CudaCheck.cudnn("cudnnGetConvolutionForwardWorkspaceSize",
                    Cudnn.cudnnGetConvolutionForwardWorkspaceSize(h, p.x, p.w, p.conv, p.y, algo, size));
            case BACKWARD_DATA -> CudaCheck.cudnn("cudnnGetConvolutionBackwardDataWorkspaceSize",
                    Cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(h, p.w, p.y, p.conv, p.x, algo, size));
            default -> CudaCheck.cudnn("cudnnGetConvolutionBackwardFilterWorkspaceSize",
                    Cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(h, p.x, p.y, p.conv, p.w, algo, size));
        }
        return size.get(CTypes.C_SIZE_T, 0);
    }
}
