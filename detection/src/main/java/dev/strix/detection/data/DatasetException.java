package dev.strix.detection.data;

/** A dataset that cannot be read as it stands; the message names the file (and entry) and what is wrong. */
public class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
