#!/usr/bin/env python3
"""Regenerate resplit's Redis command table from a real Redis server.

Sends COMMAND (and INFO server) to a Redis 7 server over a raw socket,
using a small built-in RESP2 parser, and writes one tab-separated row per
command and per subcommand (e.g. ``client|setname``) to

    proxy/src/main/resources/io/resplit/command/commands.tsv

(relative to the repository root, found from this script's location).
The proxy loads that file at runtime; do not edit it by hand.

Output format (what the Java loader expects):

    # comment lines first (generator, redis_version, column names)
    name<TAB>arity<TAB>flags<TAB>first_key<TAB>last_key<TAB>key_step<TAB>acl_categories<TAB>tips

  * name: lowercase; subcommands as ``parent|sub`` exactly as Redis names them
  * flags: comma-separated flag names as Redis reports them, ``-`` if none
  * acl_categories: comma-separated, without the leading ``@``, ``-`` if none
  * tips: Redis's command tips, comma-separated (``request_policy:multi_shard``,
    ``response_policy:agg_sum``, ...), ``-`` if none; cluster mode splits and fans
    out commands by them
  * rows sorted by name (byte order); file ends with a newline, so
    regenerating against the same server yields an identical file.

Usage (standard library only, Python 3.8+):

    # default: start a throw-away redis-server on a free 127.0.0.1 port,
    # query it, and stop it again (also on error)
    proxy/tools/gen-command-table.py

    # or query an existing server
    proxy/tools/gen-command-table.py --host 10.0.0.5 --port 6379 \\
        [--user USER] [--password PASS]

    # write somewhere else ("-" = stdout)
    proxy/tools/gen-command-table.py --out /tmp/commands.tsv

Run ``--help`` for all options.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT = os.path.join("proxy", "src", "main", "resources", "io", "resplit", "command", "commands.tsv")
COLUMNS = ("name", "arity", "flags", "first_key", "last_key", "key_step", "acl_categories", "tips")


# --------------------------------------------------------------------------
# Minimal RESP2 client
# --------------------------------------------------------------------------

class RespError(Exception):
    """An error reply (``-ERR ...``) from the server."""


class RespClient:
    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.rfile = self.sock.makefile("rb")

    def close(self):
        try:
            self.rfile.close()
        finally:
            self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, *args):
        """Send one command as a RESP array of bulk strings, return the parsed reply.

        Error replies are raised as RespError.
        """
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode("utf-8")
            parts.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(parts))
        reply = self._read()
        if isinstance(reply, RespError):
            raise reply
        return reply

    def _line(self):
        line = self.rfile.readline()
        if not line:
            raise ConnectionError("connection closed by server")
        if not line.endswith(b"\r\n"):
            raise ValueError("protocol error: unterminated line %r" % line)
        return line[:-2]

    def _read(self):
        """Parse one RESP2 value: + simple, - error, : integer, $ bulk, * array.

        Simple strings and bulk strings are returned as str (UTF-8), nulls as
        None, errors as RespError instances (nested errors stay in arrays).
        """
        line = self._line()
        if not line:
            raise ValueError("protocol error: empty line")
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode("utf-8")
        if t == b"-":
            return RespError(rest.decode("utf-8", "replace"))
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.rfile.read(n + 2)
            if len(data) != n + 2 or data[-2:] != b"\r\n":
                raise ValueError("protocol error: bad bulk string")
            return data[:-2].decode("utf-8")
        if t == b"*":
            n = int(rest)
            if n < 0:
                return None
            return [self._read() for _ in range(n)]
        raise ValueError("protocol error: unsupported reply type %r (RESP2 only)" % t)


# --------------------------------------------------------------------------
# Temporary server
# --------------------------------------------------------------------------

def free_loopback_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempRedis:
    """Starts ``redis-server`` on a free 127.0.0.1 port in a temp dir; stops it on exit."""

    def __init__(self, binary, start_timeout=10.0):
        self.binary = binary
        self.start_timeout = start_timeout
        self.proc = None
        self.tmpdir = None
        self.port = None

    def __enter__(self):
        self.tmpdir = tempfile.mkdtemp(prefix="resplit-gen-")
        self.log_path = os.path.join(self.tmpdir, "redis.log")
        try:
            self._start()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def _start(self):
        self.port = free_loopback_port()
        cmd = [self.binary,
               "--port", str(self.port),
               "--bind", "127.0.0.1",
               "--save", "",
               "--appendonly", "no",
               "--daemonize", "no",
               "--dir", self.tmpdir]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.tmpdir)
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("redis-server exited with code %s during startup:\n%s"
                                   % (self.proc.returncode, self._log_tail()))
            try:
                with RespClient("127.0.0.1", self.port, timeout=1.0) as c:
                    if c.call("PING") == "PONG":
                        return
            except (OSError, RespError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not answer PING on port %d within %.0fs:\n%s"
                                   % (self.port, self.start_timeout, self._log_tail()))
            time.sleep(0.05)

    def _log_tail(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    def __exit__(self, *exc):
        try:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.terminate()  # SIGTERM: redis shuts down cleanly (no save configured)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            if self.tmpdir:
                shutil.rmtree(self.tmpdir, ignore_errors=True)
        return False


# --------------------------------------------------------------------------
# Table generation
# --------------------------------------------------------------------------

def _check_field(value, what):
    if any(ch in value for ch in "\t\r\n") or value == "":
        raise ValueError("unexpected %s %r in COMMAND reply" % (what, value))
    return value


def _names_list(values, what, strip_at=False):
    if values is None:
        values = []
    if not isinstance(values, list):
        raise ValueError("%s: expected array, got %r" % (what, values))
    out = []
    for v in values:
        if not isinstance(v, str):
            raise ValueError("%s: expected string, got %r" % (what, v))
        if strip_at and v.startswith("@"):
            v = v[1:]
        if "," in v:
            raise ValueError("%s: name contains a comma: %r" % (what, v))
        out.append(_check_field(v, what))
    return ",".join(out) if out else "-"


def command_rows(reply):
    """Turn a COMMAND reply into [(name, arity, flags, first, last, step, acl, tips)], sorted."""
    if not isinstance(reply, list):
        raise ValueError("COMMAND: expected array reply, got %r" % type(reply).__name__)
    rows = []

    def add(entry, parent):
        if not isinstance(entry, list) or len(entry) < 6:
            raise ValueError("COMMAND: malformed entry %r" % (entry,))
        name = entry[0]
        if not isinstance(name, str):
            raise ValueError("COMMAND: bad name %r" % (name,))
        name = _check_field(name.lower(), "command name")
        if parent is not None and not name.startswith(parent + "|"):
            raise ValueError("COMMAND: subcommand %r not named %s|<sub>" % (name, parent))
        for i in (1, 3, 4, 5):
            if not isinstance(entry[i], int):
                raise ValueError("COMMAND %s: element %d is not an integer: %r" % (name, i, entry[i]))
        flags = _names_list(entry[2], "flags of " + name)
        acl = _names_list(entry[6] if len(entry) > 6 else [], "acl categories of " + name, strip_at=True)
        tips = _names_list(entry[7] if len(entry) > 7 else [], "tips of " + name)
        rows.append((name, str(entry[1]), flags, str(entry[3]), str(entry[4]), str(entry[5]), acl, tips))
        subs = entry[9] if len(entry) > 9 else None
        if subs:
            if parent is not None:
                raise ValueError("COMMAND: nested subcommands under %r" % name)
            for sub in subs:
                add(sub, name)

    for entry in reply:
        add(entry, None)

    rows.sort(key=lambda r: r[0].encode("utf-8"))
    for a, b in zip(rows, rows[1:]):
        if a[0] == b[0]:
            raise ValueError("COMMAND: duplicate command name %r" % a[0])
    return rows


def redis_version(info_text):
    for line in info_text.splitlines():
        if line.startswith("redis_version:"):
            return line.split(":", 1)[1].strip()
    raise ValueError("INFO server: no redis_version field")


def render(rows, version):
    lines = [
        "# Generated by proxy/tools/gen-command-table.py from redis_version %s; do not edit by hand." % version,
        "# Columns (tab-separated): " + "\t".join(COLUMNS),
    ]
    lines.extend("\t".join(r) for r in rows)
    return "\n".join(lines) + "\n"


def fetch(host, port, user, password):
    with RespClient(host, port) as c:
        if password is not None:
            if user is not None:
                c.call("AUTH", user, password)
            else:
                c.call("AUTH", password)
        version = redis_version(c.call("INFO", "server"))
        reply = c.call("COMMAND")
    top_level = len(reply)
    rows = command_rows(reply)
    return version, rows, top_level


def write_atomically(path, text):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".commands-", suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; use normal file permissions
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Generate resplit's command table (commands.tsv) from a Redis server's COMMAND reply.")
    p.add_argument("--host", help="query this server instead of starting a temporary redis-server")
    p.add_argument("--port", type=int, help="port of --host (default 6379)")
    p.add_argument("--user", help="ACL user for AUTH (needs --password)")
    p.add_argument("--password", help="password for AUTH")
    p.add_argument("--redis-server", default="redis-server",
                   help="redis-server binary for the temporary server (default: from PATH)")
    p.add_argument("--out", default=os.path.join(REPO_ROOT, DEFAULT_OUT),
                   help="output file, '-' for stdout (default: <repo>/%s)" % DEFAULT_OUT)
    args = p.parse_args(argv)

    if args.host is None and (args.port is not None or args.user is not None or args.password is not None):
        p.error("--port/--user/--password need --host (the temporary server picks its own port, no auth)")
    if args.user is not None and args.password is None:
        p.error("--user needs --password")

    try:
        if args.host is not None:
            port = args.port if args.port is not None else 6379
            version, rows, top_level = fetch(args.host, port, args.user, args.password)
        else:
            with TempRedis(args.redis_server) as srv:
                version, rows, top_level = fetch("127.0.0.1", srv.port, None, None)
        text = render(rows, version)
        if args.out == "-":
            sys.stdout.write(text)
        else:
            write_atomically(args.out, text)
    except (OSError, RespError, ValueError, RuntimeError) as e:
        print("gen-command-table: error: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1

    print("redis_version %s: %d commands + %d subcommands = %d rows -> %s"
          % (version, top_level, len(rows) - top_level, len(rows), args.out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
