#!/usr/bin/env python3
"""Renders JMH JSON results into docs/benchmarks.md (a table per target of PRODUCT.md section 5) and
docs/benchmarks.svg (a bar chart of the same ratios). Standard library only.

usage: report.py RESULTS.json OUT.md OUT.svg [ENVIRONMENT.txt]

Every ratio is taken between scores of the same run. A target whose benchmarks are missing from the run is listed
as "not measured" rather than guessed.
"""
import json
import sys
from statistics import median


def load(path):
    with open(path) as f:
        return json.load(f)


def short(name):
    return name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1]


def index(results):
    """(benchmark class, frozenset(params)) -> result dict, plus secondary metrics."""
    table = {}
    for r in results:
        cls = r["benchmark"].rsplit(".", 2)[-2]
        params = r.get("params", {})
        table[(cls, frozenset(params.items()))] = r
    return table


def find(table, cls, **params):
    for (c, p), r in table.items():
        if c == cls and all((k, str(v)) in p for k, v in params.items()):
            return r
    return None


def score(r):
    return r["primaryMetric"]["score"] if r else None


def secondary(r, name):
    if not r:
        return None
    metrics = r.get("secondaryMetrics", {})
    m = metrics.get(name) or metrics.get("\u00b7" + name) or metrics.get(name.lstrip("\u00b7"))
    return m["score"] if m else None


def fmt(value, unit=""):
    if value is None:
        return "not measured"
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f} M{unit}"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.1f} k{unit}"
    return f"{value:.2f}{unit}"


def rows(table):
    """Each row: (target, what, eventhub value, peer/reference value, ratio, goal, met?)."""
    out = []

    def ratio_row(target, what, hub, peer, goal, higher_is_better=True):
        if hub is None or peer is None or peer == 0:
            out.append((target, what, hub, peer, None, goal, None))
            return
        ratio = hub / peer if higher_is_better else peer / hub
        out.append((target, what, hub, peer, ratio, goal, ratio >= goal))

    tp = "ThroughputBenchmark"
    peers_p1 = [("mpsc", 0.7), ("disruptor", 1.5), ("submissionPublisher", 1.0), ("abq", 2.0), ("guava", 3.0)]
    for impl, goal in peers_p1:
        ratio_row("P1", f"1 producer: eventhub / {impl}", score(find(table, tp, impl="eventhub", producers=1)),
                  score(find(table, tp, impl=impl, producers=1)), goal)
    for producers in (2, 4):
        for impl, goal in (("disruptor", 2.0), ("submissionPublisher", 1.5), ("mpsc", 0.5)):
            ratio_row("P2", f"{producers} producers: eventhub / {impl}",
                      score(find(table, tp, impl="eventhub", producers=producers)),
                      score(find(table, tp, impl=impl, producers=producers)), goal)

    dc = "DispatchCostBenchmark"
    for (c, p), r in sorted(table.items(), key=lambda kv: sorted(kv[0][1])):
        if c != dc:
            continue
        params = dict(p)
        subs = int(params.get("subscribers", 1))
        pct = int(params.get("matchPercent", 100))
        matched = subs * pct / 100.0
        budget = 8 + 2 * matched
        ns = score(r)
        out.append(("P3", f"dispatch cost, {subs} subscribers, {pct}% match (ns/event vs budget)", ns, budget,
                    budget / ns if ns else None, 1.0, ns is not None and ns <= budget))

    tr = "TopicRoutingBenchmark"
    for kind in ("exact", "pattern"):
        ratio_row("P4", f"10,000 vs 1 subscriber, {kind} topics",
                  score(find(table, tr, kind=kind, subscribers=10000)), score(find(table, tr, kind=kind, subscribers=1)),
                  0.5)

    rb = "ReplayBenchmark"
    for (c, p), r in table.items():
        if c == rb:
            s = score(r)
            selective = dict(p).get("filter", "none") != "none"
            # P5 is about delivered replay (no filter); a 1% filter is judged on events scanned (methodology G5).
            goal = 200e6 if selective else 50e6
            what = "scanned with a 1% filter" if selective else "replayed and delivered"
            out.append(("P5", f"full 64 Ki ring {what}, events/s", s, goal, s / goal if s else None, 1.0,
                        s is not None and s >= goal))

    for (c, p), r in table.items():
        alloc = secondary(r, "gc.alloc.rate.norm")
        if alloc is not None and c in (dc, tr) or (c == tp and dict(p).get("impl") == "eventhub" and alloc is not None):
            label = ", ".join(f"{k}={v}" for k, v in sorted(p))
            out.append(("P6", f"bytes allocated per op, {c} ({label})", alloc, 0.0, None, None,
                        alloc is not None and alloc < 1.0))

    lb = "LatencyBenchmark"
    for (c, p), r in table.items():
        if c == lb and dict(p).get("impl") == "eventhub":
            params = {k: v for k, v in p if k != "impl"}
            peer = find(table, lb, impl="disruptor", **params)
            hub99 = secondary(r, "p99") or secondary(r, "p99Nanos")
            peer99 = secondary(peer, "p99") or secondary(peer, "p99Nanos")
            label = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
            ratio_row("P7", f"p99 latency ({label}): disruptor / eventhub", hub99, peer99, 1.0, higher_is_better=False)
    return out


def markdown(out_rows, environment):
    lines = ["# Benchmarks", "",
             "Generated by `benchmarks/run` from JMH results of one run; every ratio compares scores of that same run.",
             "Throughputs are delivered events per second, verified (each benchmark fails unless everything published "
             "was delivered). See `benchmarks/README.md` for what each benchmark does.", ""]
    if environment:
        lines += ["```", environment.strip(), "```", ""]
    lines += ["| target | measurement | eventhub | reference | ratio | goal | met |",
              "|---|---|---|---|---|---|---|"]
    for target, what, hub, ref, ratio, goal, met in out_rows:
        lines.append("| {} | {} | {} | {} | {} | {} | {} |".format(
            target, what, fmt(hub), fmt(ref), "—" if ratio is None else f"{ratio:.2f}×",
            "—" if goal is None else f"≥ {goal}×", "—" if met is None else ("yes" if met else "**no**")))
    lines.append("")
    return "\n".join(lines)


def svg(out_rows):
    bars = [r for r in out_rows if r[4] is not None]
    height = 40 + 26 * len(bars)
    width = 1100
    left = 520
    cap = 6.0
    scale = (width - left - 110) / max([3.0] + [min(r[4], cap) for r in bars])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
             f'font-size="12">',
             f'<text x="10" y="20" font-size="14" font-weight="bold">eventhub against its peers and targets: ratio '
             f'in one run (dashed line: the goal; green: met; bars stop at {cap:.0f}x)</text>']
    y = 36
    for target, what, hub, ref, ratio, goal, met in bars:
        shown = min(ratio, cap)
        colour = "#2e7d32" if met else "#c62828"
        label = what if len(what) <= 78 else what[:77] + "…"
        parts.append(f'<text x="10" y="{y + 13}">{target} {label}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{shown * scale:.1f}" height="16" fill="{colour}"/>')
        if goal:
            gx = left + goal * scale
            parts.append(f'<line x1="{gx:.1f}" y1="{y - 2}" x2="{gx:.1f}" y2="{y + 18}" stroke="black" '
                         f'stroke-dasharray="3,2"/>')
        parts.append(f'<text x="{left + shown * scale + 6:.1f}" y="{y + 13}">{ratio:.2f}×</text>')
        y += 26
    parts.append("</svg>")
    return "\n".join(parts)


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    results = load(argv[1])
    environment = open(argv[4]).read() if len(argv) > 4 else ""
    out_rows = rows(index(results))
    with open(argv[2], "w") as f:
        f.write(markdown(out_rows, environment))
    with open(argv[3], "w") as f:
        f.write(svg(out_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
