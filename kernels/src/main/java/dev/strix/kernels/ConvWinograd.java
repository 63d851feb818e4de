package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3x3 stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3): 16 multiplications per 2 x 2 output
 * tile and input-output channel pair instead of 36.
 *
 * <p>Legend: the output is cut into 2 x 2 tiles (T = N * ceil(P/2) * ceil(Q/2) of them); tile (i, j) of image n
 * reads the 4 x 4 input patch d whose top-left corner is (2i - padH, 2j - padW), zero outside the image. With
 * <pre>
 *   B^T = | 1  0 -1  0 |     G = | 1    0    0   |     A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |         | 1/2  1/2  1/2 |           | 0  1 -1 -1 |
 *         | 0 -1  1  0 |         | 1/2 -1/2  1/2 |
 *         | 0  1  0 -1 |         | 0    0    1   |
 * </pre>
 * the filter g of output channel k and input channel c becomes U = G g G^T, the patch V = B^T d B, and the
 * output tile Y = A^T [sum_c U(k, c) (.) V(c)] A, (.) element-wise. For each of the 16 elements xi of the 4 x 4
 * transformed domain the sum over c is one GEMM, M_xi (K x T) = U_xi (K x C) * V_xi (C x T), run with the
 * 8 x 2-vector micro-kernel of {@link GemmBlocked} on packed U panels.
 *
 * <p>The tiles are processed in blocks sized so that a block's V and M (16 * (C + K) floats per tile) stay in a
 * core's L2; blocks go to the {@link Parallel} pool one at a time. Within a block the transforms run across
 * {@code L} tiles of a tile row at once, on a zero-padded copy of the input made once per call: the even and odd
 * lanes of two pairs of vectors are the four patch columns of L consecutive tiles. The results differ from the
 * direct convolution by rounding only (the transforms' coefficients are 0, +-1/2 and +-1).
 *
 * <p>{@link Conv2d} sends the forward pass here when {@link #suits} says it pays (and {@link ConvWinograd4}, the
 * larger F(4x4, 3x3), does not take it), the stride-1 backward-data pass too (it is a forward convolution with
 * flipped filters), and the filter gradient ({@link #backwardFilter}, the chain rule through the same transforms)
 * when {@link #suitsFilter} does. {@code -D}{@value #PROPERTY}{@code
 * =false} turns the path off.
 */
final class ConvWinograd {
    /** System property: {@code false} turns this path off (the implicit-GEMM path then runs these layers). */
    static final String PROPERTY = "strix.conv.winograd";

    private static volatile boolean enabled =
            !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.F.length();
    private static final int MR = GemmBlocked.MR, NR = GemmBlocked.NR;
    /** Below this many input or output channels the transforms cost more than the multiplications save. */
    static final int MIN_CHANNELS = 16;
    /** Target bytes of one block's V and M together: about three quarters of a core's L2. */
    private static final int BLOCK_BYTES = 768 * 1024;

    /** Transformed weights of the calling thread (read by all workers during one call). */
    private static final ThreadLocal<float[][]> WEIGHTS = ThreadLocal.withInitial(() -> new float[1][0]);
    /** Zero-padded input of the calling thread (read by all workers during one call). */
    static final ThreadLocal<float[][]> PADDED = ThreadLocal.withInitial(() -> new float[1][0]);
    /** Per-thread V and M of one block (V also of a filter-gradient block). */
    static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private ConvWinograd() {}

    /** Whether this path is on (property {@value #PROPERTY}, or {@link #setEnabled}). */
    static boolean enabled() {
        return enabled;
    }

    /** Turns the path on or off for the whole process (tests and A/B measurements); not while kernels run. */
    static void setEnabled(boolean on) {
        enabled = on;
    }

    /**
     * Whether {@link #forward} takes this convolution: one group, 3x3, stride 1, no dilation, at least
     * {@value #MIN_CHANNELS} channels each side, and enough multiplications saved per transformed value (see
     * {@link #pays}).
     */
    static boolean suits(ConvShape s) {
        return enabled && applies(s) && s.inChannels() >= MIN_CHANNELS && s.outChannels() >= MIN_CHANNELS
                && pays(s.inChannels(), s.outChannels(), pairs(s) ? L : (s.outW() + 1) / 2);
    }

    /**
     * Whether {@link Conv2d#backwardFilter} should take {@link ConvWinogradFilter}: as {@link #suits}, and more
     * channels, because the
     * gradient pass also transposes dy (C = K = 32 at 64 x 64 is no faster than the implicit path, 64 at 16 x 16
     * and up are 1.4-1.8x faster).
     */
    static boolean suitsFilter(ConvShape s) {
        int c = s.inChannels(), k = s.outChannels();
        return suits(s) && (double) c * k / (c + k) >= 24;
    }

    /** Whether {@link #forward} can compute this convolution at all (SIMD on, one group, 3x3, stride 1, ...). */
    static boolean applies(ConvShape s) {
        return Simd.ENABLED && L >= 4 && s.groups() == 1 && s.kernelH() == 3 && s.kernelW() == 3
                && s.strideH() == 1 && s.strideW() == 1 && s.dilationH() == 1 && s.dilationW() == 1
                && s.outH() >= 2 && s.outW() >= 2;
    }

    /**
     * The GEMMs save work in proportion to C * K per tile, the transforms cost in proportion to C + K per tile,
     * times the share of each L-tile vector that is padding when a tile row has fewer than L tiles (none for
     * {@link #pairs}). Measured on one core (batch 8, L = 16): C = K = 64 at 32 x 32 (ratio 32) 1.75x faster than
     * the implicit GEMM, 128 at 16 x 16 (32) and 256 at 8 x 8 (32) 1.5x, 32 at 64 x 64 (16) 1.3x, 64 at 16 x 16
     * 1.3x in pairs of tile rows (32; even with half-empty vectors, 16), 64 -> 20 at 32 x 32 (15) and 64 at 8 x 8
     * (8) slower.
     */
    static boolean pays(int c, int k, int tilesW) {
        double waste = (double) ((tilesW + L - 1) / L * L) / tilesW;
        return (double) c * k / (c + k) / waste >= 16;
    }

    /**
     * y = conv(x, w) + bias, then max(0, .) when {@code relu}; for shapes it {@link #applies} to (whether it is
     * the fastest path is {@link #suits}).
     *
     * @param y    output (N, K, P, Q), overwritten
     * @param x    input (N, C, H, W)
     * @param w    weight (K, C, 3, 3)
     * @param bias (K), or null
     */
    static void forward(float[] y, float[] x, float[] w, float[] bias, ConvShape s, boolean relu) {
        if (!applies(s)) throw new IllegalArgumentException("Winograd F(2x2,3x3) does not take " + s);
        int k = s.outChannels(), c = s.inChannels(), kp = (k + MR - 1) / MR * MR;
        float[] u = buffer(WEIGHTS, 16 * uStride(kp, c));
        transformWeights(w, k, c, kp, u);
        int tilesH = (s.outH() + 1) / 2, tilesW = (s.outW() + 1) / 2;
        int tiles = s.batch() * tilesH * tilesW;
        int tb = blockTiles(c, kp, tiles);
        int ldv = tb + L, blocks = (tiles + tb - 1) / tb;
        Geometry geo = new Geometry(s, tilesH, tilesW, kp, ldv);
        float[] xp = buffer(PADDED, paddedSize(geo));
        pad(xp, x, geo);
        Parallel.forEachItem(blocks, b -> {
            int t0 = b * tb, t1 = Math.min(tiles, t0 + tb);
            block(y, xp, u, bias, relu, geo, t0, t1);
        });
    }

    /** Sizes shared by the blocks of one call. */
    record Geometry(ConvShape s, int tilesH, int tilesW, int kp, int ldv, int hp, int wp, boolean pairs) {
        Geometry(ConvShape s, int tilesH, int tilesW, int kp, int ldv) {
            this(s, tilesH, tilesW, kp, ldv, 2 * tilesH + 2, 2 * tilesW + 2, ConvWinograd.pairs(s));
        }
    }

    /**
     * Whether a vector of L tiles covers two tile rows of L/2 tiles (the first half of its lanes from one, the
     * second from the next): planes of exactly L output columns and an even number of rows, which would otherwise
     * leave half of every transform vector unused. Blocks and chunks then start on even tile rows.
     */
    static boolean pairs(ConvShape s) {
        return s.outW() == L && s.outH() % 2 == 0 && (s.outH() / 2) % 2 == 0;
    }

    /** Tiles per block: a multiple of NR that keeps V and M in L2 and gives each thread a few blocks. */
    static int blockTiles(int c, int kp, int tiles) {
        int fit = BLOCK_BYTES / (64 * (c + kp)) / NR * NR;
        int spread = (tiles + 4 * Parallel.threads() - 1) / (4 * Parallel.threads());
        spread = (spread + NR - 1) / NR * NR;
        return Math.max(NR, Math.min(Math.min(fit, spread), 16 * NR));
    }

    /**
     * Writes U = G g G^T of every (k, c) filter into 16 packed GEMM operands: element xi's operand starts at
     * xi * {@link #uStride}, its rows in panels of MR (panel r0 at r0 * c, element (k, q) at q * MR + k % MR), rows k >= K
     * zero.
     */
    static void transformWeights(float[] w, int k, int c, int kp, float[] u) {
        int panels = kp / MR, stride = uStride(kp, c);
        Parallel.forRange(panels, Math.max(1, 1024 / c), (p0, p1) -> {
            for (int panel = p0; panel < p1; panel++) {
                for (int r = 0; r < MR; r++) {
                    int row = panel * MR + r, at = panel * MR * c + r;
                    if (row >= k) {
                        for (int q = 0; q < c; q++, at += MR)
                            for (int xi = 0; xi < 16; xi++) u[xi * stride + at] = 0f;
                        continue;
                    }
                    for (int q = 0, g = row * c * 9; q < c; q++, at += MR, g += 9) {
                        // G g: rows (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2) for each filter column
                        float a0 = w[g], a1 = w[g + 1], a2 = w[g + 2];
                        float m0 = w[g + 3], m1 = w[g + 4], m2 = w[g + 5];
                        float z0 = w[g + 6], z1 = w[g + 7], z2 = w[g + 8];
                        float p0_ = 0.5f * (a0 + m0 + z0), p1_ = 0.5f * (a1 + m1 + z1), p2_ = 0.5f * (a2 + m2 + z2);
                        float n0 = 0.5f * (a0 - m0 + z0), n1 = 0.5f * (a1 - m1 + z1), n2 = 0.5f * (a2 - m2 + z2);
                        // (.) G^T: columns (v0, (v0 + v1 + v2) / 2, (v0 - v1 + v2) / 2, v2) of each row
                        put(u, at, stride, 0, a0, a1, a2);
                        put(u, at, stride, 4, p0_, p1_, p2_);
                        put(u, at, stride, 8, n0, n1, n2);
                        put(u, at, stride, 12, z0, z1, z2);
                    }
                }
            }
        });
    }

    /**
     * Floats from one element's packed U to the next: kp * c plus one cache line, so that the 16 elements of a
     * filter, written together, do not fall in the same cache set when kp * c is a large power of two.
     */
    static int uStride(int kp, int c) {
        return kp * c + 16;
    }

    /** Row xi0 / 4 of U: (v0, (v0 + v1 + v2) / 2, (v0 - v1 + v2) / 2, v2) into elements xi0 .. xi0 + 3. */
    private static void put(float[] u, int at, int stride, int xi0, float v0, float v1, float v2) {
        int o = xi0 * stride + at;
        u[o] = v0;
        u[o + stride] = 0.5f * (v0 + v1 + v2);
        u[o + 2 * stride] = 0.5f * (v0 - v1 + v2);
        u[o + 3 * stride] = v2;
    }

    /** t (4 x 4, row-major) = G g G^T for one 3 x 3 filter g (row-major). */
    static void filter(float[] g, float[] t) {
        for (int j = 0; j < 3; j++) {
            // G g: column j of the 4 x 3 product, kept in t's column j for the moment
            float g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
            t[j] = g0;
            t[4 + j] = 0.5f * (g0 + g1 + g2);
            t[8 + j] = 0.5f * (g0 - g1 + g2);
            t[12 + j] = g2;
        }
        for (int i = 0; i < 16; i += 4) {
            float a0 = t[i], a1 = t[i + 1], a2 = t[i + 2];
            t[i + 1] = 0.5f * (a0 + a1 + a2);
            t[i + 2] = 0.5f * (a0 - a1 + a2);
            t[i + 3] = a2;
        }
    }

    /** Tiles [t0, t1): input transform, the 16 GEMMs, output transform. */
    private static void block(float[] y, float[] xp, float[] u, float[] bias, boolean relu, Geometry geo,
                              int t0, int t1) {
        ConvShape s = geo.s;
        int c = s.inChannels(), kp = geo.kp, ldv = geo.ldv;
        int cols = (t1 - t0 + NR - 1) / NR * NR;
        float[][] sc = SCRATCH.get();
        float[] v = grow(sc, 0, 16 * c * ldv), m = grow(sc, 1, 16 * kp * ldv);
        inputTransform(xp, geo, t0, t1, v);
        for (int xi = 0; xi < 16; xi++) {
            int uo = xi * uStride(kp, c), vo = xi * c * ldv, mo = xi * kp * ldv;
            for (int ir = 0; ir < kp; ir += MR)
                for (int jr = 0; jr < cols; jr += NR)
                    GemmBlocked.kernel(c, u, uo + ir * c, v, vo + jr, ldv, m, mo + ir * ldv + jr, ldv, true, 0f);
        }
        outputTransform(y, m, bias, relu, geo, t0, t1);
    }

    /**
     * V rows: element xi of channel q and block column col (tile t0 + col) at v[(xi * C + q) * ldv + col]. A
     * tile row's last vector may write past its tiles; the next tile row (or the block's padding) overwrites it.
     * Patch row d of L consecutive tiles j.. reads input columns 2j - padW .. 2j - padW + 2L + 1 of the padded
     * copy ({@link #pad}) as two pairs of vectors (offset 0 and 2), whose even and odd lanes are patch columns
     * (0, 1) and (2, 3).
     */
    static void inputTransform(float[] xp, Geometry geo, int t0, int t1, float[] v) {
        ConvShape s = geo.s;
        int c = s.inChannels(), ldv = geo.ldv, wp = geo.wp, hiStep = geo.pairs ? 2 * wp : L;
        int tilesW = geo.tilesW, perImage = geo.tilesH * tilesW, xiStride = c * ldv;
        for (int q = 0; q < c; q++) {
            for (int t = t0; t < t1; ) {
                int n = t / perImage, r = t - n * perImage, i = r / tilesW, j0 = r - i * tilesW;
                int j1 = Math.min(tilesW, j0 + (t1 - t)), col0 = t - t0 - j0;
                int o0 = ((n * c + q) * geo.hp + 2 * i) * wp, o1 = o0 + wp, o2 = o1 + wp, o3 = o2 + wp;
                for (int j = j0; j < j1; j += L)
                    segment(xp, o0, o1, o2, o3, 2 * j, hiStep, v, q * ldv + col0 + j, xiStride);
                t += geo.pairs ? 2 * tilesW : j1 - j0;
            }
        }
    }

    /** Floats of the padded copy, with room for the last row's vector overrun. */
    static int paddedSize(Geometry geo) {
        return geo.s.batch() * geo.s.inChannels() * geo.hp * geo.wp + 2 * L + 2;
    }

    /**
     * The zero-padded copy of x: plane (n, c) at (n * C + c) * hp * wp, input (y, x) at row y + padH, column
     * x + padW; hp = 2 * tilesH + 2 rows and wp = 2 * tilesW + 2 columns cover every tile's patch. A tile row's
     * last vector reads on into the next row (lanes of tiles past the row, whose results are never stored).
     */
    static void pad(float[] xp, float[] x, Geometry geo) {
        pad(xp, x, geo.s, geo.hp, geo.wp);
    }

    /** {@link #pad} with hp rows and wp columns per plane (at least the padded input's). */
    static void pad(float[] xp, float[] x, ConvShape s, int hp, int wp) {
        int h = s.inH(), w = s.inW(), ph = s.padH(), pw = s.padW();
        int planes = s.batch() * s.inChannels(), copy = Math.min(w, wp - pw);
        Parallel.forRange(planes, Math.max(1, 16 * 1024 / (hp * wp)), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int base = pl * hp * wp;
                for (int r = 0; r < hp; r++) {
                    int y = r - ph, at = base + r * wp;
                    if (y < 0 || y >= h) {
                        java.util.Arrays.fill(xp, at, at + wp, 0f);
                        continue;
                    }
                    java.util.Arrays.fill(xp, at, at + pw, 0f);
                    System.arraycopy(x, (pl * h + y) * w, xp, at + pw, copy);
                    java.util.Arrays.fill(xp, at + pw + copy, at + wp, 0f);
                }
            }
        });
    }

    /**
     * L tiles: padded rows o0 .. o3 of a, columns x0 .. x0 + L + 1 in the first vector of each pair and the same
     * from hiStep floats further in the second (L further: the next L columns of the row, one tile row of L tiles;
     * two padded rows further: the next tile row, for planes of L/2 tiles per row), transformed and stored at
     * v[at + xi * xiStride].
     */
    private static void segment(float[] a, int o0, int o1, int o2, int o3, int x0, int hiStep, float[] v, int at,
                                int xiStride) {
        FloatVector lo, hi, lo2, hi2, ev, od, ev2, od2;
        lo = FloatVector.fromArray(F, a, o0 + x0); hi = FloatVector.fromArray(F, a, o0 + x0 + hiStep);
        lo2 = FloatVector.fromArray(F, a, o0 + x0 + 2); hi2 = FloatVector.fromArray(F, a, o0 + x0 + 2 + hiStep);
        ev = lo.rearrange(EVEN).blend(hi.rearrange(EVEN), HIGH); od = lo.rearrange(ODD).blend(hi.rearrange(ODD), HIGH);
        ev2 = lo2.rearrange(EVEN).blend(hi2.rearrange(EVEN), HIGH); od2 = lo2.rearrange(ODD).blend(hi2.rearrange(ODD), HIGH);
        FloatVector r00 = ev.sub(ev2), r01 = od.add(ev2), r02 = ev2.sub(od), r03 = od.sub(od2);
        lo = FloatVector.fromArray(F, a, o1 + x0); hi = FloatVector.fromArray(F, a, o1 + x0 + hiStep);
        lo2 = FloatVector.fromArray(F, a, o1 + x0 + 2); hi2 = FloatVector.fromArray(F, a, o1 + x0 + 2 + hiStep);
        ev = lo.rearrange(EVEN).blend(hi.rearrange(EVEN), HIGH); od = lo.rearrange(ODD).blend(hi.rearrange(ODD), HIGH);
        ev2 = lo2.rearrange(EVEN).blend(hi2.rearrange(EVEN), HIGH); od2 = lo2.rearrange(ODD).blend(hi2.rearrange(ODD), HIGH);
        FloatVector r10 = ev.sub(ev2), r11 = od.add(ev2), r12 = ev2.sub(od), r13 = od.sub(od2);
        lo = FloatVector.fromArray(F, a, o2 + x0); hi = FloatVector.fromArray(F, a, o2 + x0 + hiStep);
        lo2 = FloatVector.fromArray(F, a, o2 + x0 + 2); hi2 = FloatVector.fromArray(F, a, o2 + x0 + 2 + hiStep);
        ev = lo.rearrange(EVEN).blend(hi.rearrange(EVEN), HIGH); od = lo.rearrange(ODD).blend(hi.rearrange(ODD), HIGH);
        ev2 = lo2.rearrange(EVEN).blend(hi2.rearrange(EVEN), HIGH); od2 = lo2.rearrange(ODD).blend(hi2.rearrange(ODD), HIGH);
        FloatVector r20 = ev.sub(ev2), r21 = od.add(ev2), r22 = ev2.sub(od), r23 = od.sub(od2);
        lo = FloatVector.fromArray(F, a, o3 + x0); hi = FloatVector.fromArray(F, a, o3 + x0 + hiStep);
        lo2 = FloatVector.fromArray(F, a, o3 + x0 + 2); hi2 = FloatVector.fromArray(F, a, o3 + x0 + 2 + hiStep);
        ev = lo.rearrange(EVEN).blend(hi.rearrange(EVEN), HIGH); od = lo.rearrange(ODD).blend(hi.rearrange(ODD), HIGH);
        ev2 = lo2.rearrange(EVEN).blend(hi2.rearrange(EVEN), HIGH); od2 = lo2.rearrange(ODD).blend(hi2.rearrange(ODD), HIGH);
        FloatVector r30 = ev.sub(ev2), r31 = od.add(ev2), r32 = ev2.sub(od), r33 = od.sub(od2);
        // B^T (.) down each column, stored as xi = 4 * row + column
        r00.sub(r20).intoArray(v, at);
        r01.sub(r21).intoArray(v, at + xiStride);
        r02.sub(r22).intoArray(v, at + 2 * xiStride);
        r03.sub(r23).intoArray(v, at + 3 * xiStride);
        r10.add(r20).intoArray(v, at + 4 * xiStride);
        r11.add(r21).intoArray(v, at + 5 * xiStride);
        r12.add(r22).intoArray(v, at + 6 * xiStride);
        r13.add(r23).intoArray(v, at + 7 * xiStride);
        r20.sub(r10).intoArray(v, at + 8 * xiStride);
        r21.sub(r11).intoArray(v, at + 9 * xiStride);
        r22.sub(r12).intoArray(v, at + 10 * xiStride);
        r23.sub(r13).intoArray(v, at + 11 * xiStride);
        r10.sub(r30).intoArray(v, at + 12 * xiStride);
        r11.sub(r31).intoArray(v, at + 13 * xiStride);
        r12.sub(r32).intoArray(v, at + 14 * xiStride);
        r13.sub(r33).intoArray(v, at + 15 * xiStride);
    }

    /** y tiles of [t0, t1) = A^T M A (+ bias, then ReLU), written only where the output exists. */
    private static void outputTransform(float[] y, float[] m, float[] bias, boolean relu, Geometry geo,
                                        int t0, int t1) {
        ConvShape s = geo.s;
        int k = s.outChannels(), p = s.outH(), qw = s.outW(), ldv = geo.ldv, xiStride = geo.kp * ldv;
        int tilesW = geo.tilesW, perImage = geo.tilesH * tilesW;
        // the second half of each zipped pair: the next L columns, or (pairs of tile rows) two output rows down
        int hiOff = geo.pairs ? 2 * qw : L;
        FloatVector zero = FloatVector.zero(F);
        float[] part = new float[2 * L];
        for (int ch = 0; ch < k; ch++) {
            FloatVector bv = FloatVector.broadcast(F, bias == null ? 0f : bias[ch]);
            for (int t = t0; t < t1; ) {
                int n = t / perImage, r = t - n * perImage, i = r / tilesW, j0 = r - i * tilesW;
                int j1 = Math.min(tilesW, j0 + (t1 - t)), col0 = t - t0 - j0;
                int out0 = ((n * k + ch) * p + 2 * i) * qw;
                boolean second = 2 * i + 1 < p;
                for (int j = j0; j < j1; j += L) {
                    int at = ch * ldv + col0 + j;
                    FloatVector m0 = FloatVector.fromArray(F, m, at), m1 = FloatVector.fromArray(F, m, at + xiStride);
                    FloatVector m2 = FloatVector.fromArray(F, m, at + 2 * xiStride);
                    FloatVector m3 = FloatVector.fromArray(F, m, at + 3 * xiStride);
                    FloatVector m4 = FloatVector.fromArray(F, m, at + 4 * xiStride);
                    FloatVector m5 = FloatVector.fromArray(F, m, at + 5 * xiStride);
                    FloatVector m6 = FloatVector.fromArray(F, m, at + 6 * xiStride);
                    FloatVector m7 = FloatVector.fromArray(F, m, at + 7 * xiStride);
                    FloatVector m8 = FloatVector.fromArray(F, m, at + 8 * xiStride);
                    FloatVector m9 = FloatVector.fromArray(F, m, at + 9 * xiStride);
                    FloatVector m10 = FloatVector.fromArray(F, m, at + 10 * xiStride);
                    FloatVector m11 = FloatVector.fromArray(F, m, at + 11 * xiStride);
                    FloatVector m12 = FloatVector.fromArray(F, m, at + 12 * xiStride);
                    FloatVector m13 = FloatVector.fromArray(F, m, at + 13 * xiStride);
                    FloatVector m14 = FloatVector.fromArray(F, m, at + 14 * xiStride);
                    FloatVector m15 = FloatVector.fromArray(F, m, at + 15 * xiStride);
                    // A^T M: rows (m0 + m1 + m2, m1 - m2 - m3) of every column
                    FloatVector s0 = m0.add(m4).add(m8), s1 = m1.add(m5).add(m9);
                    FloatVector s2 = m2.add(m6).add(m10), s3 = m3.add(m7).add(m11);
                    FloatVector d0 = m4.sub(m8).sub(m12), d1 = m5.sub(m9).sub(m13);
                    FloatVector d2 = m6.sub(m10).sub(m14), d3 = m7.sub(m11).sub(m15);
                    // (.) A along each row
                    FloatVector y00 = s0.add(s1).add(s2).add(bv), y01 = s1.sub(s2).sub(s3).add(bv);
                    FloatVector y10 = d0.add(d1).add(d2).add(bv), y11 = d1.sub(d2).sub(d3).add(bv);
                    if (relu) {
                        y00 = y00.max(zero);
                        y01 = y01.max(zero);
                        y10 = y10.max(zero);
                        y11 = y11.max(zero);
                    }
                    // interleave even (y.0) and odd (y.1) output columns; store only this block's tiles
                    int count = geo.pairs ? 2 * L : Math.min(2 * (j1 - j), qw - 2 * j), o = out0 + 2 * j;
                    FloatVector lo = y00.rearrange(ZIP_LO).blend(y01.rearrange(ZIP_LO), ODD_LANES), hi = y00.rearrange(ZIP_HI).blend(y01.rearrange(ZIP_HI), ODD_LANES);
                    if (count >= 2 * L) {
                        lo.intoArray(y, o);
                        hi.intoArray(y, o + hiOff);
                    } else {
                        // a partial tile row: through a small buffer (a masked store is not compiled to one here)
                        lo.intoArray(part, 0);
                        hi.intoArray(part, L);
                        System.arraycopy(part, 0, y, o, count);
                    }
                    if (second) {
                        lo = y10.rearrange(ZIP_LO).blend(y11.rearrange(ZIP_LO), ODD_LANES);
                        hi = y10.rearrange(ZIP_HI).blend(y11.rearrange(ZIP_HI), ODD_LANES);
                        if (count >= 2 * L) {
                            lo.intoArray(y, o + qw);
                            hi.intoArray(y, o + qw + hiOff);
                        } else {
                            lo.intoArray(part, 0);
                            hi.intoArray(part, L);
                            System.arraycopy(part, 0, y, o + qw, count);
                        }
                    }
                }
                t += geo.pairs ? 2 * tilesW : j1 - j0;
            }
        }
    }

    /** Lane i reads lane 2i (EVEN) or 2i + 1 (ODD) mod L; HIGH selects lanes L/2 .. L - 1. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, i -> (2 * i) & (L - 1));
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(F, i -> (2 * i + 1) & (L - 1));
    private static final VectorMask<Float> HIGH = VectorMask.fromLong(F, ((1L << L) - 1) & ~((1L << (L / 2)) - 1));
    /** Lane i reads lane i / 2 (ZIP_LO) or L/2 + i / 2 (ZIP_HI); ODD_LANES selects the odd lanes. */
    private static final VectorShuffle<Float> ZIP_LO = VectorShuffle.fromOp(F, i -> i / 2);
    private static final VectorShuffle<Float> ZIP_HI = VectorShuffle.fromOp(F, i -> L / 2 + i / 2);
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(F, 0xAAAAAAAAAAAAAAAAL & ((1L << L) - 1));

    static float[] grow(float[][] holder, int i, int size) {
        if (holder[i].length < size) holder[i] = new float[size];
        return holder[i];
    }

    static float[] buffer(ThreadLocal<float[][]> kind, int size) {
        float[][] holder = kind.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }
}
