package dev.strix.nn.io;

/**
 * A JSON text that cannot be parsed, a value that cannot be written as JSON, or a parsed document that lacks an
 * expected entry. {@link #offset()} is the character offset of the problem in the parsed text, or -1 when the
 * problem is not tied to a position.
 */
public class JsonException extends IllegalArgumentException {
    private final int offset;

    /** An error at character {@code offset} of the parsed text; the message is prefixed with the offset. */
    public JsonException(int offset, String problem) {
        super("JSON error at offset " + offset + ": " + problem);
        this.offset = offset;
    }

    /** An error not tied to a position in a text (writing, or a missing or mistyped entry). */
    public JsonException(String message) {
        super(message);
        this.offset = -1;
    }

    /** Character offset of the problem in the parsed text, or -1. */
    public int offset() {
        return offset;
    }
}
