package dev.eventhub;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Field handles for the memory-ordering accessors, looked up once per class in its static initialiser. */
final class VarHandles {
    private VarHandles() {
    }

    /** A handle on a field of {@code owner}, which must be in this package; a missing field is a build error. */
    static VarHandle field(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
