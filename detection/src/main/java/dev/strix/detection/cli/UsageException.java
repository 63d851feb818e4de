package dev.strix.detection.cli;

/** A wrong invocation: the message says what was wrong; the process exits with code 2. */
public final class UsageException extends CliException {
    public UsageException(String message) {
        super(message, USAGE);
    }
}
