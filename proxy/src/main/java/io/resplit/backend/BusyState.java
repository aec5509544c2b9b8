package io.resplit.backend;

import io.resplit.config.HostPort;
import java.util.concurrent.TimeUnit;

/**
 * What keeps a node from answering, known to the proxy: a script or function running past Redis's busy threshold
 * (its health check was answered BUSY: it answers nothing else until the script ends or is killed), and a CLIENT
 * PAUSE sent to it through the proxy (its health checks may wait that long). Written by health checks and by the
 * commands that end a script or a pause, read on every event loop.
 */
public final class BusyState {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BusyState.class);

    private final HostPort address;
    private volatile long busySinceNanos; // a health check was answered BUSY; 0 once one is answered again
    private volatile String error = "BUSY Redis is busy running a script.";
    private volatile long pausedUntilNanos; // CLIENT PAUSE sent through the proxy: until when

    BusyState(HostPort address) {
        this.address = address;
    }

    /** A health check was answered {@code error} (BUSY): the node runs a long script or function. */
    void began(String error) {
        this.error = error;
        if (busySinceNanos == 0) {
            busySinceNanos = System.nanoTime();
            log.warn("backend {} is busy running a script or function (SCRIPT KILL or FUNCTION KILL through the "
                    + "proxy ends it)", address);
        }
    }

    /**
     * The node answered something else, or said it runs no script any more (SCRIPT KILL answered OK or NOTBUSY):
     * not busy from now on.
     */
    public void ended() {
        if (busySinceNanos != 0) {
            log.info("backend {} is no longer busy (after {} ms)", address,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - busySinceNanos));
            busySinceNanos = 0;
        }
    }

    /** Whether the last health check was answered BUSY. */
    public boolean isBusy() {
        return busySinceNanos != 0;
    }

    /** The node's own BUSY error text, as its last health check was answered (for clients that meet it). */
    public String error() {
        return error;
    }

    /** CLIENT PAUSE of {@code ms} was sent to this node (0: UNPAUSE): health checks may wait that long. */
    public void pausedFor(long ms) {
        pausedUntilNanos = ms <= 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /** When a CLIENT PAUSE sent through the proxy ends (System.nanoTime), 0 when none was sent. */
    long pausedUntilNanos() {
        return pausedUntilNanos;
    }
}
