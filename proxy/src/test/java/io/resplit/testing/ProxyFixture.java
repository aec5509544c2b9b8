package io.resplit.testing;

/**
 * A master with replicas and a proxy in front of them, for test classes that share one setup: started
 * together, closed together (proxy first), even when starting the proxy fails.
 */
public final class ProxyFixture implements AutoCloseable {
    private final RedisTopology topology;
    private final ProxyUnderTest proxy;

    private ProxyFixture(RedisTopology topology, ProxyUnderTest proxy) {
        this.topology = topology;
        this.proxy = proxy;
    }

    /** {@code replicas} replicas with password "node-secret"; {@code extraLines} go to the proxy's config. */
    public static ProxyFixture start(int replicas, String... extraLines) {
        RedisTopology topology = RedisTopology.start(replicas, "node-secret");
        try {
            return new ProxyFixture(topology, ProxyUnderTest.start(topology, extraLines));
        } catch (RuntimeException e) {
            topology.close();
            throw e;
        }
    }

    public RedisTopology topology() {
        return topology;
    }

    public ProxyUnderTest proxy() {
        return proxy;
    }

    @Override
    public void close() {
        try {
            proxy.close();
        } finally {
            topology.close();
        }
    }
}
