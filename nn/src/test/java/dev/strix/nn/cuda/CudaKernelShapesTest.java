package dev.strix.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The shape plans of {@link CudaKernels}, checked without a GPU: the merged walks, decoded the way the kernels
 * decode them (strided_offset in common.cuh), must visit exactly the offsets of the unmerged shapes.
 */
class CudaKernelShapesTest {
    /** strided_offset of common.cuh: the offset of row-major flat index flat over shape[0, rank). */
    static long offset(long flat, int rank, int[] shape, int[] strides) {
        long off = 0;
        for (int d = rank - 1; d >= 0; d--) {
            long q = flat / shape[d];
            off += (flat - q * shape[d]) * strides[d];
            flat = q;
        }
        return off;
    }

    static int[] contiguous(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    @Test
    void broadcastWalkVisitsTheSameOffsets() {
        Random r = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            int rank = 1 + r.nextInt(6);
            int[] shape = new int[rank], a = new int[rank], b = new int[rank];
            for (int i = 0; i < rank; i++) shape[i] = 1 + r.nextInt(4);
            int[] ca = contiguous(shape);
            // a: broadcast on random dims, b: a permuted layout or broadcast
            for (int i = 0; i < rank; i++) {
                a[i] = r.nextInt(3) == 0 ? 0 : ca[i];
                b[i] = r.nextBoolean() ? 0 : ca[rank - 1 - i] % 97 + i;
            }
            CudaKernelShapes.Walk w = CudaKernelShapes.walk(shape, a, b);
            long n = Arrays.stream(shape).asLongStream().reduce(1, (x, y) -> x * y);
            assertEquals(n, w.count());
            assertTrue(w.rank() <= rank || rank == 0, "merging never adds dimensions");
            for (long i = 0; i < n; i++) {
                assertEquals(offset(i, rank, shape, a), offset(i, w.rank(), w.shape(), w.first()),
                        "first operand, element " + i + " of " + Arrays.toString(shape));
                assertEquals(offset(i, rank, shape, b), offset(i, w.rank(), w.shape(), w.second()),
                        "second operand, element " + i + " of " + Arrays.toString(shape));
            }
        }
    }

    @Test
    void contiguousWalkMergesToOneDimension() {
        int[] shape = {2, 3, 1, 5};
        CudaKernelShapes.Walk w = CudaKernelShapes.walk(shape, contiguous(shape), contiguous(shape));
        assertEquals(1, w.rank());
        assertEquals(30, w.shape()[0]);
        assertEquals(1, w.first()[0]);
        CudaKernelShapes.Walk scalar = CudaKernelShapes.walk(new int[0], new int[0], new int[0]);
        assertEquals(1, scalar.rank());
        assertEquals(1, scalar.count());
    }

    @Test
    void sumPlanCoversEveryElementOnceInItsOutputSlot() {
        Random r = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int rank = 1 + r.nextInt(6);
            int[] shape = new int[rank];
            boolean[] reduce = new boolean[rank];
            for (int i = 0; i < rank; i++) {
                shape[i] = 1 + r.nextInt(4);
                reduce[i] = r.nextBoolean();
            }
            CudaKernelShapes.SumPlan p = CudaKernelShapes.sumPlan(shape, reduce);
            // reference: output slot of every flat x index (reduced dims collapse to 0)
            int[] xs = contiguous(shape);
            int[] outShape = shape.clone();
            for (int i = 0; i < rank; i++) if (reduce[i]) outShape[i] = 1;
            int[] os = contiguous(outShape);
            long total = Arrays.stream(shape).asLongStream().reduce(1, (x, y) -> x * y);
            long outs = Arrays.stream(outShape).asLongStream().reduce(1, (x, y) -> x * y);
            assertEquals(total, p.total());
            assertEquals(outs, p.outCount());
            assertEquals(total / outs, p.redCount());
            int[] expectedSlot = new int[(int) total];
            for (int flat = 0; flat < total; flat++) {
                int rem = flat, o = 0;
                for (int i = rank - 1; i >= 0; i--) {
                    int idx = rem % shape[i];
                    rem /= shape[i];
                    if (!reduce[i]) o += idx * os[i];
                }
                expectedSlot[flat] = o;
            }
            int[] slot = new int[(int) total];
            Arrays.fill(slot, -1);
            for (int o = 0; o < outs; o++) {
                long base = offset(o, p.keptRank(), p.keptShape(), p.keptStrides());
                for (long red = 0; red < p.redCount(); red++) {
                    int x = (int) (base + offset(red, p.redRank(), p.redShape(), p.redStrides()));
                    assertEquals(-1, slot[x], "x element " + x + " summed twice, shape " + Arrays.toString(shape));
                    slot[x] = o;
                }
            }
            assertArrayEquals(expectedSlot, slot, "output slots for shape " + Arrays.toString(shape) + " reduce "
                    + Arrays.toString(reduce) + " (x strides " + Arrays.toString(xs) + ")");
        }
    }

    @Test
    void badShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> CudaKernelShapes.walk(new int[] {2, -1}, new int[2], new int[2]));
        assertThrows(IllegalArgumentException.class, () -> CudaKernelShapes.walk(new int[] {2, 3}, new int[1], new int[2]));
        assertThrows(IllegalArgumentException.class, () -> CudaKernelShapes.sumPlan(new int[] {2, 3}, new boolean[1]));
        int[] nine = {2, 3, 2, 3, 2, 3, 2, 3, 2};
        int[] odd = new int[9];
        for (int i = 0; i < 9; i++) odd[i] = 1000 - i * 7; // no neighbours merge
        assertThrows(IllegalArgumentException.class, () -> CudaKernelShapes.walk(nine, odd, odd));
    }

    @Test
    void ptxResourceIsOnTheClassPathWithEveryLauncherKernel() {
        String ptx = new String(CudaKernelModule.readPtx(), java.nio.charset.StandardCharsets.US_ASCII);
        for (String k : new String[] {"fill_kernel1", "binary_broadcast_kernel1", "sum_all_partial_kernel1",
                "sum_to_block_kernel1", "softmax_row_kernel1", "upsample_nearest_backward_kernel1", "adam_kernel1"})
            assertTrue(ptx.contains(".visible .entry " + k + "("), k + " missing from " + CudaKernelModule.PTX_RESOURCE);
    }

    @Test
    void rowBlocksAreWholeWarps() {
        for (int dim : new int[] {1, 7, 31, 32, 33, 65, 255, 256, 257, 100000}) {
            int b = CudaKernels.rowBlock(dim);
            assertEquals(0, b % 32, "dim " + dim);
            assertTrue(b >= 32 && b <= CudaKernels.BLOCK, "dim " + dim + " block " + b);
        }
        assertEquals(1, CudaKernels.grid(1));
        assertEquals(CudaKernels.MAX_GRID, CudaKernels.grid(1L << 40));
    }
}
