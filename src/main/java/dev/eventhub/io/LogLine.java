package dev.eventhub.io;

/**
 * One line of a process's output, as {@link LineCopier} publishes it (Docker's log message). A line longer than the
 * copier's limit comes as several records with the same {@link Partial#id()}, numbered from 1, the last one marked.
 *
 * @param source    the stream's name, such as {@code stdout}
 * @param text      the line without its line break ({@code \n} or {@code \r\n}), or this part of it
 * @param timeNanos when the copier read the line (all parts of a line share the first part's time), in nanoseconds
 *                  since the epoch
 * @param partial   which part of a long line this is, or null for a whole line
 */
public record LogLine(String source, String text, long timeNanos, Partial partial) {

    /**
     * Where a part belongs.
     *
     * @param id      the same for every part of one line, unique per line
     * @param ordinal 1, 2, 3... in order
     * @param last    whether this part ends the line
     */
    public record Partial(String id, int ordinal, boolean last) {
    }

    /** {@return whether this is a part of a longer line} */
    public boolean isPartial() {
        return partial != null;
    }
}
