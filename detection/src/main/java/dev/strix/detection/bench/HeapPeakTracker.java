package dev.strix.detection.bench;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The largest amount of used Java heap seen while it is open.
 *
 * <p>Two sources, whichever is larger: a sample of the heap's used bytes whenever {@link #sample()} is called
 * (the benchmark calls it after every step), and, for every garbage collection that finishes while open, the
 * used bytes of all heap pools just before that collection (the high-water mark between two collections).
 * The collection events are read from the standard {@code java.management} notifications with the open-type
 * accessors only, so no {@code com.sun.management} class is needed.
 */
final class HeapPeakTracker implements AutoCloseable {
    /** Type of the notification a collector emits after each collection. */
    private static final String GC_NOTIFICATION = "com.sun.management.gc.notification";

    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private final Set<String> heapPools = new HashSet<>();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;

    HeapPeakTracker() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
            if (pool.getType() == MemoryType.HEAP) heapPools.add(pool.getName());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
            if (NotificationEmitter.class.isInstance(gc)) {
                NotificationEmitter e = NotificationEmitter.class.cast(gc);
                e.addNotificationListener(listener, null, null);
                emitters.add(e);
            }
        sample();
    }

    /** Records the heap's current used bytes. */
    void sample() {
        raise(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    /** Peak used heap in bytes so far. */
    long peakBytes() {
        return peak.get();
    }

    /** Garbage collections seen so far. */
    long collections() {
        return collections.get();
    }

    private void raise(long bytes) {
        peak.accumulateAndGet(bytes, Math::max);
    }

    private void onNotification(Notification n, Object handback) {
        if (!GC_NOTIFICATION.equals(n.getType())) return;
        CompositeData info = as(CompositeData.class, n.getUserData());
        CompositeData gcInfo = info != null && info.containsKey("gcInfo") ? as(CompositeData.class, info.get("gcInfo")) : null;
        TabularData before = gcInfo != null && gcInfo.containsKey("memoryUsageBeforeGc")
                ? as(TabularData.class, gcInfo.get("memoryUsageBeforeGc")) : null;
        if (before == null) return;
        long used = 0;
        for (Object row : before.values()) {
            CompositeData entry = as(CompositeData.class, row);
            if (entry == null) continue;
            String pool = as(String.class, entry.get("key"));
            CompositeData usage = as(CompositeData.class, entry.get("value"));
            if (pool != null && heapPools.contains(pool) && usage != null) used += MemoryUsage.from(usage).getUsed();
        }
        collections.incrementAndGet();
        raise(used);
    }

    /** value as a {@code type}, or null when it is something else (or null). */
    private static <T> T as(Class<T> type, Object value) {
        return type.isInstance(value) ? type.cast(value) : null;
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone: nothing to undo
            }
        }
        emitters.clear();
    }
}
