#!/usr/bin/env python3
"""Renders JMH JSON results into docs/benchmarks.md (a table per target of PRODUCT.md section 5, the spread of every
measured configuration, and the consumer batch sizes) and docs/benchmarks.svg (a bar chart of the target ratios).
Standard library only.

usage: report.py RESULTS.json OUT.md OUT.svg [ENVIRONMENT.txt]

Every ratio is taken between scores of the same run. A target whose benchmarks are missing from the run is listed
as "not measured" rather than guessed. Rows name the peer's configuration (ThroughputBenchmark's and
LatencyBenchmark's `impl`, see CONFIGS) so that what was compared can be checked without reading the code.
"""
import json
import sys
from statistics import median


def load(path):
    with open(path) as f:
        return json.load(f)


# What each `impl` of ThroughputBenchmark and LatencyBenchmark is, as the rows quote it. A value may depend on the
# producer count (disruptorBatch is SINGLE at 1 producer, MULTI above).
CONFIGS = {
    "eventhub": "publish, 1 event per call, YIELD",
    "eventhubBatch": "publishAll, lists of 250",
    "mpsc": "JCTools MpscArrayQueue offer, drain 256",
    "disruptorSingle": "SINGLE, Yielding, 1 event per claim",
    "disruptorMulti": "MULTI, Yielding, 1 event per claim",
    "disruptorBatch": lambda producers: ("SINGLE" if str(producers) == "1" else "MULTI")
                                        + ", Yielding, 250 per claim",
    "abq": "ArrayBlockingQueue + consumer thread",
    "submissionPublisher": "JDK SubmissionPublisher, submit",
    "guava": "Guava AsyncEventBus",
    "reactor": "Sinks.many().multicast(), tryEmitNext",
    "rxjava": "PublishSubject.toSerialized()",
    # The name of results older than the split into disruptorSingle / disruptorMulti / disruptorBatch.
    "disruptor": "MULTI, Yielding, 1 event per claim; the name used before the split",
}
# LatencyBenchmark's hub offers one event at a time (it never waits: a full hub fails the run).
LATENCY_CONFIGS = dict(CONFIGS, eventhub="offer, 1 event per call, YIELD")


def label(impl, producers=None, cls="ThroughputBenchmark"):
    """`impl (what it is)`, e.g. "disruptorSingle (SINGLE, Yielding, 1 event per claim)"."""
    what = (LATENCY_CONFIGS if cls == "LatencyBenchmark" else CONFIGS).get(impl)
    if callable(what):
        what = what(producers)
    return f"{impl} ({what})" if what else impl


def short(name):
    return name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1]


# Benchmark classes whose @Benchmark methods are compared with each other (the method is part of the key).
MULTI_METHOD = {"JsonFileReaderBenchmark"}


def index(results):
    """(benchmark class, frozenset(params)) -> result dict, plus secondary metrics."""
    table = {}
    for r in results:
        cls = r["benchmark"].rsplit(".", 2)[-2]
        params = r.get("params", {})
        table[(cls, frozenset(params.items()) | {("method", r["benchmark"].rsplit(".", 1)[-1])})
              if cls in MULTI_METHOD else (cls, frozenset(params.items()))] = r
    return table


def find_method(table, cls, method):
    """The result of one @Benchmark method of a class that has several (each is its own JMH benchmark)."""
    return find(table, cls, method=method)


def find(table, cls, **params):
    for (c, p), r in table.items():
        if c == cls and all((k, str(v)) in p for k, v in params.items()):
            return r
    return None


def score(r):
    return r["primaryMetric"]["score"] if r else None


def secondary_metric(r, name):
    if not r:
        return None
    metrics = r.get("secondaryMetrics", {})
    return metrics.get(name) or metrics.get("\u00b7" + name) or metrics.get(name.lstrip("\u00b7"))


def secondary(r, name):
    m = secondary_metric(r, name)
    return m["score"] if m else None


def raw(metric):
    """Per-iteration values of a metric, every fork's in order (JMH's rawData has one list per fork)."""
    if not metric:
        return []
    return [v for fork in metric.get("rawData") or [] for v in fork if v is not None]


def spread(r):
    """(n, min, median, max, max/min) of the per-iteration primary scores, or None when there are none."""
    values = raw(r["primaryMetric"]) if r else []
    if not values:
        return None
    lo, hi = min(values), max(values)
    return len(values), lo, median(values), hi, (hi / lo if lo > 0 else None)


def max_over_min(r):
    s = spread(r)
    return s[4] if s else None


def batch_sizes(r):
    """(average batch over the run, per-iteration batch sizes) for a ThroughputBenchmark result, or None.

    The benchmark reports the totals `batches` and `delivered` per iteration (JMH sums both over iterations and forks,
    which is right for totals), so the run's average is sum(delivered) / sum(batches), LMAX's AverageBatchSize. Runs
    made before that change reported `batchSize` itself: its per-iteration values are right but its score is their
    sum, so for those the average is taken over the per-iteration values.
    """
    batches = raw(secondary_metric(r, "batches"))
    delivered = raw(secondary_metric(r, "delivered"))
    if batches and len(delivered) == len(batches):
        if sum(batches) <= 0:
            return None
        per_iteration = [d / b for d, b in zip(delivered, batches) if b > 0]
        return sum(delivered) / sum(batches), per_iteration
    old = [v for v in raw(secondary_metric(r, "batchSize")) if v > 0]
    if old:
        return sum(old) / len(old), old
    return None


def fmt(value, unit=""):
    if value is None:
        return "not measured"
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f} M{unit}"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.1f} k{unit}"
    return f"{value:.2f}{unit}"


def rows(table):
    """Each row: (target, what, eventhub value, peer/reference value, ratio, goal, sense, met?).

    `sense` is ">=" (the ratio must reach the goal) or "<=" (it must not exceed it)."""
    out = []

    def ratio_row(target, what, hub, peer, goal, higher_is_better=True, sense=">="):
        if hub is None or peer is None or peer == 0 or hub == 0:
            out.append((target, what, hub, peer, None, goal, sense, None))
            return
        ratio = hub / peer if higher_is_better else peer / hub
        met = ratio >= goal if sense == ">=" else ratio <= goal
        out.append((target, what, hub, peer, ratio, goal, sense, met))

    tp = "ThroughputBenchmark"

    def tp_score(impl, producers):
        return score(find(table, tp, impl=impl, producers=producers))

    peers_p1 = [("mpsc", 0.7), ("disruptorSingle", 1.2), ("disruptorMulti", 1.5), ("submissionPublisher", 1.0),
                ("abq", 2.0), ("guava", 3.0)]
    for impl, goal in peers_p1:
        ratio_row("P1", f"1 producer: eventhub / {label(impl, 1)}", tp_score("eventhub", 1), tp_score(impl, 1), goal)
    for producers in (2, 4):
        for impl, goal in (("disruptorMulti", 2.0), ("submissionPublisher", 1.5), ("mpsc", 0.5)):
            ratio_row("P2", f"{producers} producers: eventhub / {label(impl, producers)}",
                      tp_score("eventhub", producers), tp_score(impl, producers), goal)
    for producers in (1, 2):
        ratio_row("P12", f"{producers} producer{'s' if producers > 1 else ''}: {label('eventhubBatch', producers)}"
                         f" / {label('disruptorBatch', producers)}",
                  tp_score("eventhubBatch", producers), tp_score("disruptorBatch", producers), 1.0)
    ratio_row("stability", "1 producer: max/min of the per-iteration scores over every fork, eventhub / "
                           + label("disruptorSingle", 1),
              max_over_min(find(table, tp, impl="eventhub", producers=1)),
              max_over_min(find(table, tp, impl="disruptorSingle", producers=1)), 1.5, sense="<=")

    dc = "DispatchCostBenchmark"
    for (c, p), r in sorted(table.items(), key=lambda kv: sorted(kv[0][1])):
        if c != dc:
            continue
        params = dict(p)
        subs = int(params.get("subscribers", 1))
        pct = int(params.get("matchPercent", 100))
        matched = subs * pct / 100.0
        budget = 12 + 2 * matched + 1.5 * subs  # PRODUCT.md section 5, P3 as restated
        ns = score(r)
        out.append(("P3", f"dispatch cost, {subs} subscribers, {pct}% match (ns/event vs budget)", ns, budget,
                    budget / ns if ns else None, 1.0, ">=", ns is not None and ns <= budget))

    tr = "TopicRoutingBenchmark"
    for kind in ("exact", "pattern"):
        ratio_row("P4", f"10,000 vs 1 subscriber, {kind} topics",
                  score(find(table, tr, kind=kind, subscribers=10000)), score(find(table, tr, kind=kind, subscribers=1)),
                  0.5)

    ar = "AttributeRoutingBenchmark"
    ratio_row("P8", "10,000 vs 1 subscriber, two where clauses each (type=container, name=<own>)",
              score(find(table, ar, subscribers=10000)), score(find(table, ar, subscribers=1)), 0.5)

    rb = "ReplayBenchmark"
    for (c, p), r in table.items():
        if c == rb:
            s = score(r)
            selective = dict(p).get("filter", "none") != "none"
            # P5 is about delivered replay (no filter); a 1% filter is judged on events scanned (methodology G5).
            goal = 200e6 if selective else 50e6
            what = "scanned with a 1% filter" if selective else "replayed and delivered"
            out.append(("P5", f"full 64 Ki ring {what}, events/s", s, goal, s / goal if s else None, 1.0, ">=",
                        s is not None and s >= goal))

    fr = "JsonFileReaderBenchmark"
    reader = find_method(table, fr, "reader")
    scan = find_method(table, fr, "lineScan")
    ratio_row("P11", "JsonFileReader records/s / a plain 64 KiB byte scan counting the lines of the same file",
              score(reader), score(scan), 0.5)

    for (c, p), r in table.items():
        alloc = secondary(r, "gc.alloc.rate.norm")
        hub_tp = c == tp and dict(p).get("impl") in ("eventhub", "eventhubBatch")
        if alloc is not None and (c in (dc, tr, ar) or hub_tp):
            params = ", ".join(f"{k}={v}" for k, v in sorted(p))
            out.append(("P6", f"bytes allocated per op, {c} ({params})", alloc, 0.0, None, None, ">=",
                        alloc is not None and alloc < 1.0))

    jf = "JsonFileSinkBenchmark"
    ratio_row("P10", "json-file sink / plain 64 KiB BufferedOutputStream writer of the same bytes, records/s",
              score(find(table, jf, impl="sink")), score(find(table, jf, impl="buffered")), 0.5)

    kb = "KafkaBridgeBenchmark"
    ratio_row("P9", "hub → kafka sink / plain KafkaProducer.send loop (same broker, settings, run)",
              score(find(table, kb, impl="kafkaSink")), score(find(table, kb, impl="producerLoop")), 0.9)
    ratio_row("P9", "Kafka → hub through Ingest / plain poll loop (same broker, settings, run)",
              score(find(table, kb, impl="ingest")), score(find(table, kb, impl="pollLoop")), 0.9)

    lb = "LatencyBenchmark"
    for (c, p), r in table.items():
        if c == lb and dict(p).get("impl") == "eventhub":
            params = {k: v for k, v in p if k != "impl"}
            peer = find(table, lb, impl="disruptorSingle", **params)
            hub99 = secondary(r, "p99") or secondary(r, "p99Nanos")
            peer99 = secondary(peer, "p99") or secondary(peer, "p99Nanos")
            where = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
            ratio_row("P7", f"p99 latency ({where}): {label('disruptorSingle', cls=lb)} / eventhub", hub99, peer99, 1.0,
                      higher_is_better=False)
    return out


def config_name(cls, params):
    """A result's configuration as the spread table names it: `impl (what it is), producers=2` and so on."""
    params = dict(params)
    impl = params.pop("impl", None)
    rest = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
    if impl is None:
        return rest or "—"
    name = label(impl, params.get("producers"), cls)
    return f"{name}, {rest}" if rest else name


def ordered(table):
    """Results grouped by benchmark, then by their parameters (numbers in numeric order)."""
    def key(item):
        (cls, params), _ = item
        return cls, sorted((k, (0, float(v), "") if v.replace(".", "", 1).isdigit() else (1, 0.0, v))
                           for k, v in params)
    return sorted(table.items(), key=key)


def spread_lines(table):
    lines = ["## Spread", "",
             "Per-iteration scores of every measured configuration, over all iterations of all forks (JMH `rawData`). "
             "A large max/min means the result depends on the fork (thread placement, code layout) more than on the "
             "code: judge such a ratio with care. A configuration JMH could not measure (it failed, or was refused on "
             "purpose, such as ThroughputBenchmark's disruptorSingle with more than one producer) is absent.", "",
             "| benchmark | configuration | iterations | min | median | max | max/min | unit |",
             "|---|---|---|---|---|---|---|---|"]
    for (cls, params), r in ordered(table):
        s = spread(r)
        unit = r["primaryMetric"].get("scoreUnit", "")
        method = r["benchmark"].rsplit(".", 1)[-1]
        name = config_name(cls, params)
        if s is None:
            lines.append(f"| {cls}.{method} | {name} | 0 | not measured | | | | {unit} |")
            continue
        n, lo, mid, hi, ratio = s
        lines.append(f"| {cls}.{method} | {name} | {n} | {fmt(lo)} | {fmt(mid)} | {fmt(hi)} | "
                     f"{'—' if ratio is None else f'{ratio:.2f}'} | {unit} |")
    lines.append("")
    return lines


def batch_lines(table):
    lines = ["## Consumer batches (ThroughputBenchmark)", "",
             "Average events per consumer batch, LMAX's `AverageBatchSize`: total delivered / total batches over the "
             "run, and the range of the per-iteration values. Eventhub counts dispatcher rounds that had events, the "
             "Disruptor `onBatchStart`, mpsc non-empty drains; the other peers do not expose batches.", "",
             "| configuration | producers | average batch | per iteration min | per iteration max |",
             "|---|---|---|---|---|"]
    for (cls, params), r in ordered(table):
        if cls != "ThroughputBenchmark":
            continue
        p = dict(params)
        b = batch_sizes(r)
        if b is None:
            lines.append(f"| {label(p.get('impl'), p.get('producers'))} | {p.get('producers', '')} | "
                         f"not observable | | |")
            continue
        average, per_iteration = b
        lines.append(f"| {label(p.get('impl'), p.get('producers'))} | {p.get('producers', '')} | {average:.1f} | "
                     f"{min(per_iteration):.1f} | {max(per_iteration):.1f} |")
    lines.append("")
    return lines


def markdown(out_rows, table, environment):
    lines = ["# Benchmarks", "",
             "Generated by `benchmarks/run` from JMH results of one run; every ratio compares scores of that same run.",
             "Throughputs are delivered events per second, verified (each benchmark fails unless everything published "
             "was delivered). See `benchmarks/README.md` for what each benchmark does.", ""]
    if environment:
        lines += ["```", environment.strip(), "```", ""]
    lines += ["## Targets", "",
              "| target | measurement | eventhub | reference | ratio | goal | met |",
              "|---|---|---|---|---|---|---|"]
    for target, what, hub, ref, ratio, goal, sense, met in out_rows:
        lines.append("| {} | {} | {} | {} | {} | {} | {} |".format(
            target, what, fmt(hub), fmt(ref), "—" if ratio is None else f"{ratio:.2f}×",
            "—" if goal is None else f"{'≥' if sense == '>=' else '≤'} {goal}×",
            "—" if met is None else ("yes" if met else "**no**")))
    lines.append("")
    lines += ["## How to read this", "",
              "* **Peers in their maintainers' configurations.** The Disruptor runs as LMAX runs it for each job: "
              "`disruptorSingle` (ProducerType.SINGLE, YieldingWaitStrategy, one event per `next()`/`publish()`) is "
              "LMAX's 1-producer configuration and the one P1 is judged against; `disruptorMulti` (MULTI) is the "
              "configuration for 2 and 4 producers (P2); `disruptorBatch` claims 250 slots per `next(n)`/"
              "`publish(lo, hi)` (SINGLE at 1 producer, MULTI at more), the peer of `eventhubBatch` "
              "(`publishAll` of 250-event lists, P12). No headline ratio comes from a peer's worst case.",
              "* **Two modes on two CPUs.** With one producer and one consumer on a 2-CPU machine, every queue here "
              "runs in one of two modes: the consumer far behind the producer, taking long batches (fast), or caught "
              "up with it, taking an event or two per batch while both pull the same cache lines back and forth "
              "(slow, the lockstep). Which mode an iteration lands in depends on timing and on whether the two "
              "threads share a CPU (anything else running, a helper thread, the OS). So each peer runs at least "
              "3 forks, and the Spread table shows min, median and max of every iteration: a ratio between two "
              "medians is the claim, the spread says how far to trust it. The consumer-batch table shows the mode: "
              "slow iterations have small batches.",
              "* **Stability.** eventhub's dispatcher used to fall into the lockstep and stay there (a caught-up "
              "round cost more than the producer's pace: a fence, three timer reads, an idle check on the "
              "producers' claim word). The `stability` row compares eventhub's max/min with the Disruptor SINGLE's "
              "in the same run.", ""]
    lines += spread_lines(table)
    lines += batch_lines(table)
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
    for target, what, hub, ref, ratio, goal, sense, met in bars:
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
    table = index(results)
    out_rows = rows(table)
    with open(argv[2], "w") as f:
        f.write(markdown(out_rows, table, environment))
    with open(argv[3], "w") as f:
        f.write(svg(out_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
