#!/usr/bin/env python3
"""Mixed client traffic for the dashboard preview (render.sh). Python 3 standard library only.

Talks RESP2 to one resplit proxy on 127.0.0.1 and runs for --duration seconds:

- 2 reader connections: GET, MGET, HGET, LRANGE, EXISTS, STRLEN on random keys (routed to the replicas),
  PING (answered by the proxy), and now and then a GET on a hash key (a WRONGTYPE error from a replica);
- 2 writer connections: SET, INCR, HSET, LPUSH + LTRIM, PUBLISH, a GET of the key just written (read-your-writes:
  may be redirected to the master), and now and then INCR on a list key (WRONGTYPE from the master),
  MULTI/INCR/EXEC (a pinned connection), RPUSH + BLPOP (a blocking connection) and CONFIG SET (refused);
- 1 subscriber (SUBSCRIBE) that receives the writers' PUBLISH messages;
- a short-lived connection every 0.5 s (AUTH, PING, GET, QUIT);
- idle connections that come and go: a wave of 12 between 10% and 20% of the run, and between 50% and 58%
  idle connections opened until the proxy has refused --rejections of them (it runs with a low maxclients).

The total rate of the reader and writer connections is --rate commands per second (paced, not flat out).
At the end it writes a JSON summary (--summary) and prints it.
"""
import argparse
import json
import random
import socket
import sys
import threading
import time


class Err(str):
    """An error reply."""


class Conn:
    def __init__(self, port, password, timeout=20.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.rf = self.sock.makefile("rb")
        if password:
            reply = self.call("AUTH", password)
            if isinstance(reply, Err):
                self.close()
                raise ConnectionError(str(reply))

    @staticmethod
    def encode(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        return b"".join(out)

    def read(self):
        line = self.rf.readline()
        if not line:
            raise ConnectionError("connection closed by the proxy")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return Err(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.rf.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ConnectionError("unexpected reply %r" % line)

    def pipeline(self, cmds):
        self.sock.sendall(b"".join(self.encode(c) for c in cmds))
        return [self.read() for _ in cmds]

    def call(self, *args):
        return self.pipeline([args])[0]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.c = {}

    def add(self, key, n=1):
        with self.lock:
            self.c[key] = self.c.get(key, 0) + n

    def sample(self, kind, message):
        """Keeps the first few distinct messages of each kind of failure, for the summary."""
        with self.lock:
            seen = self.c.setdefault("samples:" + kind, [])
            if message not in seen and len(seen) < 3:
                seen.append(message)


KEYS = 1000


def reader_batch(rnd, i):
    k = rnd.randrange(KEYS)
    batch = [
        ("GET", "k:%d" % k),
        ("MGET", "k:%d" % rnd.randrange(KEYS), "k:%d" % rnd.randrange(KEYS), "k:%d" % rnd.randrange(KEYS)),
        ("HGET", "h:%d" % (k % 100), "f%d" % rnd.randrange(10)),
        ("LRANGE", "l:%d" % (k % 50), 0, 9),
        ("EXISTS", "k:%d" % rnd.randrange(KEYS)),
        ("STRLEN", "k:%d" % rnd.randrange(KEYS)),
        ("GET", "k:%d" % rnd.randrange(KEYS)),
        ("HGET", "h:%d" % rnd.randrange(100), "f1"),
        ("GET", "k:%d" % rnd.randrange(KEYS)),
        ("PING",),
    ]
    if i % 40 == 0:
        batch[-1] = ("GET", "h:%d" % rnd.randrange(100))  # WRONGTYPE, from a replica
    return batch


def writer_batch(rnd, i, wid):
    k = rnd.randrange(KEYS)
    batch = [
        ("SET", "k:%d" % k, "v%d-%d" % (wid, i)),
        ("INCR", "c:%d" % (k % 20)),
        ("HSET", "h:%d" % (k % 100), "f%d" % rnd.randrange(10), i),
        ("LPUSH", "l:%d" % (k % 50), i),
        ("LTRIM", "l:%d" % (k % 50), 0, 49),
        ("GET", "k:%d" % k),  # our own write: read-your-writes
        ("PUBLISH", "preview", "m%d" % i),
        ("SET", "k:%d" % rnd.randrange(KEYS), "x" * rnd.randrange(16, 256)),
        ("EXPIRE", "k:%d" % rnd.randrange(KEYS), 3600),
        ("GET", "k:%d" % rnd.randrange(KEYS)),
    ]
    if i % 30 == 0:
        batch[-1] = ("INCR", "l:%d" % (k % 50))  # WRONGTYPE, from the master
    if i % 300 == 150:
        batch[-2] = ("CONFIG", "SET", "maxmemory", "0")  # refused by the proxy (allow-admin-commands no)
    return batch


def worker(kind, wid, args, stop, stats, start):
    rnd = random.Random(wid)
    per_worker = args.rate / 4.0
    interval = 10.0 / per_worker  # 10 commands per batch
    conn = None
    i = 0
    next_t = time.monotonic()
    while not stop.is_set():
        try:
            if conn is None:
                conn = Conn(args.port, args.password)
                stats.add("connections_opened")
            i += 1
            batch = reader_batch(rnd, i) if kind == "r" else writer_batch(rnd, i, wid)
            replies = conn.pipeline(batch)
            stats.add("commands", len(batch))
            errs = [r for r in replies if isinstance(r, Err)]
            for e in errs:
                stats.add("error:" + e.split(" ", 1)[0])
                if not e.startswith("WRONGTYPE"):
                    stats.sample("error_reply", e[:120])
            if kind == "w" and i % 50 == 25:
                r = conn.pipeline([("MULTI",), ("INCR", "tx:%d" % wid), ("EXEC",)])
                stats.add("commands", 3)
                stats.add("transactions")
            if kind == "w" and i % 25 == 10:
                r = conn.pipeline([("RPUSH", "q:%d" % wid, i), ("BLPOP", "q:%d" % wid, 1)])
                stats.add("commands", 2)
                stats.add("blpop")
        except (OSError, ConnectionError) as e:
            stats.add("connection_errors")
            stats.sample("connection_error", "%s: %s" % (type(e).__name__, str(e)[:100]))
            if conn:
                conn.close()
            conn = None
            stop.wait(0.2)
            continue
        next_t += interval
        delay = next_t - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        elif delay < -1.0:
            next_t = time.monotonic()  # fell behind (e.g. writes held): do not burst to catch up
    if conn:
        conn.close()


def subscriber(args, stop, stats):
    while not stop.is_set():
        try:
            conn = Conn(args.port, args.password, timeout=1.0)
            conn.call("SUBSCRIBE", "preview")
            stats.add("connections_opened")
            while not stop.is_set():
                try:
                    conn.read()
                    stats.add("messages")
                except socket.timeout:
                    # a timeout in the middle of a reply would desynchronise the parser: start a fresh connection
                    break
            conn.close()
        except (OSError, ConnectionError) as e:
            stats.add("connection_errors")
            stats.sample("connection_error", "subscriber %s: %s" % (type(e).__name__, str(e)[:100]))
            stop.wait(0.2)


def short_lived(args, stop, stats):
    while not stop.wait(0.5):
        try:
            conn = Conn(args.port, args.password, timeout=5.0)
            conn.pipeline([("PING",), ("GET", "k:1")])
            conn.call("QUIT")
            conn.close()
            stats.add("short_lived")
        except (OSError, ConnectionError) as e:
            stats.add("short_lived_failed")
            stats.sample("short_lived", "%s: %s" % (type(e).__name__, str(e)[:100]))


def open_idle(args, stats):
    """One idle connection, or None if the proxy refused it (maxclients)."""
    try:
        c = Conn(args.port, args.password, timeout=5.0)
        if c.call("PING") != "PONG":
            raise ConnectionError("no PONG")
        stats.add("idle_opened")
        return c
    except (OSError, ConnectionError) as e:
        if "max number of clients" in str(e):
            stats.add("rejected")
        else:
            stats.add("idle_failed:" + str(e)[:40])
        return None


def idle_waves(args, stop, stats, start):
    d = args.duration
    pool = []

    def wait_until(frac):
        return stop.wait(max(0.0, start + frac * d - time.monotonic()))

    def close_all():
        while pool:
            pool.pop().close()
            stop.wait(0.1)

    if wait_until(0.10):
        return
    for _ in range(12):  # a wave of 12 idle clients, 0.5 s apart
        c = open_idle(args, stats)
        if c:
            pool.append(c)
        if stop.wait(0.5):
            break
    if wait_until(0.20):
        close_all()
        return
    close_all()
    if wait_until(0.50):
        return
    refused = 0
    for _ in range(200):  # up to maxclients: open until the proxy has refused a few
        c = open_idle(args, stats)
        if c:
            pool.append(c)
        else:
            refused += 1
            stats.add("refused_at_maxclients")
            if refused >= args.rejections:
                break
        if stop.wait(0.05):
            break
    for _ in range(min(len(pool), args.rejections)):  # leave room for the short-lived connections
        pool.pop().close()
    wait_until(0.58)
    close_all()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--password", default="")
    p.add_argument("--duration", type=float, default=150)
    p.add_argument("--rate", type=float, default=2000, help="commands/s of the 4 reader and writer connections")
    p.add_argument("--rejections", type=int, default=5)
    p.add_argument("--summary", help="write the JSON summary here")
    args = p.parse_args()

    stats = Stats()
    stop = threading.Event()
    start = time.monotonic()
    t0 = time.time()
    threads = [threading.Thread(target=worker, args=(k, n, args, stop, stats, start), daemon=True)
               for n, k in enumerate("rrww")]
    threads += [threading.Thread(target=subscriber, args=(args, stop, stats), daemon=True),
                threading.Thread(target=short_lived, args=(args, stop, stats), daemon=True),
                threading.Thread(target=idle_waves, args=(args, stop, stats, start), daemon=True)]
    for t in threads:
        t.start()
    try:
        stop.wait(args.duration)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=10)
    elapsed = time.time() - t0
    summary = dict(sorted(stats.c.items()))
    summary["seconds"] = round(elapsed, 1)
    summary["commands_per_second"] = round(summary.get("commands", 0) / elapsed)
    text = json.dumps(summary, sort_keys=True)
    print("load: " + text, flush=True)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
