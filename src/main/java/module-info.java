/**
 * eventhub: an embeddable, in-process event hub. Only {@code dev.eventhub} is API; the command line in
 * {@code dev.eventhub.cli} is reached through the jar's main class.
 */
module dev.eventhub {
    requires jdk.jfr;

    exports dev.eventhub;
}
