package dev.eventhub.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventhub.internal.LineScanner;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every reader of outside data holds at most one bounded line: a longer line is skipped, counted and reported. */
class BoundedLinesTest {
    private static final long HUNDRED_MIB = 100L << 20;

    @TempDir
    Path dir;

    private static String record(long seq) {
        return "{\"seq\":" + seq + ",\"time\":\"2026-12-02T05:00:0" + (seq % 10) + "Z\",\"event\":{\"n\":" + seq + "}}\n";
    }

    /** An input stream of {@code bytes} copies of 'x', made on the fly (nothing this size is ever allocated). */
    private static InputStream giant(long bytes) {
        return new InputStream() {
            long left = bytes;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
    }

    @Test
    void theScannerSkipsA100MibLineWithABufferNeverAboveTheLimit() throws IOException {
        InputStream in = new java.io.SequenceInputStream(java.util.Collections.enumeration(List.of(
                new ByteArrayInputStream("first\n".getBytes(StandardCharsets.UTF_8)), giant(HUNDRED_MIB),
                new ByteArrayInputStream("\nlast\n".getBytes(StandardCharsets.UTF_8)))));
        LineScanner lines = new LineScanner(in, 1 << 20, 0);
        assertThat(lines.next()).isEqualTo(LineScanner.Kind.LINE);
        assertThat(lines.line()).isEqualTo("first");
        assertThat(lines.next()).isEqualTo(LineScanner.Kind.TOO_LONG);
        assertThat(lines.lineOffset()).isEqualTo(6);
        assertThat(lines.lineBytes()).isEqualTo(HUNDRED_MIB);
        assertThat(lines.bufferCapacity()).isLessThanOrEqualTo((1 << 20) + 1);
        assertThat(lines.next()).isEqualTo(LineScanner.Kind.LINE);
        assertThat(lines.line()).isEqualTo("last");
        assertThat(lines.next()).isEqualTo(LineScanner.Kind.END);
        assertThat(lines.pendingBytes()).isZero();
    }

    @Test
    void theScannerDecodesUtf8PerLineAndKeepsAPartialLineAcrossEnds() throws IOException {
        byte[] text = "é€😀\nab".getBytes(StandardCharsets.UTF_8);
        LineScanner lines = new LineScanner(new ByteArrayInputStream(text), 16, 0);
        assertThat(lines.next()).isEqualTo(LineScanner.Kind.LINE);
        assertThat(lines.line()).isEqualTo("é€😀");
        assertThat(lines.next()).isEqualTo(LineScanner.Kind.END);
        assertThat(lines.pendingText()).isEqualTo("ab");
        assertThat(lines.pendingOffset()).isEqualTo(text.length - 2);
    }

    @Test
    void aFileWithOneGiantLineBetweenGoodOnesGivesEveryGoodRecordAndReportsTheLine() throws IOException {
        Path file = dir.resolve("events.log");
        long offset;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 1; i <= 3; i++) {
                out.write(record(i).getBytes(StandardCharsets.UTF_8));
            }
            offset = Files.size(file);
            byte[] chunk = new byte[1 << 16];
            Arrays.fill(chunk, (byte) '{');
            for (int i = 0; i < 160; i++) { // 10 MiB
                out.write(chunk);
            }
            out.write('\n');
            for (int i = 4; i <= 6; i++) {
                out.write(record(i).getBytes(StandardCharsets.UTF_8));
            }
        }
        List<JsonRecord> records = new ArrayList<>();
        JsonFileReader.Result result = JsonFileReader.of(file).read(records::add);
        assertThat(records).extracting(JsonRecord::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(result.problems()).containsExactly(file + ":4: line longer than 1048576 bytes (10485760 bytes at "
                + "offset " + offset + "), skipped");
        assertThat(result.tornTail()).isFalse();
    }

    @Test
    void aGiantTornTailIsReportedWithoutBeingHeld() throws IOException {
        Path file = dir.resolve("events.log");
        Files.writeString(file, record(1) + "x".repeat(5000));
        List<JsonRecord> records = new ArrayList<>();
        JsonFileReader.Result result = JsonFileReader.of(file).maxLineBytes(1024).read(records::add);
        assertThat(records).hasSize(1);
        assertThat(result.tornTail()).isTrue();
        assertThat(result.problems()).singleElement().asString().contains(":2: torn last line (5000 bytes");
    }

    @Test
    void lineLimitsRejectBadValuesNamingTheOptionAndTheValue() {
        assertThatThrownBy(() -> JsonFileReader.of(dir.resolve("x")).maxLineBytes(15))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxLineBytes: 15 (expected: ");
        assertThatThrownBy(() -> JsonFileReader.of(dir.resolve("x")).maxLineBytes(-1))
                .hasMessageStartingWith("maxLineBytes: -1 (expected: ");
        JsonLinesTcpSource<String> source = new JsonLinesTcpSource<>("localhost", 1, s -> s, s -> s);
        assertThat(source.maxLineBytes()).isEqualTo(1 << 20);
        assertThatThrownBy(() -> source.maxLineBytes(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("maxLineBytes: 2147483647 (expected: ");
    }

    /**
     * A loopback peer: reads the hello line, sends {@code before} good lines, then 100 MiB without a newline (in a
     * bounded loop), then, if {@code thenNewline}, a line break and one more good line; then closes.
     */
    private static CompletableFuture<Void> peer(ServerSocket server, int before, boolean thenNewline) {
        return CompletableFuture.runAsync(() -> {
            try (Socket socket = server.accept()) {
                new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
                OutputStream out = socket.getOutputStream();
                for (int i = 1; i <= before; i++) {
                    out.write(("{\"n\":" + i + "}\n").getBytes(StandardCharsets.UTF_8));
                }
                byte[] chunk = new byte[1 << 16];
                Arrays.fill(chunk, (byte) 'x');
                for (long sent = 0; sent < HUNDRED_MIB; sent += chunk.length) {
                    out.write(chunk);
                }
                if (thenNewline) {
                    out.write("\n{\"n\":99}\n".getBytes(StandardCharsets.UTF_8));
                }
                out.flush();
            } catch (IOException e) {
                // the client closed first: fine
            }
        });
    }

    @Test
    void aPeerStreaming100MibWithoutANewlineFailsTheConnectionAfterEveryGoodLine() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = peer(server, 2, false);
            JsonLinesTcpSource<String> source = new JsonLinesTcpSource<>(
                    InetAddress.getLoopbackAddress().getHostAddress(), server.getLocalPort(), s -> s, s -> s);
            try (EventSource.Connection<String> connection = source.open(null)) {
                assertThat(connection.next()).isEqualTo("{\"n\":1}");
                assertThat(connection.next()).isEqualTo("{\"n\":2}");
                assertThatThrownBy(connection::next).isInstanceOf(IOException.class)
                        .hasMessageContaining("a line longer than 1048576 bytes from ")
                        .hasMessageContaining(":" + server.getLocalPort() + " (" + HUNDRED_MIB + " bytes without a "
                                + "line break before the end)");
                assertThat(bufferOf(connection)).isLessThanOrEqualTo((1 << 20) + 1);
            }
            peer.get(30, TimeUnit.SECONDS);
            assertThat(source.longLines()).isEqualTo(1);
        }
    }

    @Test
    void aLongLineFromAPeerFailsTheConnectionOrIsSkippedByOption() throws Exception {
        for (boolean skip : new boolean[] {false, true}) {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                CompletableFuture<Void> peer = peer(server, 1, true);
                JsonLinesTcpSource<String> source = new JsonLinesTcpSource<String>(
                        InetAddress.getLoopbackAddress().getHostAddress(), server.getLocalPort(), s -> s, s -> s)
                        .maxLineBytes(4096).skipLongLines(skip);
                try (EventSource.Connection<String> connection = source.open(null)) {
                    assertThat(connection.next()).isEqualTo("{\"n\":1}");
                    if (skip) {
                        assertThat(connection.next()).isEqualTo("{\"n\":99}");
                        assertThat(connection.next()).isNull();
                    } else {
                        assertThatThrownBy(connection::next).isInstanceOf(IOException.class)
                                .hasMessageEndingWith("(" + HUNDRED_MIB + " bytes), skipped");
                    }
                    assertThat(bufferOf(connection)).isLessThanOrEqualTo(4097);
                }
                peer.get(30, TimeUnit.SECONDS);
                assertThat(source.longLines()).isEqualTo(1);
            }
        }
    }

    private static long bufferOf(EventSource.Connection<String> connection) {
        String text = connection.toString();
        return Long.parseLong(text.substring(text.indexOf("line buffer ") + 12, text.indexOf(" bytes)")));
    }

    @Test
    void aLastLineWithoutALineBreakFromAPeerIsStillAnItem() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (Socket socket = server.accept()) {
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                            .readLine();
                    socket.getOutputStream().write("{\"n\":1}\r\n{\"n\":2}".getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            JsonLinesTcpSource<String> source = new JsonLinesTcpSource<>(
                    InetAddress.getLoopbackAddress().getHostAddress(), server.getLocalPort(), s -> s, s -> s);
            try (EventSource.Connection<String> connection = source.open(null)) {
                assertThat(connection.next()).isEqualTo("{\"n\":1}");
                assertThat(connection.next()).isEqualTo("{\"n\":2}");
                assertThat(connection.next()).isNull();
                assertThat(connection.next()).isNull();
            }
            peer.get(30, TimeUnit.SECONDS);
        }
    }
}
