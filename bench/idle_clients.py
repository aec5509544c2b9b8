#!/usr/bin/env python3
"""Open N idle client connections to a RESP server on loopback.

Each connection sends AUTH <password> (if given) and PING once, checks the
replies (+OK, +PONG), then stays open and idle. When all are established the
helper prints one line
    READY connected=N failed=0 seconds=S
to stdout and holds the connections until SIGTERM/SIGINT or --hold seconds,
then prints
    CLOSING alive=A closed_by_server=C
closes everything and exits 0. If any connection fails during setup it prints
    FAILED connected=N failed=F first_error=...
and exits 1.
"""
import argparse
import asyncio
import ipaddress
import resource
import signal
import sys
import time


def resp(*args: bytes) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def say(line: str) -> None:
    print(line, flush=True)


async def open_one(host, port, hello, expected, timeout, sem, conns, errors):
    async with sem:
        writer = None
        ok = False
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), timeout)
            writer.write(hello)
            await writer.drain()
            for want in expected:
                line = await asyncio.wait_for(reader.readline(), timeout)
                if not line.startswith(want):
                    raise RuntimeError("expected %r, got %r" % (want, line[:80]))
            conns.append((reader, writer))
            ok = True
        except Exception as e:  # noqa: BLE001 - report any setup failure
            errors.append("%s: %s" % (type(e).__name__, e or "timeout"))
        finally:
            if not ok and writer is not None:
                writer.close()


async def main_async(a) -> int:
    hello = b""
    expected = []
    if a.password:
        hello += resp(b"AUTH", a.password.encode())
        expected.append(b"+OK")
    hello += resp(b"PING")
    expected.append(b"+PONG")

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)

    conns, errors = [], []
    sem = asyncio.Semaphore(a.concurrency)
    t0 = time.monotonic()
    tasks = [asyncio.create_task(
        open_one(a.host, a.port, hello, expected, a.timeout, sem, conns, errors))
        for _ in range(a.clients)]
    done_all = asyncio.ensure_future(asyncio.gather(*tasks))
    stop_wait = asyncio.ensure_future(stop.wait())
    await asyncio.wait({done_all, stop_wait}, timeout=a.setup_timeout,
                       return_when=asyncio.FIRST_COMPLETED)
    if not done_all.done():
        done_all.cancel()  # cancels every pending open_one task
        await asyncio.gather(done_all, *tasks, return_exceptions=True)
        errors.append("setup interrupted or exceeded %ss" % a.setup_timeout
                      if not stop.is_set() else "interrupted by signal")
    elapsed = time.monotonic() - t0

    rc = 0
    if errors:
        say("FAILED connected=%d failed=%d first_error=%s"
            % (len(conns), a.clients - len(conns), errors[0]))
        rc = 1
    else:
        say("READY connected=%d failed=0 seconds=%.2f" % (len(conns), elapsed))
        try:
            await asyncio.wait_for(stop_wait, timeout=a.hold)
        except asyncio.TimeoutError:
            pass
        closed = sum(1 for r, _ in conns if r.at_eof())
        say("CLOSING alive=%d closed_by_server=%d" % (len(conns) - closed, closed))
    stop_wait.cancel()
    for _, w in conns:
        w.close()
    await asyncio.gather(*(w.wait_closed() for _, w in conns), return_exceptions=True)
    return rc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--password", default="")
    ap.add_argument("--clients", type=int, default=10000)
    ap.add_argument("--concurrency", type=int, default=200,
                    help="max connections being set up at once")
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="per-connection connect/reply timeout, s")
    ap.add_argument("--setup-timeout", type=float, default=300.0,
                    help="max time to establish all connections, s")
    ap.add_argument("--hold", type=float, default=600.0,
                    help="max time to hold the idle connections, s")
    a = ap.parse_args()
    if not ipaddress.ip_address(a.host).is_loopback:
        print("idle_clients: refusing non-loopback host %s" % a.host, file=sys.stderr)
        return 2
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = a.clients + 64
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            print("idle_clients: need %d open files, RLIMIT_NOFILE is %d/%d (raise ulimit -n)"
                  % (need, soft, hard), file=sys.stderr)
            return 2
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    return asyncio.run(main_async(a))


if __name__ == "__main__":
    sys.exit(main())
