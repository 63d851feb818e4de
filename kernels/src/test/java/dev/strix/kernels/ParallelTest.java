package dev.strix.kernels;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Parallel}: every index runs exactly once, nested loops stay on their thread, failures reach the caller. */
class ParallelTest {
    private static final int[] THREADS = {1, 2, 3, 4};

    private interface Check {
        void run() throws Exception;
    }

    private static void withThreads(int n, Check check) throws Exception {
        int previous = Parallel.threads();
        Parallel.setThreads(n);
        try {
            check.run();
        } finally {
            Parallel.setThreads(previous);
        }
    }

    @Test
    void forRangeCoversEveryIndexOnceInContiguousChunks() throws Exception {
        for (int t : THREADS) {
            withThreads(t, () -> {
                for (int n : new int[] {1, 2, 3, 7, 1000, 100_001}) {
                    for (int grain : new int[] {1, 5, 64, 1 << 20}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(n);
                        Set<Long> ranges = ConcurrentHashMap.newKeySet();
                        Parallel.forRange(n, grain, (a, b) -> {
                            assertTrue(a < b, "empty chunk " + a);
                            ranges.add(((long) a << 32) | b);
                            for (int i = a; i < b; i++) hits.incrementAndGet(i);
                        });
                        for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n);
                        int expectedChunks = Math.min(t, Math.max(1, n / grain));
                        assertEquals(expectedChunks, ranges.size(), "chunks for n=" + n + " grain=" + grain);
                            // the split depends only on n and the chunk count, not on which thread ran a chunk
                        for (int c = 0; c < expectedChunks; c++) {
                            long from = (long) n * c / expectedChunks, to = (long) n * (c + 1) / expectedChunks;
                            assertTrue(ranges.contains((from << 32) | to), "chunk " + from + ".." + to);
                        }
                    }
                }
            });
        }
    }

    @Test
    void nestedLoopsRunOnTheThreadThatReachedThem() throws Exception {
        for (int t : THREADS) {
            withThreads(t, () -> {
                int n = 64, m = 1000;
                AtomicIntegerArray hits = new AtomicIntegerArray(n * m);
                Parallel.forRange(n, 1, (a, b) -> {
                    Thread outer = Thread.currentThread();
                    for (int i = a; i < b; i++) {
                        int row = i;
                        Parallel.forRange(m, 1, (c, d) -> {
                            assertSame(outer, Thread.currentThread());
                            for (int j = c; j < d; j++) hits.incrementAndGet(row * m + j);
                        });
                        Parallel.forEachItem(3, k -> assertSame(outer, Thread.currentThread()));
                    }
                });
                for (int i = 0; i < n * m; i++) assertEquals(1, hits.get(i), "index " + i);
            });
        }
    }

    @Test
    void forEachItemRunsEveryItemOnce() throws Exception {
        for (int t : THREADS) {
            withThreads(t, () -> {
                for (int count : new int[] {1, 2, 3, 8, 17}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(count);
                    Parallel.forEachItem(count, i -> {
                        hits.incrementAndGet(i);
                        // uneven items, so that whichever thread is free takes the next one
                        double s = 0;
                        for (int k = 0; k < (i % 3) * 20_000; k++) s += Math.sqrt(k);
                        assertTrue(s >= 0);
                    });
                    for (int i = 0; i < count; i++) assertEquals(1, hits.get(i), "item " + i + " of " + count);
                }
            });
        }
    }

    @Test
    void failuresInAnyChunkReachTheCaller() throws Exception {
        for (int t : THREADS) {
            withThreads(t, () -> {
                int n = 1000;
                for (int bad : new int[] {0, n / 2, n - 1}) {
                    IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                            Parallel.forRange(n, 1, (a, b) -> {
                                if (a <= bad && bad < b) throw new IllegalStateException("index " + bad);
                            }));
                    assertTrue(e.getMessage().contains("index " + bad), e.getMessage());
                }
                for (int bad : new int[] {0, 4, 7}) {
                    IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                            Parallel.forEachItem(8, i -> {
                                if (i == bad) throw new IllegalStateException("item " + bad);
                            }));
                    assertTrue(e.getMessage().contains("item " + bad), e.getMessage());
                }
                // the pool is still usable after a failure
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                Parallel.forRange(n, 1, (a, b) -> {
                    for (int i = a; i < b; i++) hits.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, hits.get(i));
            });
        }
    }
    @Test
    void parkedWorkersWakeForTheNextLoop() throws Exception {
        withThreads(2, () -> {
            for (int round = 0; round < 5; round++) {
                // longer than the workers spin: they have parked by now
                Thread.sleep(Parallel.SPIN_NANOS / 1_000_000 + 20);
                Set<Thread> ran = ConcurrentHashMap.newKeySet();
                Parallel.forRange(2, 1, (a, b) -> ran.add(Thread.currentThread()));
                assertEquals(2, ran.size(), "both chunks on their own thread after an idle pause, round " + round);
                assertTrue(ran.contains(Thread.currentThread()), "the caller runs one chunk");
            }
        });
    }

    @Test
    void loopsFromSeveralThreadsAtOnceEachCoverTheirRange() throws Exception {
        for (int t : THREADS) {
            withThreads(t, () -> {
                int callers = 3, loops = 300, n = 257;
                AtomicIntegerArray hits = new AtomicIntegerArray(callers * n);
                Thread[] threads = new Thread[callers];
                Throwable[] failures = new Throwable[callers];
                for (int c = 0; c < callers; c++) {
                    int caller = c;
                    threads[c] = new Thread(() -> {
                        try {
                            for (int l = 0; l < loops; l++) {
                                Parallel.forRange(n, 1, (a, b) -> {
                                    for (int i = a; i < b; i++) hits.incrementAndGet(caller * n + i);
                                });
                                Parallel.forEachItem(4, i -> hits.incrementAndGet(caller * n + i));
                            }
                        } catch (Throwable e) {
                            failures[caller] = e;
                        }
                    });
                    threads[c].start();
                }
                for (Thread th : threads) th.join();
                for (Throwable f : failures) if (f != null) throw new AssertionError(f);
                // while one thread's loop holds the team, the others run theirs on their own thread
                for (int c = 0; c < callers; c++)
                    for (int i = 0; i < n; i++)
                        assertEquals(i < 4 ? 2 * loops : loops, hits.get(c * n + i), "caller " + c + " index " + i);
            });
        }
    }
}
