package dev.eventhub.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A container lifecycle event, as iSulad's event module publishes them, printed the way {@code isula events}
 * prints them: {@code 2022-05-10T17:20:34.661862100+08:00 container start 3f2a… (image=busybox, name=web,
 * pid=9007)}.
 */
record ContainerEvent(String action, String id, String image, String name, int pid, int exitCode) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnnxxx");

    /** The event as a JSON object, for the json-file sink: the fields `events --filter` selects on. */
    String toJson() {
        return "{\"type\":\"container\",\"action\":\"" + action + "\",\"id\":\"" + id + "\",\"name\":\"" + name
                + "\",\"image\":\"" + image + "\",\"pid\":" + pid + ",\"exitCode\":" + exitCode + "}";
    }

    String format(long timestampNanos, ZoneId zone) {
        Instant instant = Instant.ofEpochSecond(Math.floorDiv(timestampNanos, 1_000_000_000L),
                Math.floorMod(timestampNanos, 1_000_000_000L));
        StringBuilder line = new StringBuilder(128)
                .append(TIME.format(ZonedDateTime.ofInstant(instant, zone)))
                .append(" container ").append(action).append(' ').append(id)
                .append(" (image=").append(image).append(", name=").append(name);
        if (pid > 0) {
            line.append(", pid=").append(pid);
        }
        if ("die".equals(action)) {
            line.append(", exitCode=").append(exitCode);
        }
        return line.append(')').toString();
    }
}
