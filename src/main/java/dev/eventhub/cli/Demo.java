package dev.eventhub.cli;

import dev.eventhub.EndReason;
import dev.eventhub.EventHub;
import dev.eventhub.HubStats;
import dev.eventhub.io.Ingest;
import dev.eventhub.io.JsonLinesTcpSource;
import dev.eventhub.io.JsonFileReader;
import dev.eventhub.SinkSubscription;
import dev.eventhub.io.Sinks;
import dev.eventhub.StateView;
import dev.eventhub.StateWatcher;
import dev.eventhub.Subscription;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The {@code demo} command: container lifecycle events from several producer threads through one hub, shown the
 * way {@code isula events} shows them, then a name filter, a replay {@code since} a moment in the past, and a
 * subscription that ends at its {@code until} although no event comes.
 */
final class Demo {
    private static final String[][] CONTAINERS = {
            {"web", "nginx:1.25"}, {"db", "postgres:16"}, {"cache", "redis:7"}, {"worker", "busybox"},
    };
    private static final String[] LIFECYCLE = {"create", "start", "die", "stop", "destroy"};
    private static final int ROUND = CONTAINERS.length * LIFECYCLE.length;

    private final PrintStream out;
    private final ZoneId zone = ZoneId.systemDefault();

    Demo(PrintStream out) {
        this.out = out;
    }

    int run() throws InterruptedException {
        try (EventHub<ContainerEvent> hub = EventHub.<ContainerEvent>builder()
                .name("containers").capacity(1 << 10).history(1 << 8).build()) {

            out.println("== 1. Every event, live: one producer thread per container, one total order ==");
            Subscription all = hub.subscribe((event, sequence, nanos) -> out.println(event.format(nanos, zone)));
            List<String> webOnly = Collections.synchronizedList(new ArrayList<>());
            Subscription web = hub.events()
                    .filter(event -> event.name().equals("web"))
                    .subscribe((event, sequence, nanos) -> webOnly.add(event.format(nanos, zone)));
            runLifecycles(hub, 0);
            awaitDelivered(hub, all, ROUND);
            all.cancel();
            web.cancel();

            out.println();
            out.println("== 2. The same stream as seen by a subscriber with a name filter (name=web) ==");
            webOnly.forEach(out::println);

            Instant mark = Instant.now();
            runLifecycles(hub, 1);
            out.println();
            out.println("(a second round of " + ROUND + " events was published after " + mark + ")");
            out.println();
            out.println("== 3. A subscriber that joins late and replays history since " + mark + " ==");
            CountDownLatch replayed = new CountDownLatch(ROUND);
            Subscription replay = hub.events().since(mark).subscribe((event, sequence, nanos) -> {
                out.println("#" + sequence + " " + event.format(nanos, zone));
                replayed.countDown();
            });
            replayed.await();
            replay.cancel();

            out.println();
            Instant until = Instant.now().plusMillis(300);
            out.println("== 4. A subscriber with until=" + until + " and no events coming ==");
            Subscription bounded = hub.events().until(until).subscribe(event -> out.println(event));
            EndReason reason = bounded.await();
            out.println("ended with " + reason + " at " + Instant.now() + " after " + bounded.delivered()
                    + " events");

            informer(hub);
            logDriver(hub);
            ingest();

            HubStats stats = hub.stats();
            out.println();
            out.println("hub '" + stats.name() + "': published=" + stats.published() + " delivered="
                    + stats.delivered() + " rejected=" + stats.rejected() + " retained=["
                    + stats.firstRetainedSequence() + ".." + stats.lastRetainedSequence() + "]");
        }
        return 0;
    }

    /**
     * Part 5, client-go's informer: a state view keyed by container name (destroy removes the key), an index by
     * image, and a watcher that joins after the state is built, so it first gets the current entries as initial
     * adds, then the live changes.
     */
    private void informer(EventHub<ContainerEvent> hub) throws InterruptedException {
        out.println();
        out.println("== 5. Informer: a state view keyed by container name, and a watcher that joins late ==");
        StateView<String, ContainerEvent> view = hub.stateView(ContainerEvent::name,
                event -> event.action().equals("destroy"));
        view.index("image", ContainerEvent::image);
        for (String[] container : CONTAINERS) {
            String id = containerId(container[0], 2);
            hub.publish(new ContainerEvent("create", id, container[1], container[0], 0, 0));
            hub.publish(new ContainerEvent("start", id, container[1], container[0], 9100, 0));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (view.snapshot().values().stream().filter(event -> event.action().equals("start")).count()
                < CONTAINERS.length) { // the view applies on the dispatcher, a few microseconds behind
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("demo: the state view holds " + view.snapshot() + " after 10 s");
            }
            Thread.onSpinWait();
        }
        out.println("view: synced=" + view.hasSynced() + ", " + view.size() + " containers, by image nginx:1.25 -> "
                + view.byIndex("image", "nginx:1.25").stream().map(ContainerEvent::name).toList());
        CountDownLatch initial = new CountDownLatch(CONTAINERS.length);
        CountDownLatch told = new CountDownLatch(CONTAINERS.length + 2);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        StateView.Watch watch = view.watch(new StateWatcher<String, ContainerEvent>() {
            @Override
            public void onAdd(String name, ContainerEvent value, boolean isInitial) {
                lines.add("watch: add    " + name + " (" + value.action() + (isInitial ? ", initial" : "") + ")");
                initial.countDown();
                told.countDown();
            }

            @Override
            public void onUpdate(String name, ContainerEvent old, ContainerEvent now) {
                lines.add("watch: update " + name + " (" + old.action() + " -> " + now.action() + ")");
                told.countDown();
            }

            @Override
            public void onDelete(String name, ContainerEvent last) {
                lines.add("watch: delete " + name + " (last: " + last.action() + ")");
                told.countDown();
            }
        });
        // Changes made while the initial adds are still pending would coalesce with them (an add then a delete is
        // nothing); wait so that the output is the same on every run.
        initial.await(10, TimeUnit.SECONDS);
        String webId = containerId("web", 2);
        String dbId = containerId("db", 2);
        hub.publish(new ContainerEvent("die", webId, "nginx:1.25", "web", 9100, 137));
        hub.publish(new ContainerEvent("destroy", dbId, "postgres:16", "db", 0, 0));
        if (!told.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("demo: the watcher was told " + lines + " in 10 s");
        }
        lines.forEach(out::println);
        out.println("view: " + view.snapshot().keySet().stream().sorted().toList());
        view.close();
        watch.await(Duration.ofSeconds(10)); // closing the view ends its watchers
    }

    /**
     * Part 6, Docker's log driver: a json-file sink attached to the hub (rotating at 2 KiB, gzipping old files), a
     * round of events, then the {@code events} command reading the files back with filters.
     */
    private void logDriver(EventHub<ContainerEvent> hub) throws InterruptedException {
        out.println();
        out.println("== 6. Log driver: a json-file sink on the hub, then `events` reading the files back ==");
        Path file;
        try {
            file = Files.createTempDirectory("eventhub-demo-").resolve("containers.log");
            SinkSubscription sink = hub.attach(Sinks.open("json-file", Map.of("path", file.toString(),
                    "max-size", "2k", "max-file", "10", "compress", "true"), ContainerEvent::toJson));
            runLifecycles(hub, 3);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sink.written() + sink.notWritten() < ROUND) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("demo: the sink wrote " + sink.written() + " of " + ROUND);
                }
                Thread.onSpinWait();
            }
            sink.cancel(); // ends the attachment: the sink is flushed and closed
            sink.await(Duration.ofSeconds(10));
            out.println("sink: " + sink.written() + " records written, " + sink.notWritten() + " not written, "
                    + "files " + JsonFileReader.of(file).files().stream().map(p -> p.getFileName().toString())
                    .toList());
        } catch (IOException e) {
            out.println("sink: could not write to a temporary directory (" + e + "); skipped");
            return;
        }
        String[] args = {"--path", file.toString(), "--filter", "name=web", "--filter", "name=db",
                "--filter", "event=die"};
        out.println("$ java -jar eventhub.jar events " + String.join(" ", args));
        Events.parse(List.of(args), out, out, java.time.Clock.system(zone)).run();
        out.println("(the files stay in " + file.getParent() + " to try `events` on)");
    }

    /**
     * Part 7, Swarm's event monitor done right: a loopback server streams numbered events as JSON lines and drops the
     * connection every few events; an {@link Ingest} reconnects with backoff and resumes after the last event it got,
     * so nothing is lost or repeated.
     */
    private void ingest() throws InterruptedException {
        out.println();
        out.println("== 7. Ingest: a remote stream that keeps dropping the connection, resumed each time ==");
        final int total = 30;
        final int burst = 7;
        try (EventHub<Integer> remote = EventHub.<Integer>builder().name("remote").build();
             ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger serving = new java.util.concurrent.atomic.AtomicInteger();
            Thread serverThread = new Thread(() -> serve(server, total, burst, serving), "demo-flaky-server");
            serverThread.setDaemon(true);
            serverThread.start();
            List<Integer> received = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch all = new CountDownLatch(total);
            remote.subscribe(n -> {
                received.add(n);
                all.countDown();
            });
            JsonLinesTcpSource<Integer> source = new JsonLinesTcpSource<>("127.0.0.1", server.getLocalPort(),
                    line -> Integer.valueOf(line.replaceAll("\\D", "")), String::valueOf);
            out.println("server: " + total + " events as JSON lines, dropping the connection after every " + burst);
            Ingest<Integer> ingest = Ingest.builder(remote, source)
                    .backoff(Duration.ofMillis(5), Duration.ofMillis(50), 2.0).start();
            boolean complete = all.await(10, TimeUnit.SECONDS);
            ingest.stop();
            boolean inOrder;
            synchronized (received) {
                inOrder = received.equals(java.util.stream.IntStream.rangeClosed(1, total).boxed().toList());
            }
            out.println("ingest: " + received.size() + " of " + total + " events" + (complete && inOrder
                    ? ", each once and in order" : ", INCOMPLETE") + ", over " + serving.get()
                    + " connections; each reconnect resumed after the last event received");
        } catch (IOException e) {
            out.println("ingest: could not open a loopback socket (" + e + "); skipped");
        }
    }

    /** The flaky server: reads the client's resume token, sends the next few events, hangs up. */
    private static void serve(ServerSocket server, int total, int burst,
                              java.util.concurrent.atomic.AtomicInteger serving) {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                String hello = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                        java.nio.charset.StandardCharsets.UTF_8)).readLine();
                String token = hello == null ? "" : hello.replaceAll("\\D", "");
                int from = token.isEmpty() ? 1 : Integer.parseInt(token) + 1;
                if (from <= total) {
                    serving.incrementAndGet();
                }
                StringBuilder lines = new StringBuilder();
                for (int n = from; n < from + burst && n <= total; n++) {
                    lines.append("{\"seq\":").append(n).append("}\n");
                }
                socket.getOutputStream().write(lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException closedOrDropped) {
                // next connection, or the demo is over
            }
        }
    }

    /** One producer thread per container, each publishing its container's lifecycle in order. */
    private static void runLifecycles(EventHub<ContainerEvent> hub, int round) throws InterruptedException {
        List<Thread> producers = new ArrayList<>();
        for (String[] container : CONTAINERS) {
            String id = containerId(container[0], round);
            Thread producer = new Thread(() -> {
                int pid = 9000 + ThreadLocalRandom.current().nextInt(1000);
                try {
                    for (String action : LIFECYCLE) {
                        boolean running = action.equals("start") || action.equals("die");
                        int exitCode = action.equals("die") ? 137 : 0;
                        hub.publish(new ContainerEvent(action, id, container[1], container[0],
                                running ? pid : 0, exitCode));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "demo-producer-" + container[0]);
            producers.add(producer);
            producer.start();
        }
        for (Thread producer : producers) {
            producer.join();
        }
    }

    private static String containerId(String name, int round) {
        long hash = (name.hashCode() * 0x9E3779B97F4A7C15L) ^ round;
        return String.format("%016x%016x", hash, Long.rotateLeft(hash, 17)).substring(0, 24);
    }

    /** Waits until the live subscriber has seen {@code count} events, without sleeping on a guess. */
    private static void awaitDelivered(EventHub<?> hub, Subscription subscription, long count)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (subscription.delivered() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("demo: only " + subscription.delivered() + " of " + count
                        + " events arrived in 10 s; hub " + hub.stats());
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
