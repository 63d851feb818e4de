package dev.strix.detection.cli;

/**
 * A failure the command line reports as one line on stderr, with its exit code: 2 for a wrong invocation
 * ({@link UsageException}), 1 for a failure while running.
 */
public class CliException extends RuntimeException {
    /** Exit code of a command that was invoked correctly but failed. */
    public static final int RUNTIME = 1;
    /** Exit code of a wrong invocation (unknown or missing option, bad value). */
    public static final int USAGE = 2;

    private final int exitCode;

    public CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = RUNTIME;
    }

    /** A runtime failure (exit code 1). */
    public static CliException failure(String message) {
        return new CliException(message, RUNTIME);
    }

    public int exitCode() {
        return exitCode;
    }
}
