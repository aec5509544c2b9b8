package io.resplit.config;

/** A configuration the proxy refuses to start with; the message names the file, the line and the reason. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
