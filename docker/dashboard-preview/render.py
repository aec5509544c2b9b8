#!/usr/bin/env python3
"""Render docker/grafana/dashboards/resplit.json as static HTML from a live Prometheus. Standard library only.

For every panel of the dashboard it runs the panel's PromQL targets through Prometheus's HTTP API
(query_range over --start..--end, --step), with $instance (and ${instance}) replaced by .* (the dashboard's
"All"), $__rate_interval by --rate-interval, and range windows mapped by --window (for example 1m=20s).
It then lays the panels out by gridPos on Grafana's 24-column grid and draws them as inline SVG:
timeseries as line charts (legend, axes, units, field overrides), stat as big numbers (last non-null value,
value mappings and thresholds), state-timeline as coloured bands, row as a header. This is a stand-in for
Grafana, not Grafana: it implements only the options this dashboard uses.

It prints one line per panel saying whether each of its queries returned data, and exits with status 3
when a panel has no data (after writing the HTML, so the empty panels can be seen).
"""
import argparse
import datetime as dt
import html
import json
import math
import re
import sys
import urllib.parse
import urllib.request

# Grafana's layout constants (react-grid-layout as configured by Grafana)
GRID_COLS, CELL_H, MARGIN = 24, 30, 8
HEADER_H = 32

# Grafana's classic palette, in order
PALETTE = ["#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A9", "#705DA0",
           "#508642", "#CCA300", "#447EBC", "#C15C17", "#890F02", "#0A437C", "#6D1F62", "#584477"]
# Grafana's named colours (dark theme)
NAMED = {"green": "#73BF69", "red": "#F2495C", "orange": "#FF9830", "yellow": "#FADE2A", "blue": "#5794F2",
         "purple": "#B877D9", "transparent": "transparent", "text": "#ccccdc"}

BG, PANEL_BG, BORDER, TEXT, TEXT_DIM, GRID = "#111217", "#181b1f", "#2c3235", "#ccccdc", "#8e8e98", "#2a2d33"


def color(name):
    if not name:
        return PALETTE[0]
    return NAMED.get(name, name)


# ---------------------------------------------------------------- Prometheus

class Prom:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def get(self, path, **params):
        q = urllib.parse.urlencode(params)
        with urllib.request.urlopen("%s%s?%s" % (self.url, path, q), timeout=60) as r:
            body = json.load(r)
        if body.get("status") != "success":
            raise RuntimeError("%s: %s" % (path, body))
        return body["data"]

    def query_range(self, expr, start, end, step):
        data = self.get("/api/v1/query_range", query=expr, start=start, end=end, step=step)
        out = []
        for s in data["result"]:
            pts = []
            for t, v in s["values"]:
                f = float(v)
                if math.isfinite(f):
                    pts.append((float(t), f))
            out.append((s["metric"], pts))
        return out


def substitute(expr, args):
    expr = expr.replace("${instance}", ".*").replace("$instance", ".*")
    expr = expr.replace("$__rate_interval", args.rate_interval)
    for old, new in args.window_map.items():
        expr = expr.replace("[%s]" % old, "[%s]" % new)
    return expr


def legend_name(fmt, metric, expr):
    if fmt:
        return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: metric.get(m.group(1), ""), fmt)
    if not metric:
        return expr
    return "{" + ", ".join('%s="%s"' % kv for kv in sorted(metric.items())) + "}"


# ---------------------------------------------------------------- units

def _scaled(v, steps, decimals):
    a = abs(v)
    for factor, suffix in reversed(steps):
        if a >= factor:
            return "%s%s" % (_num(v / factor, decimals), suffix)
    return _num(v, decimals)


def _num(v, decimals):
    if decimals is None:
        a = abs(v)
        decimals = 0 if a >= 100 or v == int(v) else (1 if a >= 10 else 2)
    return "%.*f" % (decimals, v)


SI = [(1e3, " K"), (1e6, " Mil"), (1e9, " Bil")]
IEC = [(1024, " KiB"), (1024 ** 2, " MiB"), (1024 ** 3, " GiB")]


def fmt(v, unit, decimals=None):
    if v is None or not math.isfinite(v):
        return "-"
    if unit == "percentunit":
        return _num(v * 100, decimals if decimals is not None else (0 if abs(v) >= 0.1 else 1)) + "%"
    if unit == "s":
        a = abs(v)
        if a == 0:
            return "0 s"
        if a < 1e-3:
            return _num(v * 1e6, decimals) + " µs"
        if a < 1:
            return _num(v * 1e3, decimals) + " ms"
        return _num(v, decimals) + " s"
    if unit == "bytes":
        return _scaled(v, IEC, decimals) + ("" if abs(v) >= 1024 else " B")
    if unit == "ops":
        return _scaled(v, SI, decimals) + " ops/s"
    if unit == "cps":
        return _scaled(v, SI, decimals) + " c/s"
    if unit == "short":
        return _scaled(v, SI, decimals)
    return _num(v, decimals)  # none


def nice_ticks(lo, hi, n=4):
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw * (1 - 1e-9):
            step = m * mag
            break
    first = math.floor(lo / step) * step
    ticks = []
    t = first
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 12))
        t += step
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 12))
    return ticks, step


def axis_scale(unit, amax):
    """(factor, suffix) for the tick labels of an axis whose largest absolute value is `amax`."""
    if unit == "s":
        return (1e-6, " µs") if amax < 1e-3 else ((1e-3, " ms") if amax < 1 else (1, " s"))
    if unit == "percentunit":
        return 0.01, "%"
    if unit == "bytes":
        return next(((f, x) for f, x in reversed(IEC) if amax >= f), (1, " B"))
    suffix = {"ops": " ops/s", "cps": " c/s"}.get(unit, "")
    if unit in ("ops", "cps", "short"):
        f, x = next(((f, x) for f, x in reversed(SI) if amax >= f), (1, ""))
        return f, x + suffix
    return 1, suffix


def axis_ticks(lo, hi, unit, n):
    """Nice ticks in the axis's display unit (so 1 KiB steps, not 1000 B): (values, labels)."""
    factor, suf = axis_scale(unit, max(abs(lo), abs(hi)))
    ticks, step = nice_ticks(lo / factor, hi / factor, n)
    d = max(0, -int(math.floor(math.log10(step) + 1e-9)))
    labels = ["0" + suf if t == 0 else "%.*f%s" % (d, t, suf) for t in ticks]
    return [t * factor for t in ticks], labels


# ---------------------------------------------------------------- drawing helpers

def esc(s):
    return html.escape(str(s), quote=True)


def text_w(s, size):
    return len(s) * size * 0.56


def time_ticks(t0, t1, width):
    span = t1 - t0
    for step in (5, 10, 15, 30, 60, 120, 300, 600):
        if span / step <= max(2, width / 90):
            break
    first = math.ceil(t0 / step) * step
    return [first + i * step for i in range(int((t1 - first) // step) + 1)]


def hhmmss(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%H:%M:%S")


def events_svg(events, x_of, top, bottom, label=True):
    out = []
    last_x, level = -1e9, 0
    for n, (t, _) in enumerate(events, 1):
        x = x_of(t)
        level = level + 1 if x - last_x < 9 else 0  # labels of close events go one under the other
        last_x = x
        out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#00d3ff" stroke-opacity="0.55" '
                   'stroke-dasharray="3,3" stroke-width="1"/>' % (x, x, top, bottom))
        if label:
            out.append('<text x="%.1f" y="%.1f" font-size="10" fill="#00d3ff" text-anchor="middle">%d</text>'
                       % (x, top - 2 + 10 * level, n))
    return "".join(out)


# ---------------------------------------------------------------- panels

def field_props(panel, name):
    """unit, axis placement, colour override and decimals for the series `name` (byName overrides)."""
    d = panel.get("fieldConfig", {}).get("defaults", {})
    props = {"unit": d.get("unit", "short"), "axis": d.get("custom", {}).get("axisPlacement", "auto"),
             "color": None, "decimals": d.get("decimals")}
    for o in panel.get("fieldConfig", {}).get("overrides", []):
        m = o.get("matcher", {})
        if m.get("id") == "byName" and m.get("options") == name:
            for p in o.get("properties", []):
                if p["id"] == "unit":
                    props["unit"] = p["value"]
                elif p["id"] == "custom.axisPlacement":
                    props["axis"] = p["value"]
                elif p["id"] == "color" and p["value"].get("mode") == "fixed":
                    props["color"] = color(p["value"].get("fixedColor"))
                elif p["id"] == "decimals":
                    props["decimals"] = p["value"]
    return props


def draw_timeseries(panel, series, w, h, args, events):
    """series: list of (name, points). Returns SVG body for a w x h content box."""
    if not any(pts for _, pts in series):
        return no_data(w, h)
    d = panel.get("fieldConfig", {}).get("defaults", {})
    custom = d.get("custom", {})
    fill = custom.get("fillOpacity", 0) / 100.0
    lw = custom.get("lineWidth", 1)
    legend = panel.get("options", {}).get("legend", {})
    show_legend = legend.get("showLegend", True) and legend.get("displayMode") != "hidden"

    items = []
    for i, (name, pts) in enumerate(series):
        p = field_props(panel, name)
        items.append({"name": name, "pts": pts, "color": p["color"] or PALETTE[i % len(PALETTE)],
                      "unit": p["unit"], "right": p["axis"] == "right", "decimals": p["decimals"]})

    # legend layout (list mode, bottom): wrap items into lines
    leg_lines, line, lx = [], [], 0
    for it in items if show_legend else []:
        iw = 14 + 6 + text_w(it["name"], 12) + 16
        if line and lx + iw > w:
            leg_lines.append(line)
            line, lx = [], 0
        line.append((lx, it))
        lx += iw
    if line:
        leg_lines.append(line)
    leg_h = 20 * len(leg_lines) + (4 if leg_lines else 0)

    def axis(sel):
        vals = [v for it in items if it["right"] == sel for _, v in it["pts"]]
        if not vals:
            return None
        unit = next(it["unit"] for it in items if it["right"] == sel)
        lo = min(vals)
        if d.get("min") is not None:
            lo = min(lo, d["min"]) if lo < d["min"] else d["min"]
        hi = max(vals)
        if hi <= lo:
            hi = lo + (abs(lo) if lo else 1)
        ticks, labels = axis_ticks(lo, hi, unit, 4 if h > 150 else 2)
        return {"lo": ticks[0], "hi": ticks[-1], "ticks": ticks, "labels": labels, "unit": unit,
                "width": max(text_w(l, 11) for l in labels) + 8}

    left, right = axis(False), axis(True)
    if left is None and right is not None:
        left, right = right, None
        for it in items:
            it["right"] = False
    pl = (left["width"] if left else 0)
    pr = (right["width"] if right else 6)
    pt, pb = 8, 18 + leg_h
    pw, ph = w - pl - pr, h - pt - pb
    t0, t1 = args.start, args.end

    def X(t):
        return pl + (t - t0) / (t1 - t0) * pw

    def Y(v, ax):
        return pt + ph - (v - ax["lo"]) / (ax["hi"] - ax["lo"]) * ph

    out = []
    for tv, lab in zip(left["ticks"], left["labels"]):
        y = Y(tv, left)
        out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>' % (pl, pl + pw, y, y, GRID))
        out.append('<text x="%.1f" y="%.1f" font-size="11" fill="%s" text-anchor="end" dominant-baseline="middle">'
                   '%s</text>' % (pl - 6, y, TEXT_DIM, esc(lab)))
    if right:
        for tv, lab in zip(right["ticks"], right["labels"]):
            y = Y(tv, right)
            out.append('<text x="%.1f" y="%.1f" font-size="11" fill="%s" dominant-baseline="middle">%s</text>'
                       % (pl + pw + 6, y, TEXT_DIM, esc(lab)))
    for tt in time_ticks(t0, t1, pw):
        x = X(tt)
        out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>' % (x, x, pt, pt + ph, GRID))
        out.append('<text x="%.1f" y="%.1f" font-size="11" fill="%s" text-anchor="middle">%s</text>'
                   % (x, pt + ph + 14, TEXT_DIM, hhmmss(tt)))
    out.append(events_svg(events, X, pt + 10, pt + ph, label=True))

    gap = args.step * 1.5
    for it in items:
        ax = right if it["right"] else left
        segs, cur, prev = [], [], None
        for t, v in it["pts"]:
            if prev is not None and t - prev > gap:
                segs.append(cur)
                cur = []
            cur.append((X(t), Y(min(max(v, ax["lo"]), ax["hi"]), ax)))
            prev = t
        if cur:
            segs.append(cur)
        base = Y(max(ax["lo"], 0) if ax["lo"] <= 0 <= ax["hi"] else ax["lo"], ax)
        for seg in segs:
            path = " ".join("%.1f,%.1f" % p for p in seg)
            if fill > 0 and len(seg) > 1:
                out.append('<polygon points="%.1f,%.1f %s %.1f,%.1f" fill="%s" fill-opacity="%.2f"/>'
                           % (seg[0][0], base, path, seg[-1][0], base, it["color"], fill))
            if len(seg) == 1:
                out.append('<circle cx="%.1f" cy="%.1f" r="1.5" fill="%s"/>' % (seg[0][0], seg[0][1], it["color"]))
            else:
                out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="%s" '
                           'stroke-linejoin="round"/>' % (path, it["color"], lw))
    y0 = h - leg_h + 8
    for li, line in enumerate(leg_lines):
        y = y0 + li * 20 + 6
        for lx, it in line:
            out.append('<rect x="%.1f" y="%.1f" width="14" height="4" rx="2" fill="%s"/>' % (lx + 4, y - 2, it["color"]))
            out.append('<text x="%.1f" y="%.1f" font-size="12" fill="%s" dominant-baseline="middle">%s</text>'
                       % (lx + 24, y, TEXT, esc(it["name"])))
    return "".join(out)


def mapped(panel, value):
    """(text, colour) from value mappings, else None."""
    d = panel.get("fieldConfig", {}).get("defaults", {})
    for m in d.get("mappings", []):
        if m.get("type") == "value":
            for k, res in m.get("options", {}).items():
                try:
                    if float(k) == value:
                        return res.get("text"), res.get("color")
                except ValueError:
                    pass
    return None


def threshold_color(panel, value):
    steps = panel.get("fieldConfig", {}).get("defaults", {}).get("thresholds", {}).get("steps", [])
    c = "green"
    for s in steps:
        if s.get("value") is None or value >= s["value"]:
            c = s["color"]
    return color(c)


def draw_stat(panel, series, w, h):
    vals = [(name, pts[-1][1]) for name, pts in series if pts]  # lastNotNull
    if not vals:
        return no_data(w, h)
    d = panel.get("fieldConfig", {}).get("defaults", {})
    unit, dec = d.get("unit", "none"), d.get("decimals")
    n = len(vals)
    horizontal = w >= h
    gap = 6
    out = []
    for i, (name, v) in enumerate(vals):
        if horizontal:
            bw, bh = (w - gap * (n - 1)) / n, h
            bx, by = i * (bw + gap), 0
        else:
            bw, bh = w, (h - gap * (n - 1)) / n
            bx, by = 0, i * (bh + gap)
        m = mapped(panel, v)
        txt = m[0] if m and m[0] else fmt(v, unit, dec)
        bg = color(m[1]) if m and m[1] else threshold_color(panel, v)
        out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="2" fill="%s"/>' % (bx, by, bw, bh, bg))
        name_size = min(16, max(10, bh * 0.1))
        val_size = min(bh * 0.38, bw / max(3, len(txt)) * 1.6, 64)
        cx = bx + bw / 2
        out.append('<text x="%.1f" y="%.1f" font-size="%.1f" fill="#fff" text-anchor="middle">%s</text>'
                   % (cx, by + bh * 0.32, name_size, esc(name)))
        out.append('<text x="%.1f" y="%.1f" font-size="%.1f" font-weight="500" fill="#fff" text-anchor="middle" '
                   'dominant-baseline="middle">%s</text>' % (cx, by + bh * 0.62, val_size, esc(txt)))
    return "".join(out)


def draw_state_timeline(panel, series, w, h, args, events):
    if not any(pts for _, pts in series):
        return no_data(w, h)
    opts = panel.get("options", {})
    row_frac = opts.get("rowHeight", 0.9)
    fill = panel.get("fieldConfig", {}).get("defaults", {}).get("custom", {}).get("fillOpacity", 70) / 100.0
    label_w = max(text_w(n, 12) for n, _ in series) + 12
    pl, pr, pt, pb = label_w, 8, 4, 20
    pw, ph = w - pl - pr, h - pt - pb
    t0, t1 = args.start, args.end
    X = lambda t: pl + (t - t0) / (t1 - t0) * pw
    rh = ph / len(series)
    out = []
    gap = args.step * 1.5
    for i, (name, pts) in enumerate(series):
        y = pt + i * rh + rh * (1 - row_frac) / 2
        bh = rh * row_frac
        out.append('<text x="%.1f" y="%.1f" font-size="12" fill="%s" text-anchor="end" dominant-baseline="middle">'
                   '%s</text>' % (pl - 8, y + bh / 2, TEXT, esc(name)))
        runs = []  # (start, end, value)
        for j, (t, v) in enumerate(pts):
            nxt = pts[j + 1][0] if j + 1 < len(pts) else min(t + args.step, t1)
            if nxt - t > gap:
                nxt = t + args.step
            if runs and runs[-1][2] == v and abs(runs[-1][1] - t) < 1e-6:
                runs[-1][1] = nxt
            else:
                runs.append([t, nxt, v])
        for a, b, v in runs:
            m = mapped(panel, v)
            txt = m[0] if m and m[0] else fmt(v, "none")
            c = color(m[1]) if m and m[1] else threshold_color(panel, v)
            xa, xb = X(a), X(b)
            if c == "transparent":
                out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="%s"/>'
                           % (xa, y, max(0.5, xb - xa), bh, BORDER))
            else:
                out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="%.2f"/>'
                           % (xa, y, max(0.5, xb - xa), bh, c, fill))
            if xb - xa > text_w(txt, 12) + 8:
                out.append('<text x="%.1f" y="%.1f" font-size="12" fill="#fff" dominant-baseline="middle">%s</text>'
                           % (xa + 6, y + bh / 2, esc(txt)))
    for tt in time_ticks(t0, t1, pw):
        out.append('<text x="%.1f" y="%.1f" font-size="11" fill="%s" text-anchor="middle">%s</text>'
                   % (X(tt), pt + ph + 14, TEXT_DIM, hhmmss(tt)))
    out.append(events_svg(events, X, pt + 10, pt + ph, label=True))
    return "".join(out)


def no_data(w, h):
    return ('<text x="%.1f" y="%.1f" font-size="16" fill="%s" text-anchor="middle" dominant-baseline="middle">'
            'No data</text>' % (w / 2, h / 2, TEXT_DIM))


# ---------------------------------------------------------------- page

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prometheus", required=True, help="base URL, e.g. http://127.0.0.1:9090")
    ap.add_argument("--dashboard", required=True)
    ap.add_argument("--start", type=float, required=True)
    ap.add_argument("--end", type=float, required=True)
    ap.add_argument("--step", type=float, default=2)
    ap.add_argument("--window", action="append", default=[], help="OLD=NEW range window, e.g. 1m=20s (repeatable)")
    ap.add_argument("--rate-interval", default="30s", help="value for $__rate_interval")
    ap.add_argument("--events", help="JSON file: [[unix_time, label], ...] drawn as numbered dashed markers")
    ap.add_argument("--caption", action="append", default=[], help="caption line (repeatable; the first is the title)")
    ap.add_argument("--width", type=int, default=1600)
    ap.add_argument("--out", required=True, help="HTML file to write")
    ap.add_argument("--height-file", help="write the page height in pixels here")
    args = ap.parse_args()
    args.window_map = dict(wm.split("=", 1) for wm in args.window)

    with open(args.dashboard) as f:
        dash = json.load(f)
    events = []
    if args.events:
        with open(args.events) as f:
            events = [(float(t), str(l)) for t, l in json.load(f)]
    prom = Prom(args.prometheus)

    W = args.width
    pad = 16
    col_w = (W - 2 * pad - MARGIN * (GRID_COLS - 1)) / GRID_COLS
    cap_lines = args.caption or ["resplit dashboard"]
    ev_lines = ["%d  %s  %s" % (n, hhmmss(t), l) for n, (t, l) in enumerate(events, 1)]
    cap_h = 24 + 30 + 18 * (len(cap_lines) - 1) + (18 * len(ev_lines) + 6 if ev_lines else 0) + 12
    top = cap_h + 8

    bodies, empty, zero_only = [], [], []
    max_bottom = 0
    print("panel data check (query_range %s .. %s, step %gs):" % (hhmmss(args.start), hhmmss(args.end), args.step))
    for panel in sorted(dash["panels"], key=lambda p: (p["gridPos"]["y"], p["gridPos"]["x"])):
        gp = panel["gridPos"]
        x = pad + gp["x"] * (col_w + MARGIN)
        y = top + gp["y"] * (CELL_H + MARGIN)
        pw = gp["w"] * col_w + (gp["w"] - 1) * MARGIN
        ph = gp["h"] * CELL_H + (gp["h"] - 1) * MARGIN
        max_bottom = max(max_bottom, y + ph)
        title = panel.get("title", "")
        if panel["type"] == "row":
            bodies.append('<div class="row" style="left:%.1fpx;top:%.1fpx;width:%.1fpx;height:%.1fpx">'
                          '<span class="chev">&#8964;</span>%s</div>' % (x, y, pw, ph, esc(title)))
            continue
        series, checks = [], []
        for tgt in panel.get("targets", []):
            if tgt.get("hide"):
                continue
            expr = substitute(tgt["expr"], args)
            res = prom.query_range(expr, args.start, args.end, args.step)
            pts_total = sum(len(p) for _, p in res)
            nonzero = any(v != 0 for _, p in res for _, v in p)
            checks.append((tgt.get("refId", "?"), expr, len(res), pts_total, nonzero))
            for metric, pts in res:
                series.append((legend_name(tgt.get("legendFormat", ""), metric, expr), pts))
        ok = bool(checks) and all(c[3] > 0 for c in checks)
        all_zero = ok and not any(c[4] for c in checks)
        status = "ok" if ok and not all_zero else ("ok, all values 0" if ok else "NO DATA")
        print("  %-36s %-15s %s" % (title, panel["type"], status))
        for ref, expr, n, pts, nz in checks:
            print("      %s: %d series, %d points%s  %s" % (ref, n, pts, "" if nz or not pts else " (all 0)", expr))
        if not ok:
            empty.append(title)
        elif all_zero:
            zero_only.append(title)
        cw, ch = pw - 16, ph - HEADER_H - 8
        if panel["type"] == "timeseries":
            body = draw_timeseries(panel, series, cw, ch, args, events)
        elif panel["type"] == "stat":
            body = draw_stat(panel, series, cw, ch)
        elif panel["type"] == "state-timeline":
            body = draw_state_timeline(panel, series, cw, ch, args, events)
        else:
            body = no_data(cw, ch)
        bodies.append('<div class="panel" style="left:%.1fpx;top:%.1fpx;width:%.1fpx;height:%.1fpx">'
                      '<div class="title">%s</div><svg width="%.1f" height="%.1f" style="left:8px;top:%dpx">%s</svg>'
                      '</div>' % (x, y, pw, ph, esc(title), cw, ch, HEADER_H, body))

    H = int(max_bottom + pad)
    cap = ['<div class="cap">', '<div class="t1">%s</div>' % esc(cap_lines[0])]
    cap += ['<div class="t2">%s</div>' % esc(l) for l in cap_lines[1:]]
    if ev_lines:
        cap.append('<div class="ev">%s</div>' % "<br>".join(
            '<span class="mk">%s</span>%s' % (esc(l.split("  ", 1)[0]), esc("  " + l.split("  ", 1)[1]))
            for l in ev_lines))
    cap.append("</div>")
    page = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%(title)s</title><style>
html,body{margin:0;padding:0;background:%(bg)s;color:%(text)s;font-family:"Liberation Sans",Arial,"DejaVu Sans",sans-serif}
.page{position:relative;width:%(W)dpx;height:%(H)dpx;overflow:hidden}
.cap{position:absolute;left:16px;top:12px;right:16px;padding:10px 14px;border:1px solid #3d71d9;border-radius:3px;
     background:#1a2233;font-size:13px;line-height:18px}
.cap .t1{font-size:17px;font-weight:bold;color:#fff;line-height:26px}
.cap .t2{color:%(text)s}
.cap .ev{margin-top:6px;color:#9fe8ff;font-family:"DejaVu Sans Mono",monospace;font-size:12px;white-space:pre}
.cap .mk{color:#00d3ff;font-weight:bold}
.panel{position:absolute;background:%(panel)s;border:1px solid %(border)s;border-radius:2px;box-sizing:border-box}
.panel .title{height:%(hh)dpx;line-height:%(hh)dpx;padding:0 8px;font-size:14px;font-weight:500;color:%(text)s;
     white-space:nowrap;overflow:hidden}
.panel svg{position:absolute;font-family:"Liberation Sans",Arial,sans-serif}
.row{position:absolute;font-size:17px;font-weight:500;color:%(text)s;line-height:30px}
.row .chev{display:inline-block;width:20px;color:%(dim)s;font-size:14px;vertical-align:4px}
</style></head><body><div class="page">
%(cap)s
%(bodies)s
</div></body></html>
""" % {"title": esc(dash.get("title", "")), "bg": BG, "text": TEXT, "W": W, "H": H, "panel": PANEL_BG,
       "border": BORDER, "hh": HEADER_H, "dim": TEXT_DIM, "cap": "\n".join(cap), "bodies": "\n".join(bodies)}
    with open(args.out, "w") as f:
        f.write(page)
    if args.height_file:
        with open(args.height_file, "w") as f:
            f.write(str(H))
    if zero_only:
        print("panels whose queries returned only zeros: " + ", ".join(zero_only))
    if empty:
        print("PANELS WITH NO DATA: " + ", ".join(empty), file=sys.stderr)
        sys.exit(3)
    print("every panel has data")


if __name__ == "__main__":
    main()
