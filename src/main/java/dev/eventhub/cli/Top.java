package dev.eventhub.cli;

import dev.eventhub.EventHub;
import dev.eventhub.Overflow;
import dev.eventhub.Sink;
import dev.eventhub.StateView;
import dev.eventhub.StateWatcher;
import dev.eventhub.SubscriptionInfo;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code top} command: a demo hub with one subscription of every kind (inline, async, a slow lossy one, a Flow
 * subscriber, a sink, a state view watcher) under a steady stream, and {@code hub.subscriptions()} printed every
 * interval, the way {@code top} shows processes: who is behind, who drops, who is stuck in a handler.
 */
final class Top {
    static final String USAGE = """
            usage: java -jar eventhub.jar top [--duration <time>] [--interval <time>]

            Runs a demo hub with one subscription of each kind under a steady stream of events, and prints
            hub.subscriptions() every interval: name, kind, delivered, dropped, buffered/capacity, lag behind
            the hub's head, the last sequence, how long a handler call has run (* when stuck), and the selection.

              --duration <time>     how long to run, e.g. 10s, 500ms, 1m (default 10s, at least the interval)
              --interval <time>     time between two tables (default 1s, at least 100ms)
            """;
    /** Events per second the demo producer aims at: enough to make the slow subscriber fall behind. */
    private static final int RATE = 20_000;
    /** Each event the slow subscriber takes costs it this long (simulated work). */
    private static final long SLOW_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final Duration MIN_INTERVAL = Duration.ofMillis(100);

    private final PrintStream out;
    private final Duration duration;
    private final Duration interval;

    Top(PrintStream out, Duration duration, Duration interval) {
        this.out = out;
        this.duration = duration;
        this.interval = interval;
    }

    /** Parses the arguments after {@code top}; throws {@link UsageException} with a one-line reason. */
    static Top parse(List<String> args, PrintStream out) {
        Duration duration = Duration.ofSeconds(10);
        Duration interval = Duration.ofSeconds(1);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--duration" -> duration = Durations.parse("--duration", value(args, ++i, arg));
                case "--interval" -> {
                    interval = Durations.parse("--interval", value(args, ++i, arg));
                    if (interval.compareTo(MIN_INTERVAL) < 0) {
                        throw new UsageException("--interval: " + args.get(i) + " (expected: at least 100ms)");
                    }
                }
                default -> throw new UsageException("unexpected argument '" + arg + "'");
            }
        }
        if (duration.compareTo(interval) < 0) {
            throw new UsageException("--duration: " + Durations.format(duration) + " (expected: at least the "
                    + "interval, " + Durations.format(interval) + ")");
        }
        return new Top(out, duration, interval);
    }

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new UsageException(option + ": missing value");
        }
        return args.get(index);
    }

    int run() throws InterruptedException {
        try (EventHub<String> hub = EventHub.<String>builder().name("demo").topic(e -> e.substring(0, e.indexOf(' ')))
                .slowHandlerThreshold(Duration.ofMillis(50)).build()) {
            subscribeEveryKind(hub);
            Thread producer = new Thread(() -> produce(hub), "top-producer");
            producer.setDaemon(true);
            producer.start();
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            long next = start;
            while ((next += interval.toNanos()) <= end) {
                for (long wait; (wait = next - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(wait); // pacing the display, not synchronising
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
                print(hub, Duration.ofNanos(System.nanoTime() - start));
            }
            producer.interrupt();
            producer.join();
        }
        return 0;
    }

    private static void subscribeEveryKind(EventHub<String> hub) {
        long[] seen = new long[1];
        hub.events().name("counter").subscribe(e -> seen[0]++); // inline: on the dispatcher, one writer
        hub.events().name("web-only").topics("web-1", "web-2").async().subscribe(e -> { });
        // An EventHandler, so that its gaps are counted (dropped) rather than logged one by one.
        hub.events().name("slow-consumer").async().buffer(256, Overflow.DROP_OLDEST)
                .subscribe((event, sequence, nanos) -> LockSupport.parkNanos(SLOW_NANOS)); // simulated work
        hub.events().name("feed").buffer(1024, Overflow.DROP_OLDEST).publisher().subscribe(new Flow.Subscriber<String>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String item) {
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
            }
        });
        hub.events().name("archive").attach(new Sink<String>() {
            @Override
            public void accept(String event, long sequence, long timestampNanos) {
            }

            @Override
            public void close() {
            }
        });
        StateView<String, String> view = hub.stateView(e -> e.substring(0, e.indexOf(' ')), e -> e.endsWith("destroy"));
        view.watch("cache", new StateWatcher<String, String>() { });
    }

    private static void produce(EventHub<String> hub) {
        String[] names = {"web-1", "web-2", "db-1", "cache-1"};
        String[] actions = {"create", "start", "stop", "destroy"};
        long period = TimeUnit.SECONDS.toNanos(1) / RATE;
        long next = System.nanoTime();
        for (int i = 0; !Thread.currentThread().isInterrupted() && !hub.isClosed(); i++) {
            hub.offer(names[i % names.length] + " " + actions[(i / names.length) % actions.length]);
            next += period;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait); // pacing the demo stream
            }
        }
    }

    private void print(EventHub<String> hub, Duration elapsed) {
        List<SubscriptionInfo> infos = hub.subscriptions();
        out.printf(Locale.ROOT, "eventhub top: hub '%s' at %s, head %d, %d subscriptions%n", hub.name(),
                Durations.format(elapsed.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), hub.stats().published(),
                infos.size());
        out.printf(Locale.ROOT, "%-14s %-7s %10s %8s %11s %7s %10s %11s  %s%n", "NAME", "KIND", "DELIVERED", "DROPPED",
                "BUFFERED", "LAG", "LAST", "IN HANDLER", "SELECTION");
        for (SubscriptionInfo info : infos) {
            String buffered = info.capacity() == 0 ? Long.toString(info.buffered())
                    : info.buffered() + "/" + info.capacity();
            String inHandler = info.inHandler().isZero() ? "-"
                    : TimeUnit.NANOSECONDS.toMillis(info.inHandler().toNanos()) + "ms" + (info.stuck() ? "*" : "");
            out.printf(Locale.ROOT, "%-14s %-7s %10d %8d %11s %7d %10d %11s  %s%n", info.name(), info.kind(),
                    info.delivered(), info.dropped(), buffered, info.lag(), info.lastSequence(), inHandler,
                    info.selection());
        }
        out.println();
    }
}
