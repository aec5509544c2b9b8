/**
 * Sentinel mode: the master and replicas as Redis Sentinel knows them. Every sentinel is polled and listened
 * to ({@link io.resplit.sentinel.SentinelWatcher}); the answer with the newest config epoch wins
 * ({@link io.resplit.sentinel.SentinelView}), a new master is checked with ROLE before writes move, and the
 * admin FAILOVER goes through the sentinels ({@link io.resplit.sentinel.SentinelPromotion}). Control plane only:
 * nothing here runs on an event loop.
 */
package io.resplit.sentinel;
