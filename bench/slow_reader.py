#!/usr/bin/env python3
"""A client that pipelines large reads and does not read the replies, for slow-reader-memory.sh.

On one connection to a RESP server on loopback: AUTH, then (after --settle s) REPLIES pipelined `GET KEY` in one
write, then nothing read for --hold s, then every reply read (until REPLIES have come or the server closed the
connection), then --idle s connected and idle, then close and --settle s more. Throughout, the VmRSS and VmHWM of
the watched processes (--watch NAME:PID, repeatable) are read from /proc/PID/status every --sample-ms ms.

Prints one JSON object on stdout: per watched process the VmRSS (kB) before the burst, the peak while the client
does not read, at the end of that hold, right after the replies were drained, after the idle time and after the
close, and VmHWM at the end; plus what the client received (complete replies, bytes, whether the server closed
the connection, errors). --samples FILE writes every sample as CSV (t_s, phase, name, vmrss_kb).
"""
import argparse
import ipaddress
import json
import socket
import sys
import time


def status_kb(pid: int, field: str) -> int:
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError("no %s in /proc/%d/status" % (field, pid))


class Sampler:
    def __init__(self, watch, out):
        self.watch = watch  # [(name, pid)]
        self.t0 = time.monotonic()
        self.out = out
        self.rows = []

    def sample(self, phase):
        now = time.monotonic() - self.t0
        vals = {}
        for name, pid in self.watch:
            v = status_kb(pid, "VmRSS")
            vals[name] = v
            self.rows.append((now, phase, name, v))
        return vals

    def sleep_sampling(self, seconds, phase, step):
        """Sleeps `seconds`, sampling every `step` s; returns (max per name, last sample)."""
        peak = {}
        last = self.sample(phase)
        for k, v in last.items():
            peak[k] = v
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(step, left))
            last = self.sample(phase)
            for k, v in last.items():
                peak[k] = max(peak[k], v)
        return peak, last

    def write(self):
        if self.out:
            with open(self.out, "w") as f:
                f.write("t_s,phase,name,vmrss_kb\n")
                for t, ph, n, v in self.rows:
                    f.write("%.3f,%s,%s,%d\n" % (t, ph, n, v))


class Reader:
    """Counts RESP replies on a socket: bulk strings, simple strings, errors, integers."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.bytes = 0
        self.eof = False

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            self.eof = True
            raise EOFError
        self.bytes += len(chunk)
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[: i + 2]
                return line
            self._fill()

    def _skip(self, n):
        while len(self.buf) < n:
            self._fill()
        del self.buf[:n]

    def reply(self):
        """Reads one reply; returns (type char, length of a bulk string or the line)."""
        line = self._line()
        t = chr(line[0])
        if t == "$":
            n = int(line[1:])
            if n >= 0:
                self._skip(n + 2)
            return t, n
        return t, line[1:].decode("ascii", "replace")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--password", default="")
    ap.add_argument("--key", default="big")
    ap.add_argument("--replies", type=int, default=200)
    ap.add_argument("--value-size", type=int, required=True, help="expected length of the value, bytes")
    ap.add_argument("--hold", type=float, default=10.0, help="seconds without reading after the burst")
    ap.add_argument("--idle", type=float, default=5.0, help="seconds connected and idle after draining")
    ap.add_argument("--settle", type=float, default=3.0, help="seconds before the burst and after the close")
    ap.add_argument("--sample-ms", type=int, default=100)
    ap.add_argument("--read-timeout", type=float, default=120.0, help="limit for draining the replies, s")
    ap.add_argument("--watch", action="append", default=[], help="NAME:PID, repeatable")
    ap.add_argument("--samples", help="CSV file for every sample")
    a = ap.parse_args()

    if not ipaddress.ip_address(a.host).is_loopback:
        print("slow_reader: refusing non-loopback host %s" % a.host, file=sys.stderr)
        return 2
    if not (1 <= a.replies <= 100000) or a.sample_ms < 10:
        print("slow_reader: --replies must be 1..100000 and --sample-ms >= 10", file=sys.stderr)
        return 2
    watch = []
    for w in a.watch:
        name, _, pid = w.partition(":")
        watch.append((name, int(pid)))
    if not watch:
        print("slow_reader: nothing to watch (--watch NAME:PID)", file=sys.stderr)
        return 2
    step = a.sample_ms / 1000.0
    s = Sampler(watch, a.samples)
    res = {"replies_expected": a.replies, "value_size": a.value_size}

    sock = socket.create_connection((a.host, a.port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rcvbuf = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    r = Reader(sock)
    if a.password:
        sock.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n" % (len(a.password), a.password.encode()))
        t, v = r.reply()
        if t != "+":
            print("slow_reader: AUTH answered %s%s" % (t, v), file=sys.stderr)
            return 1
    sock.sendall(b"*2\r\n$6\r\nSTRLEN\r\n$%d\r\n%s\r\n" % (len(a.key), a.key.encode()))
    t, v = r.reply()
    if t != ":" or int(v) != a.value_size:
        print("slow_reader: STRLEN %s answered %s%s, expected :%d" % (a.key, t, v, a.value_size), file=sys.stderr)
        return 1
    r.bytes = 0

    _, before = s.sleep_sampling(a.settle, "before", step)
    cmd = b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(a.key), a.key.encode())
    t_send = time.time()
    sock.sendall(cmd * a.replies)
    peak, hold_end = s.sleep_sampling(a.hold, "hold", step)

    got = errors = wrong = 0
    closed = False
    first_error = ""
    sock.settimeout(a.read_timeout)
    t0 = time.monotonic()
    try:
        while got + errors < a.replies:
            t, v = r.reply()
            if t == "$":
                got += 1
                if v != a.value_size:
                    wrong += 1
            else:
                errors += 1
                first_error = first_error or "%s%s" % (t, v)
    except (EOFError, ConnectionResetError):
        closed = True
    except socket.timeout:
        print("slow_reader: no reply for %.0f s while draining" % a.read_timeout, file=sys.stderr)
        return 1
    drain_s = time.monotonic() - t0
    after_drain = s.sample("drained")

    # idle, still connected (unless the server closed the connection); then see whether it is still open
    _, after_idle = s.sleep_sampling(a.idle, "idle", step)
    if not closed:
        sock.setblocking(False)
        try:
            if sock.recv(1) == b"":
                closed = True
        except BlockingIOError:
            pass
        except ConnectionResetError:
            closed = True
    sock.close()
    _, after_close = s.sleep_sampling(a.settle, "closed", step)
    hwm = {name: status_kb(pid, "VmHWM") for name, pid in watch}
    s.write()

    res.update({
        "send_epoch": t_send,
        "client_rcvbuf": rcvbuf,
        "replies_received": got,
        "wrong_length": wrong,
        "errors": errors,
        "first_error": first_error,
        "closed_by_server": closed,
        "bytes_received": r.bytes,
        "drain_s": round(drain_s, 3),
        "rss_kb": {name: {"before": before[name], "peak": peak[name], "hold_end": hold_end[name],
                          "drained": after_drain[name], "idle": after_idle[name], "closed": after_close[name],
                          "hwm": hwm[name]} for name, _ in watch},
    })
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
