package dev.eventhub.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * The jar's entry point: {@code java -jar eventhub.jar <command>}.
 *
 * <p>Exit codes: 0 done, 2 bad usage (with a one-line reason on standard error), 1 failure.
 */
public final class Main {
    private static final String USAGE = """
            usage: java -jar eventhub.jar <command>

            commands:
              demo     container lifecycle events through a hub, printed like `isula events`: live, filtered,
                       replayed since a moment in the past, and a subscription that ends at its `until`
              events   print what a json-file sink wrote, or with --kafka a topic, like `docker events`: --since,
                       --until, --filter, --format json, --follow
              bench    a quick self-benchmark: delivered events/s for 1, 2 and 4 producers beside a raw queue
              top      a demo hub's subscriptions, live: who is behind, who drops, who is stuck in a handler
              help     this text

            `java -jar eventhub.jar <command> --help` tells more about each command.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("eventhub: missing command (try: demo, events, bench, top, help)");
            return 2;
        }
        String command = args[0];
        try {
            switch (command) {
                case "demo" -> {
                    if (args.length > 1 && !isHelp(args[1])) {
                        err.println("eventhub demo: unexpected argument '" + args[1] + "'");
                        return 2;
                    }
                    if (args.length > 1) {
                        out.print("usage: java -jar eventhub.jar demo\n\n"
                                + "Runs container lifecycle events through a hub and prints them like `isula events`.\n");
                        return 0;
                    }
                    return new Demo(out).run();
                }
                case "events" -> {
                    List<String> rest = List.of(args).subList(1, args.length);
                    if (rest.stream().anyMatch(Main::isHelp)) {
                        out.print(Events.USAGE);
                        return 0;
                    }
                    return Events.parse(rest, out, err, java.time.Clock.systemDefaultZone()).run();
                }
                case "bench" -> {
                    List<String> rest = List.of(args).subList(1, args.length);
                    if (rest.stream().anyMatch(Main::isHelp)) {
                        out.print(Bench.USAGE);
                        return 0;
                    }
                    return Bench.parse(rest, out, System.console() != null && out == System.out).run();
                }
                case "top" -> {
                    List<String> rest = List.of(args).subList(1, args.length);
                    if (rest.stream().anyMatch(Main::isHelp)) {
                        out.print(Top.USAGE);
                        return 0;
                    }
                    return Top.parse(rest, out).run();
                }
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    err.println("eventhub: unknown command '" + command + "' (try: demo, events, bench, top, help)");
                    return 2;
                }
            }
        } catch (UsageException usage) {
            err.println("eventhub " + command + ": " + usage.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("eventhub " + command + ": interrupted");
            return 1;
        }
    }

    private static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h");
    }
}
