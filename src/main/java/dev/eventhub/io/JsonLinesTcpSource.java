package dev.eventhub.io;

import dev.eventhub.internal.Checks;
import dev.eventhub.internal.LineScanner;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An {@link EventSource} that reads JSON lines over TCP, resuming where it left off: the example of a remote event
 * stream for {@link Ingest}.
 *
 * <p><b>Protocol.</b> The client connects and sends one line: {@code {"resume":"<token>"}} where the token names
 * the last item it received, or {@code {}} the first time. The server then sends items, one JSON value per line
 * (UTF-8, {@code \n}), starting right after that item, until it closes the connection. A server that cannot
 * resume from the token should close the connection without sending anything (the client backs off and retries);
 * a server that ignores it resends from its start, and the duplicates are the server's doing.
 *
 * <p><b>Bounded lines.</b> A line longer than {@link #maxLineBytes(int)} (default 1 MiB) is never held whole: the
 * source skips to its line break, counting its bytes ({@link #longLines()}), then by default fails the connection
 * with an {@link IOException} naming the peer and the byte count, so that {@link Ingest} reconnects as after any
 * stream error and resumes after the last good item (nothing before the bad line is lost). With
 * {@link #skipLongLines(boolean) skipLongLines(true)} it logs the line instead and reads on.
 *
 * @param <T> the event type
 */
public final class JsonLinesTcpSource<T> implements EventSource<T> {
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final System.Logger LOG = System.getLogger(JsonLinesTcpSource.class.getName());

    private final String host;
    private final int port;
    private final Function<String, ? extends T> decoder;
    private final Function<? super T, String> token;
    private final int maxLineBytes;
    private final boolean skipLongLines;
    private final AtomicLong longLines;

    /**
     * A source for {@code host:port}.
     *
     * @param host    the server's host
     * @param port    its port, 1 to 65535
     * @param decoder turns one line (a JSON value) into an item; an exception ends the connection as a failure
     * @param token   names an item for resuming after it
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code host} is blank or {@code port} is out of range
     */
    public JsonLinesTcpSource(String host, int port, Function<String, ? extends T> decoder,
                              Function<? super T, String> token) {
        this.host = Checks.name("host", host);
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: from 1 to 65535)");
        }
        this.port = port;
        this.decoder = Checks.notNull("decoder", decoder);
        this.token = Checks.notNull("token", token);
        this.maxLineBytes = LineScanner.DEFAULT_MAX_LINE_BYTES;
        this.skipLongLines = false;
        this.longLines = new AtomicLong();
    }

    private JsonLinesTcpSource(JsonLinesTcpSource<T> from, int maxLineBytes, boolean skipLongLines) {
        this.host = from.host;
        this.port = from.port;
        this.decoder = from.decoder;
        this.token = from.token;
        this.maxLineBytes = maxLineBytes;
        this.skipLongLines = skipLongLines;
        this.longLines = new AtomicLong();
    }

    /**
     * The same source with another limit on a line.
     *
     * @param bytes the longest line accepted, in bytes without the line break, from 16 to 2^30; default 1 MiB
     * @return a new source
     * @throws IllegalArgumentException naming {@code maxLineBytes} and the value when out of range
     */
    public JsonLinesTcpSource<T> maxLineBytes(int bytes) {
        return new JsonLinesTcpSource<>(this, LineScanner.maxLineBytes(bytes), skipLongLines);
    }

    /**
     * The same source, with what it does on a line longer than the limit: skip it, log it and read on
     * ({@code true}), or fail the connection so that the ingest reconnects ({@code false}, the default).
     *
     * @param skip whether to skip long lines and read on
     * @return a new source
     */
    public JsonLinesTcpSource<T> skipLongLines(boolean skip) {
        return new JsonLinesTcpSource<>(this, maxLineBytes, skip);
    }

    /** {@return the limit on a line, in bytes} */
    public int maxLineBytes() {
        return maxLineBytes;
    }

    /** {@return lines longer than the limit seen so far by this source, over all its connections} */
    public long longLines() {
        return longLines.get();
    }

    @Override
    public Connection<T> open(T resumeAfter) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            StringBuilder hello = new StringBuilder("{");
            if (resumeAfter != null) {
                Json.quote(hello.append("\"resume\":"), token.apply(resumeAfter));
            }
            OutputStream out = socket.getOutputStream();
            out.write(hello.append("}\n").toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            LineScanner in = new LineScanner(socket.getInputStream(), maxLineBytes, 0);
            String peer = host + ":" + port;
            return new Connection<>() {
                private boolean ended;

                @Override
                public T next() throws IOException {
                    if (ended) {
                        return null;
                    }
                    String line;
                    while (true) {
                        LineScanner.Kind kind = in.next();
                        if (kind == LineScanner.Kind.LINE) {
                            line = in.line();
                            break;
                        }
                        long bytes = kind == LineScanner.Kind.END ? in.pendingBytes() : in.lineBytes();
                        boolean tooLong = kind == LineScanner.Kind.TOO_LONG || in.pendingTooLong();
                        if (!tooLong) {
                            if (bytes == 0) {
                                return null; // a clean end
                            }
                            line = in.pendingText(); // a last line without its line break, as readLine gave it
                            ended = true;
                            break;
                        }
                        longLines.incrementAndGet();
                        String what = "a line longer than " + maxLineBytes + " bytes from " + peer + " (" + bytes
                                + " bytes" + (kind == LineScanner.Kind.END ? " without a line break before the end"
                                : "") + "), skipped";
                        if (!skipLongLines || kind == LineScanner.Kind.END) {
                            throw new IOException(what);
                        }
                        LOG.log(System.Logger.Level.WARNING, what);
                    }
                    if (line.endsWith("\r")) {
                        line = line.substring(0, line.length() - 1);
                    }
                    if (!Json.isValue(line)) {
                        throw new IOException("not a JSON line from " + peer + ": "
                                + (line.length() <= 200 ? line : line.substring(0, 200) + "..."));
                    }
                    T item = decoder.apply(line);
                    if (item == null) {
                        throw new IOException("the decoder gave null for " + line);
                    }
                    return item;
                }

                /** For tests: the line buffer never passes the limit. */
                @Override
                public String toString() {
                    return "connection to " + peer + " (line buffer " + in.bufferCapacity() + " bytes)";
                }

                @Override
                public void close() throws IOException {
                    socket.close();
                }
            };
        } catch (IOException | RuntimeException failure) {
            socket.close();
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "JsonLinesTcpSource{" + host + ":" + port + '}';
    }
}
