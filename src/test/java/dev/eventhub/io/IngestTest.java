package dev.eventhub.io;

import dev.eventhub.EventHub;
import dev.eventhub.HubClosedException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IngestTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long MS = 1_000_000L;

    private final EventHub<Integer> hub = EventHub.<Integer>builder().name("ingest").build();
    private final List<Integer> received = new CopyOnWriteArrayList<>();
    private final List<Ingest<Integer>> ingests = new ArrayList<>();

    IngestTest() {
        hub.subscribe(received::add);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Ingest<Integer> ingest : ingests) {
            ingest.stop();
        }
        hub.close();
    }

    private Ingest<Integer> start(Ingest.Builder<Integer> builder) {
        Ingest<Integer> ingest = builder.start();
        ingests.add(ingest);
        return ingest;
    }

    /** Records each wait and blocks on the n-th, so that the test reads a schedule of exactly n - 1 waits. */
    static final class RecordingSleeper implements Ingest.Sleeper {
        final LinkedBlockingQueue<Long> waits = new LinkedBlockingQueue<>();
        final CountDownLatch forever = new CountDownLatch(1);
        final int free;

        RecordingSleeper(int free) {
            this.free = free;
        }

        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void sleep(long nanos) throws InterruptedException {
            waits.add(nanos);
            if (calls.incrementAndGet() > free) {
                forever.await(); // until stop() interrupts it
            }
        }

        List<Long> first(int n) throws InterruptedException {
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Long wait = waits.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(wait).as("wait %d", i).isNotNull();
                out.add(wait);
            }
            return out;
        }
    }

    @Test
    void backoffGrowsByTheMultiplierUpToTheCapWithJitterInItsBounds() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        RecordingSleeper sleeper = new RecordingSleeper(8);
        double[] randoms = {0.0, 0.999_999, 0.5, 0.5, 0.5, 0.5, 0.0, 0.999_999, 0.5};
        AtomicInteger r = new AtomicInteger();
        Ingest<Integer> ingest = start(Ingest.builder(hub, resume -> {
            attempts.incrementAndGet();
            throw new IOException("connection refused");
        }).backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 2.0).jitter(0.2).sleeper(sleeper)
                .random(() -> randoms[r.getAndIncrement() % randoms.length]));
        List<Long> waits = sleeper.first(9);
        // Bases: 100, 200, 400, 800, 1000 (cap), 1000, ...; factors 0.8, ~1.2, 1.0, ...
        assertThat(waits.get(0)).isEqualTo(80 * MS);
        assertThat(waits.get(1)).isBetween(239 * MS, 240 * MS);
        assertThat(waits.subList(2, 6)).containsExactly(400 * MS, 800 * MS, 1000 * MS, 1000 * MS);
        assertThat(waits.get(6)).isEqualTo(800 * MS);
        assertThat(waits.get(7)).isBetween(1199 * MS, 1200 * MS);
        assertThat(ingest.failures()).isEqualTo(9);
        assertThat(ingest.lastFailure()).hasMessage("connection refused");
        assertThat(ingest.state()).isEqualTo(Ingest.State.BACKING_OFF);
        ingest.stop();
        assertThat(ingest.state()).isEqualTo(Ingest.State.STOPPED);
        assertThat(attempts.get()).isEqualTo(9);
    }

    @Test
    void aConnectionThatStayedHealthyResetsTheBackoffAndTheSourceResumesAfterTheLastItem() throws Exception {
        AtomicLong clock = new AtomicLong();
        List<Integer> resumedAfter = new CopyOnWriteArrayList<>();
        AtomicInteger connects = new AtomicInteger();
        RecordingSleeper sleeper = new RecordingSleeper(5);
        EventSource<Integer> source = resume -> {
            resumedAfter.add(resume);
            int attempt = connects.incrementAndGet();
            int start = resume == null ? 1 : resume + 1;
            return new EventSource.Connection<>() {
                int next = start;

                @Override
                public Integer next() throws IOException {
                    if (next < start + 2) {
                        return next++;
                    }
                    // attempts 1-3 fail quickly; attempt 4 stays up past healthyAfter, then fails
                    clock.addAndGet(attempt == 4 ? Duration.ofMinutes(3).toNanos() : MS);
                    throw new IOException("reset by peer");
                }

                @Override
                public void close() {
                }
            };
        };
        start(Ingest.builder(hub, source).backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 2.0).jitter(0)
                .healthyAfter(Duration.ofMinutes(2)).clock(clock::get).sleeper(sleeper));
        List<Long> waits = sleeper.first(5);
        assertThat(waits).containsExactly(100 * MS, 200 * MS, 400 * MS, 100 * MS, 200 * MS);
        assertThat(new ArrayList<>(resumedAfter).subList(0, 5)).containsExactly(null, 2, 4, 6, 8);
        await().atMost(WAIT).until(() -> received.size() >= 10);
        assertThat(new ArrayList<>(received).subList(0, 10)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    }

    @Test
    void itemsASourceHandsOverTogetherArePublishedInOrderAndItResumesAfterTheLastOfTheLastBatch() throws Exception {
        List<Integer> resumedAfter = new CopyOnWriteArrayList<>();
        List<Integer> maxes = new CopyOnWriteArrayList<>();
        AtomicInteger connects = new AtomicInteger();
        CountDownLatch closed = new CountDownLatch(1);
        EventSource<Integer> source = resume -> {
            resumedAfter.add(resume);
            int attempt = connects.incrementAndGet();
            int start = resume == null ? 1 : resume + 1;
            return new EventSource.Connection<>() {
                int next = start;
                int calls;

                @Override
                public Integer next() {
                    throw new AssertionError("the ingest asks for batches");
                }

                @Override
                public boolean next(List<? super Integer> batch, int max) throws Exception {
                    maxes.add(max);
                    int call = calls++;
                    if (attempt == 1 && call == 2) {
                        throw new IOException("reset by peer"); // after two batches: resume after 10
                    }
                    if (attempt == 2) {
                        return true; // and adds nothing: a broken source, counted as a failure
                    }
                    if (attempt == 3 && call == 2) {
                        closed.await(); // quiet until stopped
                        return false;
                    }
                    for (int i = 0; i < 5; i++) {
                        batch.add(next++);
                    }
                    return true;
                }

                @Override
                public void close() {
                    if (attempt == 3) {
                        closed.countDown();
                    }
                }
            };
        };
        Ingest<Integer> ingest = start(Ingest.builder(hub, source).backoff(Duration.ofMillis(1), Duration.ofMillis(1),
                1.0).jitter(0).sleeper(new RecordingSleeper(10)));
        await().atMost(WAIT).until(() -> received.size() >= 20);
        assertThat(received).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList());
        assertThat(resumedAfter).containsExactly(null, 10, 10);
        assertThat(ingest.ingested()).isEqualTo(20);
        assertThat(ingest.failures()).isEqualTo(2);
        assertThat(ingest.lastFailure()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("added nothing");
        assertThat(maxes).as("a batch is at most the dispatcher's round (256)").containsOnly(256);
        ingest.stop();

        // A hub smaller than that takes batches of its capacity at most.
        try (EventHub<Integer> small = EventHub.<Integer>builder().name("small").capacity(4).build()) {
            List<Integer> smallMaxes = new CopyOnWriteArrayList<>();
            List<Integer> got = new CopyOnWriteArrayList<>();
            small.subscribe(got::add);
            Ingest<Integer> into = Ingest.builder(small, resume -> new EventSource.Connection<Integer>() {
                int next;

                @Override
                public Integer next() {
                    throw new AssertionError("the ingest asks for batches");
                }

                @Override
                public boolean next(List<? super Integer> batch, int max) {
                    smallMaxes.add(max);
                    if (next == 12) {
                        return false; // the end: the ingest backs off, and the sleeper holds it there
                    }
                    for (int i = 0; i < max && next < 12; i++) {
                        batch.add(next++);
                    }
                    return true;
                }

                @Override
                public void close() {
                }
            }).sleeper(new RecordingSleeper(0)).start();
            await().atMost(WAIT).until(() -> got.size() >= 12);
            into.stop();
            assertThat(got).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 12).boxed().toList());
            assertThat(smallMaxes).contains(4).containsOnly(4);
        }
    }

    @Test
    void stopIsPromptWhileConnectedAndWhileBackingOffAndIsIdempotent() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        Ingest<Integer> blockedOnNext = start(Ingest.builder(hub, resume -> new EventSource.Connection<Integer>() {
            final CountDownLatch closed = new CountDownLatch(1);

            @Override
            public Integer next() throws InterruptedException, IOException {
                connected.countDown();
                closed.await();
                throw new IOException("closed");
            }

            @Override
            public void close() {
                closed.countDown();
            }
        }));
        assertThat(connected.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(blockedOnNext.state()).isEqualTo(Ingest.State.CONNECTED);
        blockedOnNext.stop();
        blockedOnNext.stop();
        assertThat(blockedOnNext.state()).isEqualTo(Ingest.State.STOPPED);
        assertThat(blockedOnNext.failures()).isZero(); // closing for stop is not a failure

        Ingest<Integer> backingOff = start(Ingest.builder(hub, resume -> {
            throw new IOException("down");
        }).backoff(Duration.ofHours(1), Duration.ofHours(1), 1));
        await().atMost(WAIT).until(() -> backingOff.state() == Ingest.State.BACKING_OFF);
        backingOff.stop();
        assertThat(backingOff.await(Duration.ZERO)).isTrue();
        assertThat(backingOff.state()).isEqualTo(Ingest.State.STOPPED);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("eventhub-ingest-ingest"));
    }

    /**
     * stop() interrupts the ingest's thread to end a wait, but the thread closes its connection uninterrupted: a
     * source may still talk to its server as it closes (Kafka's consumer, interrupted there, logged an error at
     * every stop). Here next() returns only once its thread was interrupted, so without the guard the interrupt is
     * always pending when the connection is closed.
     */
    @Test
    void stopNeverInterruptsTheIngestWhileItClosesItsConnection() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        List<Boolean> interruptedAtClose = new CopyOnWriteArrayList<>();
        AtomicReference<Thread> reader = new AtomicReference<>();
        Ingest<Integer> ingest = start(Ingest.builder(hub, resume -> new EventSource.Connection<Integer>() {
            final CountDownLatch closed = new CountDownLatch(1);

            @Override
            public Integer next() {
                reader.set(Thread.currentThread());
                connected.countDown();
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // keep it: what matters is whether it is pending at close
                }
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!Thread.currentThread().isInterrupted() && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // until stop() has interrupted this thread too
                }
                return null; // the end of the stream
            }

            @Override
            public void close() {
                if (Thread.currentThread() == reader.get()) {
                    interruptedAtClose.add(Thread.currentThread().isInterrupted());
                }
                closed.countDown();
            }
        }));
        assertThat(connected.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        ingest.stop();
        assertThat(interruptedAtClose).as("the ingest's own close of its connection").containsExactly(false);
        assertThat(ingest.failures()).isZero();
        assertThat(ingest.state()).isEqualTo(Ingest.State.STOPPED);
    }

    @Test
    void theHubClosingStopsTheIngest() throws Exception {
        AtomicInteger next = new AtomicInteger();
        CountDownLatch hubClosed = new CountDownLatch(1);
        Ingest<Integer> ingest = start(Ingest.builder(hub, resume -> new EventSource.Connection<Integer>() {
            @Override
            public Integer next() throws InterruptedException {
                if (next.get() == 200) {
                    hubClosed.await(); // one more item arrives after the hub closed
                }
                return next.incrementAndGet();
            }

            @Override
            public void close() {
            }
        }));
        await().atMost(WAIT).until(() -> received.size() == 200);
        hub.close();
        hubClosed.countDown();
        assertThat(ingest.await(WAIT)).isTrue();
        assertThat(ingest.state()).isEqualTo(Ingest.State.STOPPED);
        assertThatThrownBy(() -> Ingest.builder(hub, resume -> null).start()).isInstanceOf(HubClosedException.class);
    }

    @Test
    void theHubClosingEndsAnIngestWhoseSourceNeverSendsAgainWithinTheDrainTimeout() throws Exception {
        Duration drain = Duration.ofSeconds(2);
        for (boolean honoursClose : new boolean[] {true, false}) {
            String name = "silent-" + honoursClose;
            EventHub<Integer> own = EventHub.<Integer>builder().name(name).drainTimeout(drain).build();
            CountDownLatch connected = new CountDownLatch(1);
            CountDownLatch closed = new CountDownLatch(1);
            Ingest<Integer> ingest = Ingest.builder(own, resume -> new EventSource.Connection<Integer>() {
                @Override
                public Integer next() throws Exception {
                    connected.countDown();
                    if (honoursClose) {
                        closed.await(); // a socket read: returns when the connection is closed
                        throw new java.io.IOException("connection closed");
                    }
                    new CountDownLatch(1).await(); // ignores close: only an interrupt ends it
                    return null;
                }

                @Override
                public void close() {
                    closed.countDown();
                }
            }).start();
            assertThat(connected.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            Thread thread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("eventhub-" + name + "-ingest")).findFirst().orElseThrow();
            own.close();
            thread.join(drain.toMillis());
            assertThat(thread.isAlive()).as(name).isFalse();
            assertThat(ingest.state()).isEqualTo(Ingest.State.STOPPED);
            assertThat(closed.getCount()).as("connection closed").isZero();
            assertThat(ingest.failures()).isZero();
        }
    }

    /**
     * A loopback server holding items 1..N that drops every connection after a random number of items, and resumes
     * after the token the client sends.
     */
    static final class FlakyServer implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final int total;
        final AtomicInteger connections = new AtomicInteger();
        final Thread thread;

        FlakyServer(int total, long seed) throws IOException {
            this.total = total;
            Random random = new Random(seed);
            thread = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket socket = server.accept()) {
                        connections.incrementAndGet();
                        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                                StandardCharsets.UTF_8));
                        Object hello = Json.parse(in.readLine());
                        Object token = ((Map<?, ?>) hello).get("resume");
                        int from = token == null ? 1 : Integer.parseInt((String) token) + 1;
                        int burst = 1 + random.nextInt(40);
                        OutputStream out = socket.getOutputStream();
                        for (int i = from; i < from + burst && i <= total; i++) {
                            out.write(("{\"n\":" + i + "}\n").getBytes(StandardCharsets.UTF_8));
                        }
                        out.flush();
                    } catch (IOException | RuntimeException dropped) {
                        // the client went away, or the server is closing: next connection
                    }
                }
            }, "flaky-server");
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join();
        }
    }

    @Test
    void aJsonLinesSourceOverAFlakyServerLosesAndDuplicatesNothing() throws Exception {
        int total = 2_000;
        try (FlakyServer server = new FlakyServer(total, 42)) {
            JsonLinesTcpSource<Integer> source = new JsonLinesTcpSource<>("127.0.0.1", server.port(),
                    line -> ((BigDecimal) ((Map<?, ?>) Json.parse(line)).get("n")).intValueExact(), String::valueOf);
            Ingest<Integer> ingest = start(Ingest.builder(hub, source)
                    .backoff(Duration.ofMillis(1), Duration.ofMillis(2), 2.0));
            await().atMost(WAIT).until(() -> received.size() >= total);
            ingest.stop();
            assertThat(received).hasSize(total);
            for (int i = 0; i < total; i++) {
                assertThat(received.get(i)).isEqualTo(i + 1);
            }
            assertThat(server.connections.get()).isGreaterThan(40);
            assertThat(ingest.reconnects()).isGreaterThan(40);
            assertThat(ingest.ingested()).isEqualTo(total);
        }
    }

    @Test
    void badArgumentsAreRejectedWithTheirNames() {
        EventSource<Integer> source = resume -> null;
        assertThatThrownBy(() -> Ingest.builder(null, source)).hasMessageContaining("hub: null");
        assertThatThrownBy(() -> Ingest.builder(hub, null)).hasMessageContaining("source: null");
        Ingest.Builder<Integer> b = Ingest.builder(hub, source);
        assertThatThrownBy(() -> b.backoff(Duration.ZERO, Duration.ofSeconds(1), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial: PT0S");
        assertThatThrownBy(() -> b.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max: PT1S (expected: at least");
        assertThatThrownBy(() -> b.backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiplier: 0.5");
        assertThatThrownBy(() -> b.backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiplier: NaN");
        assertThatThrownBy(() -> b.jitter(1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jitter: 1.5 (expected: from 0 to 1)");
        assertThatThrownBy(() -> b.healthyAfter(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("healthyAfter: PT-1S");
        assertThatThrownBy(() -> b.clock(null)).hasMessageContaining("clock: null");
        assertThatThrownBy(() -> b.sleeper(null)).hasMessageContaining("sleeper: null");
        assertThatThrownBy(() -> b.random(null)).hasMessageContaining("random: null");
        assertThatThrownBy(() -> new JsonLinesTcpSource<Integer>(" ", 1, s -> 1, String::valueOf))
                .hasMessageContaining("host: \" \"");
        assertThatThrownBy(() -> new JsonLinesTcpSource<Integer>("h", 0, s -> 1, String::valueOf))
                .hasMessageContaining("port: 0 (expected: from 1 to 65535)");
        assertThatThrownBy(() -> new JsonLinesTcpSource<Integer>("h", 1, null, String::valueOf))
                .hasMessageContaining("decoder: null");
        EventSource.Connection<Integer> connection = new EventSource.Connection<>() {
            @Override
            public Integer next() {
                return 1;
            }

            @Override
            public void close() {
            }
        };
        assertThatThrownBy(() -> connection.next(null, 1)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("batch: null");
        assertThatThrownBy(() -> connection.next(new ArrayList<>(), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max: 0");
    }
}
