/**
 * Internal to the library, shared by its packages: argument checks whose messages name the argument and the value.
 * Public only so that every package of the module can use it; {@code module-info} does not export this package, so
 * it is no API (a consumer on the module path can neither compile against it nor reach it by reflection).
 */
package dev.eventhub.internal;
