package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void deliversInOrderAndClosesCleanly() throws Exception {
        EventHub<String> hub = EventHub.<String>builder().name("smoke").build();
        List<String> seen = new CopyOnWriteArrayList<>();
        Subscription s = hub.subscribe(seen::add);
        for (int i = 0; i < 1000; i++) {
            hub.publish("e" + i);
        }
        hub.close();
        assertThat(s.await(Duration.ofSeconds(5))).isTrue();
        assertThat(s.endReason()).isEqualTo(EndReason.HUB_CLOSED);
        assertThat(seen).hasSize(1000).startsWith("e0", "e1").endsWith("e999");
        assertThat(hub.awaitTermination(Duration.ofSeconds(5))).isTrue();
        assertThat(hub.stats().published()).isEqualTo(1000);
    }
}
