package dev.eventhub.io;

import dev.eventhub.EventHub;
import dev.eventhub.HubClosedException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LineCopierTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int K16 = 16 * 1024;

    private final EventHub<LogLine> hub = EventHub.<LogLine>builder().name("logs").build();
    private final List<LogLine> lines = new CopyOnWriteArrayList<>();
    private final AtomicLong time = new AtomicLong(1_000);

    LineCopierTest() {
        hub.subscribe(lines::add);
    }

    @AfterEach
    void close() {
        hub.close();
    }

    /** Copies {@code text} to the end and waits until every record has been delivered. */
    private LineCopier copy(String text, int maxLineBytes) throws InterruptedException {
        return copy(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), maxLineBytes);
    }

    private LineCopier copy(InputStream in, int maxLineBytes) throws InterruptedException {
        LineCopier copier = LineCopier.builder(hub, "stdout", in).maxLineBytes(maxLineBytes)
                .clock(time::incrementAndGet).start();
        assertThat(copier.await(WAIT)).isTrue();
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> lines.size() == copier.published());
        return copier;
    }

    private List<String> texts() {
        return lines.stream().map(LogLine::text).toList();
    }

    /** Joins the parts back into lines, checking ids, ordinals and last flags. */
    private List<String> joined() {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder current = null;
        String id = null;
        int ordinal = 0;
        for (LogLine line : lines) {
            if (line.partial() == null) {
                assertThat(current).as("a whole line in the middle of a partial one").isNull();
                out.add(line.text());
                continue;
            }
            if (current == null) {
                current = new StringBuilder();
                id = line.partial().id();
                ordinal = 0;
            }
            assertThat(line.partial().id()).isEqualTo(id);
            assertThat(line.partial().ordinal()).isEqualTo(++ordinal);
            current.append(line.text());
            if (line.partial().last()) {
                out.add(current.toString());
                current = null;
            }
        }
        assertThat(current).as("an unfinished partial line").isNull();
        return out;
    }

    @Test
    void oneRecordPerLineWithCrLfEmptyLinesAndAFinalLineWithoutABreak() throws Exception {
        LineCopier copier = copy("first\r\n\nthird\nlast without break", K16);
        assertThat(texts()).containsExactly("first", "", "third", "last without break");
        assertThat(lines).allMatch(l -> l.source().equals("stdout") && !l.isPartial());
        assertThat(lines).extracting(LogLine::timeNanos).isSorted().doesNotHaveDuplicates();
        assertThat(copier.state()).isEqualTo(LineCopier.State.DONE);
        assertThat(copier.published()).isEqualTo(4);
        assertThat(copier.partials()).isZero();
    }

    @Test
    void aLineOfExactly16KiBIsWholeAndOneByteMoreIsSplitInTwo() throws Exception {
        String exact = "a".repeat(K16);
        copy(exact + "\n" + exact + "b\n", K16);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).partial()).isNull();
        assertThat(lines.get(0).text()).hasSize(K16);
        assertThat(lines.get(1).partial().ordinal()).isEqualTo(1);
        assertThat(lines.get(1).partial().last()).isFalse();
        assertThat(lines.get(1).text()).hasSize(K16);
        assertThat(lines.get(2).partial()).isEqualTo(new LogLine.Partial(lines.get(1).partial().id(), 2, true));
        assertThat(lines.get(2).text()).isEqualTo("b");
        assertThat(lines.get(1).timeNanos()).isEqualTo(lines.get(2).timeNanos()); // parts share the first's time
        assertThat(joined()).containsExactly(exact, exact + "b");
    }

    @Test
    void aLongLineSplitsIntoManyPartsAndTheIdsDifferPerLine() throws Exception {
        String longLine = "x".repeat(5 * 100 + 7);
        LineCopier copier = copy(longLine + "\n" + longLine, 100);
        assertThat(joined()).containsExactly(longLine, longLine);
        assertThat(lines).hasSize(12);
        assertThat(lines.get(0).partial().id()).isNotEqualTo(lines.get(6).partial().id());
        assertThat(copier.partials()).isEqualTo(12);
    }

    @Test
    void multiByteCharactersAreNeverCutInTheMiddle() throws Exception {
        // Each '€' is 3 bytes and 'x' 1: some parts must end early so that no character straddles a boundary.
        for (int prefix = 0; prefix < 4; prefix++) {
            lines.clear();
            String line = "x".repeat(prefix) + "€".repeat(20) + "😀".repeat(9);
            copy(line + "\r\n", 16);
            assertThat(lines).allMatch(l -> !l.text().contains("\uFFFD"))
                    .allMatch(l -> l.text().getBytes(StandardCharsets.UTF_8).length <= 16);
            assertThat(joined()).containsExactly(line);
        }
    }

    @Test
    void aCarriageReturnAtAPartBoundaryStillEndsTheLineCleanly() throws Exception {
        String line = "y".repeat(15);
        copy(line + "\r\n", 16);
        assertThat(joined()).containsExactly(line);
    }

    @Test
    void aReadErrorEndsTheCopierCleanlyAfterWhatWasRead() throws Exception {
        InputStream failing = new InputStream() {
            private final InputStream data = new ByteArrayInputStream("one\ntwo\npartial".getBytes());

            @Override
            public int read() throws IOException {
                int b = data.read();
                if (b < 0) {
                    throw new IOException("device gone");
                }
                return b;
            }
        };
        LineCopier copier = copy(failing, K16);
        assertThat(copier.state()).isEqualTo(LineCopier.State.FAILED);
        assertThat(copier.failure()).hasMessage("device gone");
        assertThat(texts()).containsExactly("one", "two");
    }

    @Test
    void stopEndsACopierBlockedOnAReadAndIsIdempotent() throws Exception {
        PipedOutputStream writer = new PipedOutputStream();
        PipedInputStream reader = new PipedInputStream(writer);
        LineCopier copier = LineCopier.start(hub, "stderr", reader);
        writer.write("hello\n".getBytes(StandardCharsets.UTF_8));
        writer.flush();
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> lines.size() == 1);
        copier.stop();
        copier.stop();
        assertThat(copier.state()).isEqualTo(LineCopier.State.STOPPED);
        assertThat(copier.failure()).isNull();
        assertThat(lines.get(0)).extracting(LogLine::source, LogLine::text).containsExactly("stderr", "hello");
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("eventhub-logs-copier-stderr"));
    }

    @Test
    void aClosedHubEndsTheCopier() throws Exception {
        PipedOutputStream writer = new PipedOutputStream();
        PipedInputStream reader = new PipedInputStream(writer);
        LineCopier copier = LineCopier.start(hub, "stdout", reader);
        hub.close();
        assertThat(copier.await(WAIT)).isTrue();
        assertThatThrownBy(() -> writer.write('x')).isInstanceOf(java.io.IOException.class); // the copier closed it
        assertThat(copier.state()).isEqualTo(LineCopier.State.HUB_CLOSED);
        assertThatThrownBy(() -> LineCopier.start(hub, "stdout", reader)).isInstanceOf(HubClosedException.class);
    }

    @Test
    void theHubClosingEndsACopierOnAStreamThatNeverProducesAgainWithinTheDrainTimeout() throws Exception {
        Duration drain = Duration.ofSeconds(2);
        EventHub<LogLine> own = EventHub.<LogLine>builder().name("silent").drainTimeout(drain).build();
        PipedInputStream silent = new PipedInputStream(new PipedOutputStream()); // never written, never closed
        LineCopier copier = LineCopier.start(own, "stdout", silent);
        Thread thread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("eventhub-silent-copier-stdout")).findFirst().orElseThrow();
        own.close();
        thread.join(drain.toMillis());
        assertThat(thread.isAlive()).isFalse();
        assertThat(copier.await(Duration.ZERO)).isTrue();
        assertThat(copier.state()).isEqualTo(LineCopier.State.HUB_CLOSED);
        assertThat(copier.failure()).isNull();
        assertThatThrownBy(silent::read).isInstanceOf(java.io.IOException.class); // the copier closed it
    }

    @Test
    void badArgumentsAreRejectedWithTheirNames() {
        InputStream in = new ByteArrayInputStream(new byte[0]);
        assertThatThrownBy(() -> LineCopier.start(null, "s", in)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("hub: null");
        assertThatThrownBy(() -> LineCopier.start(hub, null, in)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("source: null");
        assertThatThrownBy(() -> LineCopier.start(hub, " ", in)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source: \" \"");
        assertThatThrownBy(() -> LineCopier.start(hub, "s", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("in: null");
        assertThatThrownBy(() -> LineCopier.builder(hub, "s", in).maxLineBytes(15))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLineBytes: 15 (expected: from 16");
        assertThatThrownBy(() -> LineCopier.builder(hub, "s", in).maxLineBytes((1 << 20) + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLineBytes: 1048577");
        assertThatThrownBy(() -> LineCopier.builder(hub, "s", in).clock(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("clock: null");
    }
}
