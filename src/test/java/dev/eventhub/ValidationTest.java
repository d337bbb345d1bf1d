package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rejected argument of the core API, with the exact message: it names the argument and the value. */
class ValidationTest {
    private final EventHub<String> hub = EventHub.<String>builder().name("validation").buildManual();

    @AfterEach
    void close() {
        hub.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 1000, -8, Integer.MIN_VALUE, 1 << 31 >>> 0})
    void capacityMustBeAPowerOfTwoInRange(int capacity) {
        assertThatThrownBy(() -> EventHub.builder().capacity(capacity))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity: " + capacity + " (expected: a power of two from 2 to 1073741824)");
    }

    @Test
    void capacityAtTheBoundsIsAccepted() {
        EventHub.builder().capacity(2).capacity(1 << 30);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 3, 100, -1024})
    void historyMustBeZeroOrAPowerOfTwo(int history) {
        assertThatThrownBy(() -> EventHub.builder().history(history))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("history: " + history + " (expected: a power of two from 1 to 1073741824)");
    }

    @Test
    void historyZeroAndOneAreAccepted() {
        EventHub.builder().history(0).history(1);
    }

    @Test
    void nameMustBeNonBlankWithoutControlCharacters() {
        assertThatThrownBy(() -> EventHub.builder().name(null))
                .isInstanceOf(NullPointerException.class).hasMessage("name: null (expected: not null)");
        assertThatThrownBy(() -> EventHub.builder().name("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name: \"  \" (expected: a non-blank name without control characters)");
        assertThatThrownBy(() -> EventHub.builder().name("a\nb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name: \"a\nb\" (expected: a non-blank name without control characters)");
    }

    @Test
    void otherBuilderOptions() {
        assertThatThrownBy(() -> EventHub.builder().idle(null))
                .isInstanceOf(NullPointerException.class).hasMessage("idle: null (expected: not null)");
        assertThatThrownBy(() -> EventHub.builder().clock((java.util.function.LongSupplier) null))
                .isInstanceOf(NullPointerException.class).hasMessage("clock: null (expected: not null)");
        assertThatThrownBy(() -> EventHub.builder().clock((java.time.Clock) null))
                .isInstanceOf(NullPointerException.class).hasMessage("clock: null (expected: not null)");
        assertThatThrownBy(() -> EventHub.builder().drainTimeout(null))
                .isInstanceOf(NullPointerException.class).hasMessage("drainTimeout: null (expected: not null)");
        assertThatThrownBy(() -> EventHub.builder().drainTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("drainTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> EventHub.builder().drainTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("drainTimeout: PT-1S (expected: > 0)");
    }

    @Test
    void publishingNullOrWithABadTimeout() {
        assertThatThrownBy(() -> hub.offer(null))
                .isInstanceOf(NullPointerException.class).hasMessage("event: null (expected: not null)");
        assertThatThrownBy(() -> hub.publish(null))
                .isInstanceOf(NullPointerException.class).hasMessage("event: null (expected: not null)");
        assertThatThrownBy(() -> hub.publish(null, Duration.ZERO))
                .isInstanceOf(NullPointerException.class).hasMessage("event: null (expected: not null)");
        assertThatThrownBy(() -> hub.publish("e", null))
                .isInstanceOf(NullPointerException.class).hasMessage("timeout: null (expected: not null)");
        assertThatThrownBy(() -> hub.publish("e", Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout: PT-0.005S (expected: >= 0)");
        assertThat(hub.stats().rejected()).isZero();
        assertThat(hub.stats().queueDepth()).isZero();
    }

    @Test
    void subscribingWithNullHandlers() {
        assertThatThrownBy(() -> hub.subscribe((Consumer<String>) null))
                .isInstanceOf(NullPointerException.class).hasMessage("consumer: null (expected: not null)");
        assertThatThrownBy(() -> hub.subscribe((EventHandler<String>) null))
                .isInstanceOf(NullPointerException.class).hasMessage("handler: null (expected: not null)");
        assertThat(hub.stats().subscribers()).isZero();
    }

    @Test
    void subscriptionOptions() {
        Instant t = Instant.parse("2024-01-01T00:00:00Z");
        assertThatThrownBy(() -> hub.events().filter(null))
                .isInstanceOf(NullPointerException.class).hasMessage("filter: null (expected: not null)");
        assertThatThrownBy(() -> hub.events().since(null))
                .isInstanceOf(NullPointerException.class).hasMessage("since: null (expected: not null)");
        assertThatThrownBy(() -> hub.events().until(null))
                .isInstanceOf(NullPointerException.class).hasMessage("until: null (expected: not null)");
        assertThatThrownBy(() -> hub.events().afterSequence(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("afterSequence: -1 (expected: >= 0)");
        assertThatThrownBy(() -> hub.events().limit(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("limit: 0 (expected: > 0)");
        assertThatThrownBy(() -> hub.events().limit(-3))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("limit: -3 (expected: > 0)");
        assertThatThrownBy(() -> hub.events().since(t).afterSequence(4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("afterSequence: 4 (expected: not together with since: 2024-01-01T00:00:00Z)");
        assertThatThrownBy(() -> hub.events().afterSequence(4).since(t))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("since: 2024-01-01T00:00:00Z (expected: not together with afterSequence: 4)");
    }

    @Test
    void sinceAfterUntilIsRejectedWhicheverComesFirst() {
        Instant early = Instant.parse("2024-01-01T00:00:00Z");
        Instant late = early.plusSeconds(1);
        assertThatThrownBy(() -> hub.events().since(late).until(early))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("until: 2024-01-01T00:00:00Z (expected: not before since: 2024-01-01T00:00:01Z)");
        assertThatThrownBy(() -> hub.events().until(early).since(late))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("since: 2024-01-01T00:00:01Z (expected: not after until: 2024-01-01T00:00:00Z)");
        hub.events().since(early).until(early); // equal is a one-instant window, allowed
    }

    @Test
    void waitsWithNegativeTimeouts() throws Exception {
        Subscription subscription = hub.subscribe(event -> { });
        assertThatThrownBy(() -> subscription.await(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout: PT-1S (expected: >= 0)");
        assertThatThrownBy(() -> subscription.await(-1, TimeUnit.SECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout: -1 (expected: >= 0)");
        assertThatThrownBy(() -> subscription.await(1, null))
                .isInstanceOf(NullPointerException.class).hasMessage("unit: null (expected: not null)");
        assertThatThrownBy(() -> subscription.await(null))
                .isInstanceOf(NullPointerException.class).hasMessage("timeout: null (expected: not null)");
        assertThatThrownBy(() -> hub.awaitTermination(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout: PT-0.000000001S (expected: >= 0)");
        assertThat(subscription.isActive()).isTrue();
    }

    @Test
    void operationsAfterCloseNameTheHub() {
        hub.close();
        assertThat(hub.offer("late")).isFalse();
        assertThatThrownBy(() -> hub.publish("late"))
                .isInstanceOf(HubClosedException.class)
                .hasMessage("hub 'validation' is closed: publish refused");
        assertThatThrownBy(() -> hub.subscribe(event -> { }))
                .isInstanceOf(HubClosedException.class)
                .hasMessage("hub 'validation' is closed: subscribe refused");
        assertThat(hub.stats().rejected()).isEqualTo(2);
    }
}
