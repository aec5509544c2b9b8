package io.resplit.resp;

/**
 * A client broke the RESP grammar or a limit. The message is the text Redis itself sends for the same fault
 * (without the leading {@code -ERR }), so clients see the same error as against one Redis.
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
