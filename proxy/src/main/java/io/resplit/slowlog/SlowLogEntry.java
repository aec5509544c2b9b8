package io.resplit.slowlog;

import java.util.List;

/**
 * One slow request.
 *
 * @param id             increasing from 0 since start (not reset by RESET, as in Redis)
 * @param unixSeconds    when the reply arrived
 * @param micros         from the request's arrival at the proxy to its reply (or failure) coming back
 * @param args           the command and its arguments, shortened as Redis shortens them ({@link SlowLogArgs})
 * @param clientAddr     the client's ip:port
 * @param clientName     CLIENT SETNAME's name, or empty
 * @param route          where it went: master, replica, pinned (MULTI/WATCH)
 * @param node           the backend that answered it, host:port
 */
public record SlowLogEntry(long id, long unixSeconds, long micros, List<byte[]> args, String clientAddr,
                           String clientName, String route, String node) {
    public SlowLogEntry {
        args = List.copyOf(args);
    }
}
