package dev.eventhub.cli;

import dev.eventhub.EventHub;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The {@code bench} command: a quick look at delivered events per second on this machine, for 1, 2 and 4 producers,
 * beside a raw queue baseline measured in the same run: {@link ArrayBlockingQueue} with one consumer thread that
 * drains it, the queue-plus-thread a program would otherwise write. Each measurement warms up, then counts what was
 * delivered (not what was offered) over a window. It is a sanity check, not a benchmark: the JMH suite in
 * {@code benchmarks/} is the measurement, with the peers and the verification.
 */
final class Bench {
    static final String USAGE = """
            usage: java -jar eventhub.jar bench [--duration <time>] [--producers <n,n,...>]

            Measures delivered events per second through a hub (one inline subscriber) and through a raw
            queue baseline (ArrayBlockingQueue drained by one thread), for each producer count, and prints the
            ratio. A quick look on this machine; benchmarks/ has the real measurement.

              --duration <time>     total run time, e.g. 10s, 500ms, 1m (default 10s, at least 600ms)
              --producers <list>    producer counts, comma-separated, each 1 to 64 (default 1,2,4)
            """;
    private static final int CAPACITY = 1 << 16;
    private static final double WARMUP_SHARE = 0.25;

    private final PrintStream out;
    private final boolean terminal;
    private final Duration duration;
    private final int[] producers;
    private int done;

    Bench(PrintStream out, boolean terminal, Duration duration, int[] producers) {
        this.out = out;
        this.terminal = terminal;
        this.duration = duration;
        this.producers = producers;
    }

    /** Parses the arguments after {@code bench}; throws {@link UsageException} with a one-line reason. */
    static Bench parse(List<String> args, PrintStream out, boolean terminal) {
        Duration duration = Duration.ofSeconds(10);
        int[] producers = {1, 2, 4};
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--duration" -> {
                    duration = Durations.parse("--duration", value(args, ++i, arg));
                    if (duration.compareTo(Duration.ofMillis(600)) < 0) {
                        throw new UsageException("--duration: " + args.get(i) + " (expected: at least 600ms)");
                    }
                }
                case "--producers" -> producers = parseProducers(value(args, ++i, arg));
                default -> throw new UsageException("unexpected argument '" + arg + "'");
            }
        }
        return new Bench(out, terminal, duration, producers);
    }

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new UsageException(option + ": missing value");
        }
        return args.get(index);
    }

    private static int[] parseProducers(String list) {
        String[] parts = list.split(",", -1);
        int[] counts = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                counts[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                counts[i] = -1;
            }
            if (counts[i] < 1 || counts[i] > 64) {
                throw new UsageException("--producers: '" + list + "' (expected: counts from 1 to 64, "
                        + "comma-separated, like 1,2,4)");
            }
        }
        return counts;
    }

    int run() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        out.printf(Locale.ROOT, "eventhub bench: %s in all, %d cores, Java %s%n", Durations.format(duration),
                runtime.availableProcessors(), System.getProperty("java.version"));
        long slice = duration.toNanos() / (2L * producers.length);
        List<String> rows = new ArrayList<>();
        for (int count : producers) {
            double hub = measure(count, slice, new HubRun(count));
            double queue = measure(count, slice, new QueueRun(count));
            String row = String.format(Locale.ROOT, "%9d  %18s  %22s  %6.2fx", count, rate(hub), rate(queue),
                    hub / queue);
            rows.add(row);
            if (!terminal) {
                if (rows.size() == 1) {
                    out.println(header());
                }
                out.println(row);
            }
        }
        if (terminal) {
            out.print("\r" + " ".repeat(60) + "\r");
            out.println(header());
            rows.forEach(out::println);
        }
        out.println("ratio = eventhub / baseline, delivered events per second in the same run; "
                + "see benchmarks/ for the JMH suite");
        return 0;
    }

    private static String header() {
        return "producers  eventhub (events/s)  ArrayBlockingQueue (events/s)   ratio";
    }

    private static String rate(double perSecond) {
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.1f M", perSecond / 1e6);
        }
        return String.format(Locale.ROOT, "%.0f k", perSecond / 1e3);
    }

    /** Runs one measurement: start, warm up, count over the window, stop. Returns delivered events per second. */
    private double measure(int producers, long sliceNanos, Run run) throws InterruptedException {
        run.start();
        try {
            long warmup = (long) (sliceNanos * WARMUP_SHARE);
            progress(warmup);
            long d0 = run.delivered();
            long t0 = System.nanoTime();
            progress(sliceNanos - warmup);
            long d1 = run.delivered();
            long t1 = System.nanoTime();
            return (d1 - d0) * 1e9 / (t1 - t0);
        } finally {
            run.stop();
            done++;
        }
    }

    /** Waits {@code nanos}, drawing the progress bar meanwhile on a terminal. */
    private void progress(long nanos) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        long total = 2L * producers.length;
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            if (terminal) {
                int width = 30;
                int filled = (int) (width * done / total);
                out.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + (100 * done / total)
                        + "% ");
                out.flush();
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    /** One system under measurement: producers offering as fast as they can, one consumer counting. */
    private abstract static class Run {
        final int producers;
        final List<Thread> threads = new ArrayList<>();
        volatile boolean running = true;

        Run(int producers) {
            this.producers = producers;
        }

        abstract boolean offer(Long event);

        abstract long delivered();

        void start() {
            for (int p = 0; p < producers; p++) {
                Thread thread = new Thread(() -> {
                    Long event = 42L; // one boxed payload: the producers measure the queue, not the allocator
                    while (running) {
                        if (!offer(event)) {
                            Thread.onSpinWait();
                        }
                    }
                }, "bench-producer-" + p);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        }

        void stop() throws InterruptedException {
            running = false;
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }

    private static final class HubRun extends Run {
        private final EventHub<Long> hub = EventHub.<Long>builder().name("bench").capacity(CAPACITY).history(0)
                .build();
        private final LongSupplier delivered;

        HubRun(int producers) {
            super(producers);
            AtomicLong count = new AtomicLong();
            hub.subscribe(event -> count.lazySet(count.get() + 1)); // one writer: the dispatcher
            delivered = count::get;
        }

        @Override
        boolean offer(Long event) {
            return hub.offer(event);
        }

        @Override
        long delivered() {
            return delivered.getAsLong();
        }

        @Override
        void stop() throws InterruptedException {
            super.stop();
            hub.close();
        }
    }

    private static final class QueueRun extends Run {
        private final ArrayBlockingQueue<Long> queue = new ArrayBlockingQueue<>(CAPACITY);
        private final AtomicLong count = new AtomicLong();
        private final Thread consumer;

        QueueRun(int producers) {
            super(producers);
            consumer = new Thread(() -> {
                List<Long> batch = new ArrayList<>(1024);
                while (running || !queue.isEmpty()) {
                    int n = queue.drainTo(batch, 1024);
                    if (n == 0) {
                        Thread.yield();
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        blackhole(batch.get(i));
                    }
                    batch.clear();
                    count.lazySet(count.get() + n);
                }
            }, "bench-consumer");
            consumer.setDaemon(true);
        }

        private static void blackhole(Long event) {
            if (event == null) {
                throw new AssertionError();
            }
        }

        @Override
        void start() {
            consumer.start();
            super.start();
        }

        @Override
        boolean offer(Long event) {
            return queue.offer(event);
        }

        @Override
        long delivered() {
            return count.get();
        }

        @Override
        void stop() throws InterruptedException {
            super.stop();
            consumer.join();
        }
    }
}
