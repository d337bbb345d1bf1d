package dev.eventhub;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The leak check of PRODUCT.md section 6: no thread whose name starts with {@value #PREFIX} may outlive the test class
 * that started it. Every hub thread is named so ({@code eventhub-<hub>-dispatcher},
 * {@code eventhub-<hub>-<subscription name>}). Used after every test class by {@link NoLeakedHubThreadsExtension}
 * (JUnit Jupiter), {@link NoLeakedHubThreadsHook} (jqwik) and the TestNG classes of the Reactive Streams TCK.
 */
final class HubThreads {
    static final String PREFIX = "eventhub";
    /** Threads that are finishing (a closed hub's dispatcher returning from its last round) get this long. */
    static final Duration GRACE = Duration.ofSeconds(Long.getLong("eventhub.leakGraceSeconds", 10));
    /** Stack frames shown per leaked thread. */
    private static final int FRAMES = 12;

    private HubThreads() {
    }

    /** Live hub threads now, with their stacks. */
    static Map<Thread, StackTraceElement[]> alive() {
        Map<Thread, StackTraceElement[]> alive = new java.util.HashMap<>();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith(PREFIX) && thread.isAlive()) {
                alive.put(thread, stack);
            }
        });
        return alive;
    }

    static String describe(Map<Thread, StackTraceElement[]> threads) {
        StringBuilder out = new StringBuilder();
        Map<String, Thread> byName = new TreeMap<>();
        threads.keySet().forEach(t -> byName.put(t.getName() + "#" + t.getId(), t));
        for (Thread thread : byName.values()) {
            StackTraceElement[] stack = threads.get(thread);
            out.append('\n').append(thread.getName()).append(" (").append(thread.getState()).append(')');
            for (int i = 0; i < Math.min(FRAMES, stack.length); i++) {
                out.append("\n    at ").append(stack[i]);
            }
            if (stack.length > FRAMES) {
                out.append("\n    ... ").append(stack.length - FRAMES).append(" more");
            }
        }
        return out.toString();
    }

    /**
     * Waits up to {@link #GRACE} for every hub thread to end; then fails, naming each one still alive with its stack.
     *
     * @param where what just finished (a test class), for the message
     */
    static void assertNoneLeft(String where) {
        try {
            Awaitility.await().atMost(GRACE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .until(() -> alive().isEmpty());
        } catch (ConditionTimeoutException timeout) {
            Map<Thread, StackTraceElement[]> left = alive();
            if (!left.isEmpty()) {
                throw new AssertionError(left.size() + " eventhub thread(s) still alive " + GRACE.toSeconds()
                        + " s after " + where + " finished (a hub not closed, or a thread the library failed to "
                        + "stop):" + describe(left));
            }
        }
    }
}
