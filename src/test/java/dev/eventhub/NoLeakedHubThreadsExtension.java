package dev.eventhub;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves an eventhub thread alive (see {@link HubThreads}). Registered for every Jupiter
 * class by the service loader ({@code META-INF/services/org.junit.jupiter.api.extension.Extension}, with
 * {@code junit.jupiter.extensions.autodetection.enabled=true} in {@code junit-platform.properties}).
 */
public final class NoLeakedHubThreadsExtension implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getRequiredTestClass().getEnclosingClass() != null
                && context.getParent().flatMap(ExtensionContext::getTestClass).isPresent()) {
            return; // a @Nested class: its enclosing class checks once everything in it has run
        }
        HubThreads.assertNoneLeft(context.getRequiredTestClass().getSimpleName());
    }
}
