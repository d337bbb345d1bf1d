package dev.eventhub.io;

import dev.eventhub.EventHub;
import java.nio.file.Path;
import java.util.Map;

/**
 * A process that writes json-file records as fast as it can until it is killed: {@code JsonFileSinkTest} kills it
 * with SIGKILL mid-write and checks that every complete record can be read back.
 */
public final class JsonFileWriterMain {
    private JsonFileWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        try (EventHub<Long> hub = EventHub.<Long>builder().name("child").build()) {
            hub.attach(Sinks.open("json-file", Map.of("path", path.toString(), "max-size", "64k", "max-file", "1000"),
                    (Long n) -> "{\"n\":" + n + ",\"pad\":\"" + "x".repeat((int) (n % 200)) + "\"}"));
            for (long n = 1; ; n++) {
                hub.publish(n);
            }
        }
    }
}
