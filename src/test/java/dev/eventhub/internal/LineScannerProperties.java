package dev.eventhub.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The line scanner against a naive model: same lines, same skipped lines, for any bytes, limit and read sizes. */
class LineScannerProperties {

    @Property
    void findsTheSameFirstNewlineAsAByteLoop(@ForAll @Size(max = 40) byte[] bytes, @ForAll @IntRange(max = 40) int from) {
        int start = Math.min(from, bytes.length);
        int expected = -1;
        for (int i = start; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                expected = i;
                break;
            }
        }
        assertThat(LineScanner.newline(bytes, start, bytes.length)).isEqualTo(expected);
    }

    @Property
    void givesTheLinesAndSkipsOfANaiveSplit(@ForAll @Size(max = 300) List<@IntRange(min = 0, max = 3) Integer> kinds,
                                            @ForAll @IntRange(min = 16, max = 40) int limit,
                                            @ForAll @IntRange(min = 1, max = 50) int chunk) throws IOException {
        byte[] bytes = new byte[kinds.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) "\nab\u00e9".charAt(kinds.get(i)); // newlines, ASCII and a byte > 0x7f
        }
        List<String> expected = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                expected.add(i - start > limit ? "skip " + start + " " + (i - start)
                        : new String(bytes, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        InputStream in = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk)); // short reads, as from a socket
            }
        };
        LineScanner scanner = new LineScanner(in, limit, 0);
        List<String> actual = new ArrayList<>();
        LineScanner.Kind kind;
        while ((kind = scanner.next()) != LineScanner.Kind.END) {
            actual.add(kind == LineScanner.Kind.LINE ? scanner.line()
                    : "skip " + scanner.lineOffset() + " " + scanner.lineBytes());
            assertThat(scanner.bufferCapacity()).isLessThanOrEqualTo(limit + 1);
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(scanner.pendingBytes()).isEqualTo(bytes.length - start);
        assertThat(scanner.pendingTooLong()).isEqualTo(bytes.length - start > limit);
    }
}
