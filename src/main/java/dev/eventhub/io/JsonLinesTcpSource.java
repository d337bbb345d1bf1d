package dev.eventhub.io;

import dev.eventhub.internal.Checks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
 * @param <T> the event type
 */
public final class JsonLinesTcpSource<T> implements EventSource<T> {
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final String host;
    private final int port;
    private final Function<String, ? extends T> decoder;
    private final Function<? super T, String> token;

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
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            return new Connection<>() {
                @Override
                public T next() throws IOException {
                    String line = in.readLine();
                    if (line == null) {
                        return null;
                    }
                    if (!Json.isValue(line)) {
                        throw new IOException("not a JSON line from " + host + ":" + port + ": " + line);
                    }
                    T item = decoder.apply(line);
                    if (item == null) {
                        throw new IOException("the decoder gave null for " + line);
                    }
                    return item;
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
