package io.resplit.topology;

import io.resplit.backend.BackendCredentials;
import io.resplit.backend.ControlClient;
import io.resplit.config.HostPort;
import io.resplit.resp.RespValues;
import java.io.IOException;
import java.util.List;

/**
 * One-shot control commands to a Redis node with the proxy's backend credentials (REPLICAOF, CONFIG SET,
 * CLIENT PAUSE, INFO, ROLE), each on a connection of its own with a timeout. Blocking: never on an event loop.
 */
public final class NodeCalls {
    private final BackendCredentials credentials;
    private final int timeoutMs;

    public NodeCalls(BackendCredentials credentials, int timeoutMs) {
        this.credentials = credentials;
        this.timeoutMs = timeoutMs;
    }

    public BackendCredentials credentials() {
        return credentials;
    }

    /** Runs {@code command}; an error reply becomes an IOException naming only its code. */
    public Object call(HostPort address, String... command) throws IOException {
        return call(address, timeoutMs, command);
    }

    public Object call(HostPort address, int timeoutMs, String... command) throws IOException {
        Object reply = ControlClient.call(address, credentials, timeoutMs, List.<String[]>of(command)).get(0);
        if (reply instanceof RespValues.Error e) {
            // only the error code: Redis echoes a refused command's arguments, which may hold a password
            String code = e.message().split(" ", 2)[0];
            throw new IOException(address + " refused " + command[0] + (command.length > 1 ? " " + command[1] : "")
                    + ": " + code);
        }
        return reply;
    }

    /** A numeric field of {@code INFO replication}, or -1 when absent. */
    public long replicationField(HostPort address, String field, int timeoutMs) throws IOException {
        Object info = call(address, timeoutMs, "INFO", "replication");
        for (String line : String.valueOf(info).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim());
            }
        }
        return -1;
    }

    /** What the node says it is, from {@code ROLE}: "master", "slave" or "sentinel". */
    public String role(HostPort address) throws IOException {
        Object reply = call(address, "ROLE");
        if (reply instanceof List<?> l && !l.isEmpty()) {
            return String.valueOf(l.get(0));
        }
        throw new IOException(address + " answered ROLE with " + reply);
    }
}
