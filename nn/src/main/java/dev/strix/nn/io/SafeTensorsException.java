package dev.strix.nn.io;

import java.io.IOException;

/** A safetensors file that is malformed or could not be read or written; the message names the file. */
public class SafeTensorsException extends IOException {
    /** An error with a message that already names the file and the problem. */
    public SafeTensorsException(String message) {
        super(message);
    }

    /** An error caused by {@code cause}; the message names the file and the problem. */
    public SafeTensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
