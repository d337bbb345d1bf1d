package dev.eventhub.internal;

import java.util.Collection;
import java.util.List;
import java.util.RandomAccess;

/**
 * Docker's filter rule, written once for every place that selects by named values: a live subscription's
 * {@code where(...)} clauses and the {@code events --filter} of the command line, so that a file read back and a live
 * subscription can never disagree. The values of one name are ORed, different names are ANDed.
 *
 * <p>An item's values for a name are one value, a {@link Collection} of values (labels), or {@code null} (none). A
 * clause accepts the item if any of its values equals ({@link Object#equals}) any of the clause's values; an item with
 * no value for the name is not accepted. Allocation-free for a {@link RandomAccess} list or a single value.
 */
public final class Clauses {
    private Clauses() {
    }

    /**
     * One clause.
     *
     * @param values   the item's values for the clause's name: one value, a collection, or null
     * @param accepted the clause's values (not empty, no null)
     * @return whether any of {@code values} is one of {@code accepted}
     */
    public static boolean accepts(Object values, Object[] accepted) {
        return any(values, accepted, null);
    }

    /**
     * A clause of one value: {@link #accepts(Object, Object[])} with {@code new Object[] {wanted}}, without the array.
     *
     * @param values the item's values for the clause's name: one value, a collection, or null
     * @param wanted the clause's only value (not null)
     * @return whether any of {@code values} equals {@code wanted}
     */
    public static boolean acceptsValue(Object values, Object wanted) {
        return any(values, null, wanted);
    }

    /** Whether any of {@code values} is accepted: one of {@code accepted}, or {@code wanted} when that is null. */
    private static boolean any(Object values, Object[] accepted, Object wanted) {
        if (values == null) {
            return false;
        }
        if (values instanceof Collection<?> many) {
            if (many instanceof List<?> list && many instanceof RandomAccess) {
                for (int i = 0, n = list.size(); i < n; i++) {
                    if (accepted(list.get(i), accepted, wanted)) {
                        return true;
                    }
                }
                return false;
            }
            for (Object value : many) {
                if (accepted(value, accepted, wanted)) {
                    return true;
                }
            }
            return false;
        }
        return accepted(values, accepted, wanted);
    }

    private static boolean accepted(Object value, Object[] accepted, Object wanted) {
        if (value == null) {
            return false;
        }
        if (accepted == null) {
            return wanted.equals(value);
        }
        for (Object one : accepted) {
            if (one.equals(value)) {
                return true;
            }
        }
        return false;
    }
}
