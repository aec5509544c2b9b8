#!/usr/bin/env python3
"""Scrape a resplit /metrics endpoint once a second while a flag file exists.

Used by bench/metrics-cost.sh so that the "metrics on" proxy pays for a
Prometheus-like scraper during its measured runs, and only then.

    metrics_scraper.py --port P --flag FILE --state FILE --log FILE

- While FILE (--flag) exists: GET http://127.0.0.1:P/metrics half an
  interval after the flag appears, then every --interval seconds. Each scrape appends one line to --log:
  "<epoch> ok <bytes> <ms>" or "<epoch> fail <reason>".
- --state holds "on" or "off" (replaced atomically). It turns "off" only
  after a scrape in progress has finished, so once the caller sees "off" no
  scrape is running and none starts until the flag is back.
- --carry: the scrape clock runs only while the flag exists and carries over
  from one "on" period to the next, so scrapes come every --interval seconds
  of on-time however short each period is (bench/peers.sh: runs of 1-3 s, a
  scrape every 5 s). Without it, each "on" period starts its clock afresh.
- Exits when its parent process goes away or after --max-seconds.

Only loopback hosts are accepted.
"""
import argparse
import os
import sys
import time
import urllib.request

POLL = 0.02  # s between looks at the flag file


def write_state(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(value + "\n")
    os.replace(tmp, path)


def scrape(url, timeout):
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            body = resp.read()
            status = resp.status
    except Exception as e:  # noqa: BLE001 - any failure is logged as such
        return "fail %s" % str(e).replace("\n", " ")[:200]
    ms = (time.monotonic() - t0) * 1000
    if status != 200:
        return "fail status %d" % status
    if b"resplit_commands_total" not in body:
        return "fail no resplit_commands_total in %d bytes" % len(body)
    return "ok %d %.1f" % (len(body), ms)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--flag", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--max-seconds", type=float, default=86400.0)
    ap.add_argument("--carry", action="store_true", help="keep the scrape clock across off periods")
    a = ap.parse_args()
    if a.host not in ("127.0.0.1", "localhost", "::1"):
        print("metrics_scraper: refusing non-loopback host %s" % a.host, file=sys.stderr)
        return 2
    if not 0 < a.interval <= 3600:
        print("metrics_scraper: --interval must be in (0, 3600]", file=sys.stderr)
        return 2
    url = "http://%s:%d/metrics" % (a.host, a.port)
    parent = os.getppid()
    deadline = time.monotonic() + a.max_seconds
    state = "off"
    write_state(a.state, state)
    next_scrape = 0.0
    remaining = a.interval / 2  # --carry: on-time left until the next scrape
    with open(a.log, "a", buffering=1) as log:
        while time.monotonic() < deadline and os.getppid() == parent:
            if os.path.exists(a.flag):
                now = time.monotonic()
                if state != "on":
                    state = "on"
                    # First scrape half an interval in: over a run of d seconds
                    # that gives about d/interval scrapes, not one extra.
                    next_scrape = now + (remaining if a.carry else a.interval / 2)
                    write_state(a.state, state)
                if now >= next_scrape:
                    log.write("%.3f %s\n" % (time.time(), scrape(url, a.timeout)))
                    next_scrape += a.interval
                    if next_scrape < time.monotonic():  # a slow scrape: don't burst
                        next_scrape = time.monotonic() + a.interval
            elif state != "off":
                state = "off"
                remaining = max(0.0, next_scrape - time.monotonic())
                write_state(a.state, state)
            time.sleep(POLL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
