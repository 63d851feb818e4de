package dev.strix.nn;

/**
 * Memory that holds a tensor's elements on one {@link Device}. Each device defines its own subclass; layers
 * never look inside.
 */
public interface Storage {
    /** The device that owns this memory. */
    Device device();

    /** Number of elements (not bytes). */
    long size();
}
