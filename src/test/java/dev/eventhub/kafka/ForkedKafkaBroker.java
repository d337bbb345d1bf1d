package dev.eventhub.kafka;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * One real KRaft broker in a child JVM ({@code kafka.Kafka}), so a test can kill it hard (SIGKILL) and start it
 * again on the same log directory and ports. Loopback only. {@link #close()} kills the child and deletes its
 * directory; call it in a finally block or {@code @AfterAll}.
 */
final class ForkedKafkaBroker implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(60);

    private final Path dir;
    private final Path properties;
    private final Path log;
    private final Path logging;
    private final int port;
    private volatile Process process;
    /** Kills the child if this JVM ends without {@link #close()}, such as a test run stopped part way. */
    private final Thread reaper = new Thread(() -> {
        Process running = process;
        if (running != null) {
            running.destroyForcibly();
        }
    }, "kafka-broker-reaper");

    ForkedKafkaBroker() throws Exception {
        dir = Files.createTempDirectory("eventhub-kafka-");
        properties = dir.resolve("server.properties");
        log = dir.resolve("broker.log");
        // The broker logs through SLF4J to java.util.logging (slf4j-jdk14 on the test class path): INFO and above,
        // to its log file, so a failing test can show what the broker did.
        logging = dir.resolve("logging.properties");
        Files.writeString(logging, String.join("\n",
                "handlers=java.util.logging.ConsoleHandler",
                ".level=INFO",
                "java.util.logging.ConsoleHandler.level=ALL",
                "java.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n",
                "") + "\n");
        int controller;
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = a.getLocalPort();
            controller = b.getLocalPort();
        }
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "broker.session.timeout.ms=3000",
                "broker.heartbeat.interval.ms=500",
                "") + "\n");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            // StorageTool calls System.exit: it gets a JVM of its own.
            // Without eligible leader replicas (KIP-966): a SIGKILL is a process crash, not a machine's, so the page
            // cache keeps every write and the one replica comes back whole; Kafka then re-elects it as it always
            // did. With ELR, Kafka 4.3 treats each restart after a kill as a possible loss of data: it empties the
            // ISR and brings the partitions back only through an unclean election of their last known leader
            // (leader recovery state RECOVERING), after a fencing and an unclean-shutdown registration whose order
            // depends on timing. That is Kafka's availability policy for a replicated cluster, not the bridge.
            Process format = java("kafka.tools.StorageTool", "format", "--standalone", "-t",
                    Uuid.randomUuid().toString(), "-c", properties.toString(),
                    "--feature", "eligible.leader.replicas.version=0");
            if (!format.waitFor(60, TimeUnit.SECONDS)) {
                format.destroyForcibly().waitFor();
                throw new IllegalStateException("formatting the broker's storage took over 60 s; see " + log);
            }
            if (format.exitValue() != 0) {
                throw new IllegalStateException("formatting failed with exit " + format.exitValue() + ": "
                        + Files.readString(log));
            }
            start();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    String servers() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker (again: on the same data and ports, without formatting) and waits until it answers. */
    void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        process = java("kafka.Kafka", properties.toString());
        Process started = process;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000"))) {
            await().atMost(READY).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                if (!started.isAlive()) {
                    throw new AssertionError("broker exited with " + started.exitValue() + " (3 = out of memory); "
                            + "see " + log);
                }
                return !admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
            });
        }
    }

    /** Kills the broker hard: SIGKILL, nothing flushed, no clean shutdown. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private Process java(String main, String... args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-Djava.net.preferIPv4Stack=true",
                "-Djava.util.logging.config.file=" + logging, "-cp", cp, main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Whether the broker runs, and the last lines of its log: for the message of a test that failed. */
    String describe(int lines) throws IOException {
        String state = process == null ? "never started"
                : process.isAlive() ? "running" : "exited with " + process.exitValue() + " (3 = out of memory)";
        List<String> all = Files.exists(log)
                ? new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.ISO_8859_1).lines().toList()
                : List.of();
        return "broker " + state + "; the last lines of " + log + ":\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Copies the broker's log so it outlives {@link #close()}; returns where it went. */
    Path keepLog(Path to) throws IOException {
        Files.createDirectories(to.toAbsolutePath().getParent());
        return Files.copy(log, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING).toAbsolutePath();
    }

    @Override
    public void close() throws Exception {
        try {
            kill();
            Runtime.getRuntime().removeShutdownHook(reaper);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
