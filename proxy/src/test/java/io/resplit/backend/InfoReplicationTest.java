package io.resplit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resplit.config.HostPort;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The health check's reading of {@code INFO replication}, from Redis 7's text. */
class InfoReplicationTest {
    @Test
    void master() {
        InfoReplication r = InfoReplication.parse("# Replication\r\nrole:master\r\nconnected_slaves:3\r\n"
                + "slave0:ip=10.0.0.2,port=6380,state=online,offset=1234,lag=0\r\n"
                + "slave1:state=online,port=6381,ip=10.0.0.3,offset=1234,lag=1\r\n"
                + "slave2:ip=10.0.0.4,port=99999,state=online\r\n"
                + "slave4:ip=10.0.0.9,port=6390,state=online\r\n"
                + "master_failover_state:no-failover\r\nmaster_replid:8c1b\r\nmaster_repl_offset:1234\r\n"
                + "second_repl_offset:-1\r\nrepl_backlog_active:1\r\n");
        assertTrue(r.isMaster());
        assertEquals(1234, r.offset());
        assertTrue(r.linkUp());
        assertFalse(r.syncing());
        // a port out of range is skipped; slave4 follows a gap (no slave3) and is not read
        assertEquals(List.of(new HostPort("10.0.0.2", 6380), new HostPort("10.0.0.3", 6381)), r.replicas());
    }

    @Test
    void replica() {
        InfoReplication r = InfoReplication.parse("# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\n"
                + "master_port:6379\r\nmaster_link_status:up\r\nmaster_last_io_seconds_ago:1\r\n"
                + "master_sync_in_progress:0\r\nslave_read_repl_offset:99\r\nslave_repl_offset: 98 \r\n"
                + "slave_priority:100\r\nmaster_repl_offset:98\r\n");
        assertFalse(r.isMaster());
        assertEquals("slave", r.role());
        assertTrue(r.linkUp());
        assertFalse(r.syncing());
        assertEquals(98, r.offset());
        assertEquals(List.of(), r.replicas());

        InfoReplication syncing = InfoReplication.parse("role:slave\r\nmaster_link_status:down\r\n"
                + "master_sync_in_progress:1\r\nslave_repl_offset:x1\r\n");
        assertFalse(syncing.linkUp());
        assertTrue(syncing.syncing());
        assertEquals(-1, syncing.offset());
    }

    @Test
    void withoutRole() {
        InfoReplication r = InfoReplication.parse("-ERR nothing here\r\n# role:master\r\n");
        assertEquals("unknown", r.role());
        assertEquals(-1, r.offset());
    }
}
