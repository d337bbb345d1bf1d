package dev.eventhub;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import net.jqwik.api.lifecycle.AfterContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * The jqwik counterpart of {@link NoLeakedHubThreadsExtension}: jqwik runs property classes on its own engine, which
 * does not load Jupiter extensions, so this hook is registered with jqwik's service loader
 * ({@code META-INF/services/net.jqwik.api.lifecycle.LifecycleHook}) and applies to every top-level container class.
 */
public final class NoLeakedHubThreadsHook implements AfterContainerHook {
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public boolean appliesTo(Optional<AnnotatedElement> element) {
        return element.filter(e -> e instanceof Class<?> c && c.getEnclosingClass() == null).isPresent();
    }

    @Override
    public void afterContainer(ContainerLifecycleContext context) {
        context.optionalContainerClass().ifPresent(c -> HubThreads.assertNoneLeft(c.getSimpleName()));
    }
}
