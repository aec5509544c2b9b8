#!/usr/bin/env python3
"""Write key:000000000000 .. key:<keys-1> (the names redis-benchmark -r uses)
with SIZE-byte values to a Redis on loopback, pipelined, checking every reply.

Used by run.sh before the GET cells so that every GET hits an existing key.
"""
import argparse
import ipaddress
import socket
import sys
import time


def resp(*args: bytes) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--password", default="")
    ap.add_argument("--keys", type=int, default=100000)
    ap.add_argument("--size", type=int, default=16)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--timeout", type=float, default=60.0, help="socket timeout, s")
    a = ap.parse_args()
    if not ipaddress.ip_address(a.host).is_loopback:
        print("fill_keys: refusing non-loopback host %s" % a.host, file=sys.stderr)
        return 2

    sock = socket.create_connection((a.host, a.port), timeout=a.timeout)
    rfile = sock.makefile("rb")
    expected = 0
    pre = b""
    if a.password:
        pre = resp(b"AUTH", a.password.encode())
        expected += 1
    value = b"x" * a.size
    start = time.monotonic()
    done = 0
    while done < a.keys:
        n = min(a.batch, a.keys - done)
        buf = [pre]
        pre = b""
        for i in range(done, done + n):
            buf.append(resp(b"SET", b"key:%012d" % i, value))
        sock.sendall(b"".join(buf))
        expected += n
        while expected:
            line = rfile.readline()
            if not line:
                print("fill_keys: connection closed by server", file=sys.stderr)
                return 1
            if not line.startswith(b"+OK"):
                print("fill_keys: unexpected reply %r" % line, file=sys.stderr)
                return 1
            expected -= 1
        done += n
    sock.close()
    print("fill_keys: wrote %d keys of %d bytes in %.2fs"
          % (a.keys, a.size, time.monotonic() - start), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
