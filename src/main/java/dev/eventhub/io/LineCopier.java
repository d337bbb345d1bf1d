package dev.eventhub.io;

import dev.eventhub.EventHub;
import dev.eventhub.HubClosedException;
import dev.eventhub.Subscription;
import dev.eventhub.internal.Checks;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Copies an {@link InputStream} (a child process's stdout or stderr, say) into a hub, one {@link LogLine} per line:
 * Docker's log copier. It reads on a thread of its own ({@code eventhub-<hub>-copier-<source>}, a daemon) and
 * publishes with {@link EventHub#publish}, so a full hub slows the copier rather than lose a line (Docker's blocking
 * mode).
 *
 * <p><b>Lines.</b> {@code \n} ends a line and a {@code \r} before it is dropped. A line longer than the limit
 * (16 KiB of UTF-8 by default) becomes several partial records sharing an id, cut only between characters, never
 * inside a UTF-8 sequence. A last line without a line break is still published. Text is decoded as UTF-8; invalid
 * bytes become U+FFFD.
 *
 * <p><b>End.</b> End of stream ends the copier ({@link State#DONE}); a read error ends it ({@link State#FAILED}, the
 * exception in {@link #failure()}, logged); the hub closing ends it ({@link State#HUB_CLOSED}): the copier closes
 * its stream and interrupts its thread as {@link #stop()} does, so that its thread ends within the hub's {@code drainTimeout} even if the
 * stream never produces again (a line being read is not published); {@link #stop()} ends it
 * ({@link State#STOPPED}). In every case the stream is closed.
 *
 * <p><b>Threading.</b> Every method may be called from any thread.
 */
public final class LineCopier {
    private static final System.Logger LOG = System.getLogger("dev.eventhub");
    /** Docker's limit: longer lines are split into partial records. */
    public static final int DEFAULT_MAX_LINE_BYTES = 16 * 1024;
    private static final int READ_SIZE = 8 * 1024;

    /** Where a copier is in its life. */
    public enum State {
        /** Reading and publishing. */
        RUNNING,
        /** The stream ended; everything read was published. */
        DONE,
        /** Reading failed; see {@link #failure()}. */
        FAILED,
        /** {@link #stop()} ended it. */
        STOPPED,
        /** The hub closed; the rest of the stream was not read. */
        HUB_CLOSED
    }

    private final EventHub<LogLine> hub;
    private final String source;
    private final InputStream in;
    private final int maxLineBytes;
    private final LongSupplier clock;
    private final Thread thread;
    private final CountDownLatch done = new CountDownLatch(1);

    private volatile State state = State.RUNNING;
    private volatile Throwable failure;
    private volatile boolean stopping;
    /** The hub closed: the watch closed the stream to end a read that may never return otherwise. */
    private volatile boolean hubClosed;
    /** Ends when the hub closes; cancelled when the copier ends first. Set before the thread starts. */
    private Subscription hubWatch;
    private volatile long published;
    private volatile long partials;

    // Copier thread only.
    private byte[] line;
    private int length;
    private String partId;
    private int ordinal;
    private long lineTime;

    private LineCopier(EventHub<LogLine> hub, String source, InputStream in, int maxLineBytes, LongSupplier clock) {
        this.hub = hub;
        this.source = source;
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.clock = clock;
        this.line = new byte[Math.min(maxLineBytes, 1024)];
        this.thread = new Thread(this::run, "eventhub-" + hub.name() + "-copier-" + source);
        this.thread.setDaemon(true);
    }

    /**
     * Starts copying {@code in} into {@code hub} with the defaults (16 KiB lines, the system clock).
     *
     * @param hub    where the lines go
     * @param source the stream's name, such as {@code stdout}; in every record and in the thread's name
     * @param in     the stream; the copier closes it when it ends
     * @return the running copier
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code source} is blank or has control characters
     * @throws HubClosedException       if the hub is closed
     */
    public static LineCopier start(EventHub<LogLine> hub, String source, InputStream in) {
        return builder(hub, source, in).start();
    }

    /**
     * A copier to configure before {@link Builder#start()}.
     *
     * @param hub    where the lines go
     * @param source the stream's name
     * @param in     the stream
     * @return the builder
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code source} is blank or has control characters
     */
    public static Builder builder(EventHub<LogLine> hub, String source, InputStream in) {
        return new Builder(Checks.notNull("hub", hub), Checks.name("source", source), Checks.notNull("in", in));
    }

    /** Options of a copier. */
    public static final class Builder {
        private final EventHub<LogLine> hub;
        private final String source;
        private final InputStream in;
        private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
        private LongSupplier clock = () -> Checks.epochNanos(java.time.Instant.now());

        private Builder(EventHub<LogLine> hub, String source, InputStream in) {
            this.hub = hub;
            this.source = source;
            this.in = in;
        }

        /**
         * The longest line published whole, in UTF-8 bytes; longer ones are split into partial records.
         *
         * @param bytes from 16 to 1 MiB (default 16 KiB)
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxLineBytes(int bytes) {
            if (bytes < 16 || bytes > 1 << 20) {
                throw new IllegalArgumentException("maxLineBytes: " + bytes + " (expected: from 16 to " + (1 << 20)
                        + ")");
            }
            this.maxLineBytes = bytes;
            return this;
        }

        /**
         * The time source for {@link LogLine#timeNanos()} (tests).
         *
         * @param epochNanos nanoseconds since the epoch
         * @return this builder
         * @throws NullPointerException if {@code epochNanos} is null
         */
        public Builder clock(LongSupplier epochNanos) {
            this.clock = Checks.notNull("clock", epochNanos);
            return this;
        }

        /**
         * Starts the copier's thread.
         *
         * @return the running copier
         * @throws HubClosedException if the hub is closed
         */
        public LineCopier start() {
            if (hub.isClosed()) {
                throw new HubClosedException(hub.name(), "LineCopier.start");
            }
            LineCopier copier = new LineCopier(hub, source, in, maxLineBytes, clock);
            copier.hubWatch = HubEnd.watch(hub, "copier-" + source + "-hub-end", copier::hubClosed);
            copier.thread.start();
            return copier;
        }
    }

    private void run() {
        State end = State.DONE;
        try {
            byte[] chunk = new byte[READ_SIZE];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                for (int i = 0; i < n; i++) {
                    byte b = chunk[i];
                    if (b == '\n') {
                        endLine();
                    } else {
                        append(b);
                    }
                }
            }
            if (hubClosed) {
                end = State.HUB_CLOSED; // the stream was closed for the hub's close: a line being read is dropped
            } else if (length > 0 || partId != null) {
                endLine(); // a last line without a line break
            }
        } catch (HubClosedException closed) {
            end = State.HUB_CLOSED;
            LOG.log(Level.WARNING, "copier of '" + source + "' into hub '" + hub.name() + "': the hub closed; the "
                    + "rest of the stream was not read");
        } catch (InterruptedException | InterruptedIOException interrupted) {
            end = stopping ? State.STOPPED : hubClosed ? State.HUB_CLOSED : State.FAILED;
            if (!stopping && !hubClosed) {
                failure = interrupted;
            }
        } catch (IOException | RuntimeException error) {
            if (stopping) {
                end = State.STOPPED; // closing the stream under a read is how stop() unblocks it
            } else if (hubClosed) {
                end = State.HUB_CLOSED; // and how the hub's close unblocks it
            } else {
                end = State.FAILED;
                failure = error;
                LOG.log(Level.WARNING, "copier of '" + source + "' into hub '" + hub.name() + "': reading failed "
                        + "after " + published + " records", error);
            }
        } finally {
            try {
                in.close();
            } catch (IOException ignored) {
                // Ending anyway.
            }
            hubWatch.cancel();
            state = end;
            done.countDown();
        }
    }

    private void append(byte b) throws InterruptedException {
        if (length == 0 && partId == null) {
            lineTime = clock.getAsLong();
        }
        if (length == maxLineBytes) {
            flushPart();
        }
        if (length == line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
        }
        line[length++] = b;
    }

    /** The buffer is full mid-line: publish what ends on a character boundary as a part, keep the rest. */
    private void flushPart() throws InterruptedException {
        int cut = length;
        // Back off over continuation bytes (10xxxxxx) to the start of the last character, unless that character
        // is complete (its lead byte announces exactly the bytes that follow it).
        int lead = length - 1;
        while (lead > 0 && (line[lead] & 0xC0) == 0x80) {
            lead--;
        }
        int needed = sequenceLength(line[lead]);
        if (lead + needed > length) {
            cut = lead; // the last character is not complete yet: it goes into the next part
        }
        if (cut == length && line[length - 1] == '\r') {
            cut--; // it may be the start of \r\n: keep it with what follows
        }
        if (cut == 0) {
            cut = length; // invalid bytes only: cut anywhere, they decode to U+FFFD either way
        }
        if (partId == null) {
            partId = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE)
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
            ordinal = 0;
        }
        publish(new String(line, 0, cut, StandardCharsets.UTF_8), new LogLine.Partial(partId, ++ordinal, false));
        System.arraycopy(line, cut, line, 0, length - cut);
        length -= cut;
    }

    private static int sequenceLength(byte lead) {
        int b = lead & 0xFF;
        if (b < 0x80) {
            return 1;
        }
        if (b >= 0xF0) {
            return 4;
        }
        if (b >= 0xE0) {
            return 3;
        }
        return b >= 0xC0 ? 2 : 1;
    }

    private void endLine() throws InterruptedException {
        if (length == 0 && partId == null) {
            lineTime = clock.getAsLong(); // an empty line
        }
        int end = length;
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        String text = new String(line, 0, end, StandardCharsets.UTF_8);
        if (partId != null) {
            publish(text, new LogLine.Partial(partId, ++ordinal, true));
            partId = null;
        } else {
            publish(text, null);
        }
        length = 0;
    }

    private void publish(String text, LogLine.Partial partial) throws InterruptedException {
        hub.publish(new LogLine(source, text, lineTime, partial));
        published++;
        if (partial != null) {
            partials++;
        }
    }

    // ------------------------------------------------------------------ any thread

    /** {@return where the copier is in its life} */
    public State state() {
        return state;
    }

    /** {@return records published so far, parts of long lines included} */
    public long published() {
        return published;
    }

    /** {@return partial records published so far} */
    public long partials() {
        return partials;
    }

    /** {@return why reading failed, for {@link State#FAILED}; otherwise null} */
    public Throwable failure() {
        return failure;
    }

    /**
     * Waits at most {@code timeout} for the copier to end.
     *
     * @param timeout how long to wait at most
     * @return whether it ended
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws InterruptedException     if interrupted while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        Checks.notNegative("timeout", timeout);
        return done.await(Checks.toNanos(timeout), TimeUnit.NANOSECONDS);
    }

    /**
     * The hub closed: close the stream and interrupt the thread, as {@link #stop()} does, so that a read blocked on a
     * silent stream returns. Does not wait for the thread (it runs on whichever thread ended the hub's subscriptions).
     */
    private void hubClosed() {
        if (done.getCount() == 0) {
            return;
        }
        hubClosed = true;
        try {
            in.close();
        } catch (IOException ignored) {
            // The interrupt below ends it anyway.
        }
        thread.interrupt();
    }

    /**
     * Stops copying: closes the stream, interrupts a publish waiting for room, and waits for the thread to end.
     * Idempotent. A line being read is not published.
     *
     * @throws InterruptedException if interrupted while waiting for the thread
     */
    public void stop() throws InterruptedException {
        if (done.getCount() == 0) {
            return;
        }
        stopping = true;
        try {
            in.close();
        } catch (IOException ignored) {
            // The thread ends anyway: interrupted below.
        }
        thread.interrupt();
        thread.join();
    }

    @Override
    public String toString() {
        return "LineCopier{hub=" + hub.name() + ", source=" + source + ", state=" + state + ", published=" + published
                + '}';
    }
}
