package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * 2-D convolution (cross-correlation, like PyTorch) on NCHW tensors, forward and backward, via GEMM.
 *
 * <p>Legend (see {@link ConvShape}): x, dx (N, C, H, W); w, dw (K, C/G, R, S); bias, db (K); y, dy
 * (N, K, P, Q). Per image n and group g, with Kg = K/G output and Cg = C/G input channels and
 * D = Cg*R*S: W_g is the Kg x D slice of w, col is the D x (P*Q) unfolding of the image's group
 * ({@link ConvIm2col}), and
 * <pre>
 *   y_g  = W_g * col                 (forward)
 *   dcol = W_g^T * dy_g, dx = fold(dcol)   (backwardData)
 *   dW_g += dy_g * col^T              (backwardFilter, summed over the batch)
 * </pre>
 * A 1x1 kernel with stride 1 and no padding uses x itself as col (no unfolding). Otherwise col is built
 * for a tile of output pixels at a time in a thread-local buffer sized to stay in cache; with SIMD on, the
 * forward pass packs the weights once per call and unfolds straight into the GEMM's B-panel layout
 * ({@link GemmBlocked#runPacked}), so neither operand is copied twice. Work is split over
 * (image, group, pixel tile) items on the {@link Parallel} pool when there are enough of them; otherwise
 * the items run in turn and each GEMM splits itself.
 *
 * <p>With SIMD on, one group and at least one image per worker, the forward pass and most filter gradients
 * skip the unfolding altogether ({@link ConvImplicit}: the micro-kernel reads shifted rows of a padded copy of
 * the image), and a stride-1 backward-data pass runs as the forward convolution of dy with flipped weights
 * ({@link #backwardDataTransposed}), so only strided layers still fold with col2im.
 */
public final class Conv2d {
    /** Target floats in one column tile (D x tile pixels): 512 KiB, about half a core's L2. */
    private static final int TILE_FLOATS = 128 * 1024;

    /** Per-thread scratch: column tiles, one unfolded row, packed weights (of the calling thread). */
    private static final ThreadLocal<float[][]> COL = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> ROW = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> WEIGHTS = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> FLIPPED = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> GATHER = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> PARTIALS = ThreadLocal.withInitial(() -> new float[0][]);

    private Conv2d() {}

    /**
     * Lets 3x3 stride-1 layers take the Winograd path ({@link ConvWinograd}) where it pays (the default), or keeps
     * them on the implicit GEMM; {@code -Dstrix.conv.winograd=false} sets the initial value. For A/B measurements:
     * not while kernels run.
     */
    public static void useWinograd(boolean on) {
        ConvWinograd.setEnabled(on);
    }

    /** Whether the Winograd path is on (see {@link #useWinograd}). */
    public static boolean winograd() {
        return ConvWinograd.enabled();
    }

    /**
     * y = conv(x, w) + bias.
     *
     * @param y    output (N, K, P, Q), overwritten
     * @param x    input (N, C, H, W)
     * @param w    weight (K, C/G, R, S)
     * @param bias (K), or null for none
     * @param s    geometry
     */
    public static void forward(float[] y, float[] x, float[] w, float[] bias, ConvShape s) {
        forward(y, x, w, bias, s, false);
    }

    /**
     * y = conv(x, w) + bias, then max(0, y) when {@code relu} (applied as the output is stored on the
     * implicit-GEMM path, as one more pass over y otherwise).
     *
     * @param y    output (N, K, P, Q), overwritten
     * @param x    input (N, C, H, W)
     * @param w    weight (K, C/G, R, S)
     * @param bias (K), or null for none
     * @param s    geometry
     * @param relu whether to apply max(0, .) to the result
     */
    public static void forward(float[] y, float[] x, float[] w, float[] bias, ConvShape s, boolean relu) {
        checkSizes(s, "y", y, s.outputSize(), x, w, bias);
        if (ConvWinograd4.suits(s)) {
            ConvWinograd4.forward(y, x, w, bias, s, relu);
            return;
        }
        if (ConvWinograd.suits(s)) {
            ConvWinograd.forward(y, x, w, bias, s, relu);
            return;
        }
        if (ConvImplicit.suits(s) && ConvImplicit.forward(y, x, w, bias, s, relu)) return;
        forwardExplicit(y, x, w, bias, s);
        if (relu) Activations.forward(Activation.RELU, 0f, y, y, s.outputSize());
    }

    /** The im2col (or pointwise) forward pass. */
    private static void forwardExplicit(float[] y, float[] x, float[] w, float[] bias, ConvShape s) {
        Plan pl = new Plan(s);
        int items = s.batch() * s.groups() * pl.tiles;
        boolean packed = Simd.ENABLED && !pl.pointwise;
        // SIMD path: weights packed once per call into GEMM panels, shared read-only by all items
        int perGroup = GemmBlocked.packedASize(pl.kg, pl.depth);
        float[] wp = packed ? buffer(WEIGHTS, perGroup * s.groups()) : null;
        if (packed) {
            for (int g = 0; g < s.groups(); g++)
                GemmBlocked.packAParallel(false, w, g * pl.kg * pl.depth, pl.depth, 0, pl.kg, 0, pl.depth, 1f, wp,
                        g * perGroup);
        }
        forItems(items, item -> {
            int tile = item % pl.tiles, ng = item / pl.tiles, g = ng % s.groups(), n = ng / s.groups();
            int p0 = tile * pl.tile, p1 = Math.min(pl.pixels, p0 + pl.tile), tn = p1 - p0;
            int yOff = (n * s.outChannels() + g * pl.kg) * pl.pixels + p0;
            int xOff = (n * s.inChannels() + g * pl.cg) * pl.plane;
            if (pl.pointwise) {
                Gemm.sgemm(false, false, pl.kg, tn, pl.depth, 1f, w, g * pl.kg * pl.depth, pl.depth,
                        x, xOff + p0, pl.plane, 0f, y, yOff, pl.pixels);
            } else if (packed) {
                int nr = GemmBlocked.NR, columns = (tn + nr - 1) / nr * nr;
                float[] col = buffer(COL, pl.depth * columns);
                ConvIm2col.im2colPanels(x, xOff, pl.cg, s, p0, p1, nr, col, buffer(ROW, tn));
                GemmBlocked.runPacked(pl.kg, tn, pl.depth, wp, g * perGroup, GemmBlocked.MR * pl.depth,
                        col, pl.depth * nr, 0f, y, yOff, pl.pixels);
            } else {
                float[] col = buffer(COL, pl.depth * tn);
                ConvIm2col.im2col(x, xOff, pl.cg, s, p0, p1, col);
                Gemm.sgemm(false, false, pl.kg, tn, pl.depth, 1f, w, g * pl.kg * pl.depth, pl.depth,
                        col, 0, tn, 0f, y, yOff, pl.pixels);
            }
            if (bias != null) {
                for (int k = 0; k < pl.kg; k++) addScalar(y, yOff + k * pl.pixels, tn, bias[g * pl.kg + k]);
            }
        });
    }

    /**
     * dx = d(sum(y * dy))/dx.
     *
     * @param dx input gradient (N, C, H, W), overwritten
     * @param dy output gradient (N, K, P, Q)
     * @param w  weight (K, C/G, R, S)
     * @param s  geometry
     */
    public static void backwardData(float[] dx, float[] dy, float[] w, ConvShape s) {
        checkSizes(s, "dx", dx, s.inputSize(), null, w, null);
        checkLength("dy", dy, s.outputSize());
        Plan pl = new Plan(s);
        if (transposable(s, pl)) {
            backwardDataTransposed(dx, dy, w, s);
            return;
        }
        // one item per (image, group): the folds of different pixel tiles overlap in dx
        forItems(s.batch() * s.groups(), ng -> {
            int g = ng % s.groups(), n = ng / s.groups();
            int dyOff = (n * s.outChannels() + g * pl.kg) * pl.pixels;
            int dxOff = (n * s.inChannels() + g * pl.cg) * pl.plane;
            if (pl.pointwise) {
                Gemm.sgemm(true, false, pl.cg, pl.pixels, pl.kg, 1f, w, g * pl.kg * pl.depth, pl.depth,
                        dy, dyOff, pl.pixels, 0f, dx, dxOff, pl.plane);
                return;
            }
            java.util.Arrays.fill(dx, dxOff, dxOff + pl.cg * pl.plane, 0f);
            for (int p0 = 0; p0 < pl.pixels; p0 += pl.tile) {
                int p1 = Math.min(pl.pixels, p0 + pl.tile), tn = p1 - p0;
                float[] col = buffer(COL, pl.depth * tn);
                Gemm.sgemm(true, false, pl.depth, tn, pl.kg, 1f, w, g * pl.kg * pl.depth, pl.depth,
                        dy, dyOff + p0, pl.pixels, 0f, col, 0, tn);
                ConvIm2col.col2imAdd(col, pl.cg, s, p0, p1, dx, dxOff);
            }
        });
    }

    /**
     * Whether dx is a stride-1 convolution of dy (see {@link #backwardDataTransposed}): stride 1, not the
     * pointwise case (a plain GEMM already), and padding no larger than the kernel's extent minus one.
     */
    private static boolean transposable(ConvShape s, Plan pl) {
        return !pl.pointwise && s.strideH() == 1 && s.strideW() == 1
                && s.padH() <= s.dilationH() * (s.kernelH() - 1) && s.padW() <= s.dilationW() * (s.kernelW() - 1);
    }

    /**
     * Backward-data of a stride-1 convolution as a forward one: dx = conv(dy, w'), where w' (C, K/G, R, S) holds
     * w with input and output channels swapped within each group and the taps flipped, padding
     * dilation * (R - 1) - pad (likewise for S), the same dilation and groups. This skips the fold (col2im) and
     * the thin GEMM that a layer with few output channels (a detection head's 1, 4 or 20) gives on the
     * col2im path: the forward GEMM has C rows and K*R*S depth instead.
     */
    private static void backwardDataTransposed(float[] dx, float[] dy, float[] w, ConvShape s) {
        int g = s.groups(), kg = s.outChannelsPerGroup(), cg = s.inChannelsPerGroup();
        int kh = s.kernelH(), kw = s.kernelW(), taps = kh * kw;
        float[] flipped = buffer(FLIPPED, s.weightSize());
        // one output channel of w (all its input channels and taps) per index; spread over the threads
        Parallel.forRange(g * kg, Math.max(1, 16 * 1024 / Math.max(1, cg * taps)), (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int gi = row / kg, k = row - gi * kg;
                for (int c = 0; c < cg; c++) {
                    int src = ((gi * kg + k) * cg + c) * taps, dst = ((gi * cg + c) * kg + k) * taps;
                    for (int t = 0; t < taps; t++) flipped[dst + t] = w[src + taps - 1 - t];
                }
            }
        });
        ConvShape ts = new ConvShape(s.batch(), s.outChannels(), s.outH(), s.outW(), s.inChannels(), kh, kw, 1, 1,
                s.dilationH() * (kh - 1) - s.padH(), s.dilationW() * (kw - 1) - s.padW(), s.dilationH(),
                s.dilationW(), g);
        forward(dx, dy, flipped, null, ts);
    }

    /**
     * dw = d(sum(y * dy))/dw, summed over the batch.
     *
     * @param dw weight gradient (K, C/G, R, S), overwritten
     * @param dy output gradient (N, K, P, Q)
     * @param x  input (N, C, H, W)
     * @param s  geometry
     */
    public static void backwardFilter(float[] dw, float[] dy, float[] x, ConvShape s) {
        checkSizes(s, "dw", dw, s.weightSize(), x, null, null);
        checkLength("dy", dy, s.outputSize());
        if (ConvWinograd4.suitsFilter(s)) {
            ConvWinograd4.backwardFilter(dw, dy, x, s);
            return;
        }
        if (ConvWinograd.suitsFilter(s)) {
            ConvWinogradFilter.backwardFilter(dw, dy, x, s);
            return;
        }
        Plan pl = new Plan(s);
        int threads = Parallel.threads();
        int chunks = Math.min(threads, s.batch());
        if (chunks <= 1) {
            filterImages(dw, dy, x, s, pl, 0, s.batch());
            return;
        }
        // each chunk of images sums into its own buffer (chunk 0 into dw), then the buffers are added up
        float[][] partials = partials(chunks - 1, dw.length);
        Parallel.forEachChunk(chunks, ci -> {
            int n0 = (int) ((long) s.batch() * ci / chunks), n1 = (int) ((long) s.batch() * (ci + 1) / chunks);
            filterImages(ci == 0 ? dw : partials[ci - 1], dy, x, s, pl, n0, n1);
        });
        int size = s.weightSize();
        for (int ci = 0; ci < chunks - 1; ci++) addInto(dw, partials[ci], size);
    }

    /** Overwrites acc[0 .. weightSize) with the filter gradient of images [n0, n1). */
    private static void filterImages(float[] acc, float[] dy, float[] x, ConvShape s, Plan pl, int n0, int n1) {
        if (Simd.ENABLED && s.groups() == 1 && !pl.pointwise) {
            java.util.Arrays.fill(acc, 0, s.weightSize(), 0f);
            if (ConvImplicit.filterImages(acc, dy, x, s, n0, n1)) return;
        }
        // measured: grouping pays for unfolded convolutions with many outputs (DetNet's 8 x 8 stage: 2.5x);
        // pointwise ones read x in place per image, and thin outputs (heads) lost to the gathering copies
        if (!pl.pointwise && pl.kg >= 32 && pl.pixels * 2 <= pl.span) {
            filterImageGroups(acc, dy, x, s, pl, n0, n1);
            return;
        }
        for (int g = 0; g < s.groups(); g++) {
            int wOff = g * pl.kg * pl.depth;
            float beta = 0f;
            for (int n = n0; n < n1; n++) {
                int dyOff = (n * s.outChannels() + g * pl.kg) * pl.pixels;
                int xOff = (n * s.inChannels() + g * pl.cg) * pl.plane;
                if (pl.pointwise) {
                    Gemm.sgemm(false, true, pl.kg, pl.depth, pl.pixels, 1f, dy, dyOff, pl.pixels,
                            x, xOff, pl.plane, beta, acc, wOff, pl.depth);
                    beta = 1f;
                    continue;
                }
                for (int p0 = 0; p0 < pl.pixels; p0 += pl.tile) {
                    int p1 = Math.min(pl.pixels, p0 + pl.tile), tn = p1 - p0;
                    float[] col = buffer(COL, pl.depth * tn);
                    ConvIm2col.im2col(x, xOff, pl.cg, s, p0, p1, col);
                    Gemm.sgemm(false, true, pl.kg, pl.depth, tn, 1f, dy, dyOff + p0, pl.pixels,
                            col, 0, tn, beta, acc, wOff, pl.depth);
                    beta = 1f;
                }
            }
        }
    }

    /**
     * {@link #filterImages} for small images: the pixels of several images side by side make one GEMM of depth
     * (images x pixels) up to a tile, instead of one short GEMM per image whose packing and stores would
     * outweigh its multiply-adds. dy rows are gathered next to each other like the columns.
     */
    private static void filterImageGroups(float[] acc, float[] dy, float[] x, ConvShape s, Plan pl, int n0,
                                          int n1) {
        int per = Math.max(1, pl.span / pl.pixels), pix = pl.pixels;
        for (int g = 0; g < s.groups(); g++) {
            int wOff = g * pl.kg * pl.depth;
            float beta = 0f;
            for (int n = n0; n < n1; n += per) {
                int cnt = Math.min(per, n1 - n), ld = cnt * pix;
                float[] col = buffer(COL, pl.depth * ld), grads = buffer(GATHER, pl.kg * ld);
                for (int i = 0; i < cnt; i++) {
                    int dyOff = ((n + i) * s.outChannels() + g * pl.kg) * pix;
                    int xOff = ((n + i) * s.inChannels() + g * pl.cg) * pl.plane;
                    for (int k = 0; k < pl.kg; k++) System.arraycopy(dy, dyOff + k * pix, grads, k * ld + i * pix, pix);
                    ConvIm2col.im2col(x, xOff, pl.cg, s, 0, pix, col, i * pix, ld);
                }
                Gemm.sgemm(false, true, pl.kg, pl.depth, ld, 1f, grads, 0, ld, col, 0, ld, beta, acc, wOff, pl.depth);
                beta = 1f;
            }
        }
    }

    /**
     * db[k] = sum of dy[n, k, p, q] over n, p, q.
     *
     * @param db bias gradient (K), overwritten
     * @param dy output gradient (N, K, P, Q)
     * @param s  geometry
     */
    public static void backwardBias(float[] db, float[] dy, ConvShape s) {
        checkLength("db", db, s.outChannels());
        checkLength("dy", dy, s.outputSize());
        int plane = s.outH() * s.outW();
        // channels are independent (each summed in the same order whatever the thread): spread them over the threads
        Parallel.forRange(s.outChannels(), Math.max(1, 64 * 1024 / Math.max(1, s.batch() * plane)), (k0, k1) -> {
            for (int k = k0; k < k1; k++) {
                double sum = 0;
                for (int n = 0; n < s.batch(); n++) sum += sumRow(dy, (n * s.outChannels() + k) * plane, plane);
                db[k] = (float) sum;
            }
        });
    }

    /** Sizes shared by all four passes. */
    private static final class Plan {
        final int cg, kg, depth, plane, pixels, tile, tiles;
        /** The tile width before clamping to one image's pixels: columns a filter-gradient GEMM aims for. */
        final int span;
        final boolean pointwise;

        Plan(ConvShape s) {
            cg = s.inChannelsPerGroup();
            kg = s.outChannelsPerGroup();
            depth = cg * s.kernelH() * s.kernelW();
            plane = s.inH() * s.inW();
            pixels = s.outH() * s.outW();
            pointwise = s.kernelH() == 1 && s.kernelW() == 1 && s.strideH() == 1 && s.strideW() == 1
                    && s.padH() == 0 && s.padW() == 0;
            // pixel tiles: a multiple of 64 columns holding about TILE_FLOATS of col, between 256 and 4096
            int t = Math.max(256, Math.min(4096, (TILE_FLOATS / depth + 63) / 64 * 64));
            span = t;
            tile = Math.min(pixels, t);
            tiles = (pixels + tile - 1) / tile;
        }
    }

    /** Runs item bodies 0..items-1: over the pool when there are enough, else in turn (GEMMs then split). */
    private static void forItems(int items, java.util.function.IntConsumer body) {
        int threads = Parallel.threads();
        if (threads > 1 && items >= threads) {
            Parallel.forRange(items, 1, (a, b) -> {
                for (int i = a; i < b; i++) body.accept(i);
            });
        } else {
            for (int i = 0; i < items; i++) body.accept(i);
        }
    }

    /** This thread's buffer of the given kind, grown to at least {@code size} floats. */
    private static float[] buffer(ThreadLocal<float[][]> kind, int size) {
        float[][] holder = kind.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    /** The calling thread's partial gradient buffers: {@code count} arrays of at least {@code size}. */
    private static float[][] partials(int count, int size) {
        float[][] p = PARTIALS.get();
        if (p.length < count) {
            p = java.util.Arrays.copyOf(p, count);
            PARTIALS.set(p);
        }
        for (int i = 0; i < count; i++) if (p[i] == null || p[i].length < size) p[i] = new float[size];
        return p;
    }

    private static void addScalar(float[] y, int off, int len, float v) {
        int i = 0;
        if (Simd.ENABLED) {
            FloatVector bv = FloatVector.broadcast(Simd.F, v);
            for (int bound = Simd.F.loopBound(len); i < bound; i += Simd.LANES)
                FloatVector.fromArray(Simd.F, y, off + i).add(bv).intoArray(y, off + i);
        }
        for (; i < len; i++) y[off + i] += v;
    }

    private static void addInto(float[] acc, float[] x, int len) {
        int i = 0;
        if (Simd.ENABLED) {
            for (int bound = Simd.F.loopBound(len); i < bound; i += Simd.LANES)
                FloatVector.fromArray(Simd.F, acc, i).add(FloatVector.fromArray(Simd.F, x, i)).intoArray(acc, i);
        }
        for (; i < len; i++) acc[i] += x[i];
    }

    /** Sum of x[off .. off+len): float lanes per vector block of 1024, blocks added in double. */
    private static double sumRow(float[] x, int off, int len) {
        double total = 0;
        for (int start = 0; start < len; start += 1024) {
            int end = Math.min(len, start + 1024), i = start;
            float part = 0f;
            if (Simd.ENABLED) {
                FloatVector a0 = FloatVector.zero(Simd.F), a1 = FloatVector.zero(Simd.F);
                int step = 2 * Simd.LANES;
                for (; i + step <= end; i += step) {
                    a0 = a0.add(FloatVector.fromArray(Simd.F, x, off + i));
                    a1 = a1.add(FloatVector.fromArray(Simd.F, x, off + i + Simd.LANES));
                }
                part = Simd.sum(a0.add(a1));
            }
            for (; i < end; i++) part += x[off + i];
            total += part;
        }
        return total;
    }

    /** Checks the output array length and the lengths of the inputs that are given (non-null). */
    static void checkSizes(ConvShape s, String outName, float[] out, int outSize, float[] x, float[] w,
                           float[] bias) {
        if (s == null) throw new IllegalArgumentException("conv shape is null");
        checkLength(outName, out, outSize);
        if (x != null) checkLength("x", x, s.inputSize());
        if (w != null) checkLength("w", w, s.weightSize());
        if (bias != null) checkLength("bias", bias, s.outChannels());
    }

    static void checkLength(String name, float[] a, int needed) {
        if (a == null) throw new IllegalArgumentException("conv: " + name + " is null");
        if (a.length < needed)
            throw new IllegalArgumentException("conv: " + name + " has " + a.length + " floats, needs " + needed);
    }
}
