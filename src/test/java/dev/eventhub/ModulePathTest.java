package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module as a user on the module path sees it (the other tests run on the class path, which proves nothing
 * about JPMS; Caffeine's {@code moduleTest} is the model). A small consumer module is compiled against
 * {@code target/classes} (an exploded {@code dev.eventhub} module) and run in a fresh JVM with {@code --module-path}:
 * the exported packages work, and the unexported one can neither be compiled against nor reached by reflection.
 */
class ModulePathTest {
    private static final Path MODULE = Path.of("target/classes").toAbsolutePath();

    @Test
    void aConsumerModuleUsesTheExportedPackagesAndCannotReachTheInternalOne(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("src");
        write(source.resolve("module-info.java"), """
                module consumer {
                    requires dev.eventhub;
                }
                """);
        write(source.resolve("consumer/Main.java"), """
                package consumer;

                import dev.eventhub.EventHub;
                import dev.eventhub.Subscription;
                import dev.eventhub.io.Sinks;
                import java.util.ArrayList;
                import java.util.List;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        List<String> got = new ArrayList<>();
                        Subscription s;
                        try (EventHub<String> hub = EventHub.<String>builder().name("module").build()) {
                            s = hub.subscribe(got::add);
                            hub.publishAll(List.of("a", "b"));
                        }
                        System.out.println("delivered " + got + " then " + s.endReason());
                        System.out.println("sink kinds " + new java.util.TreeSet<>(Sinks.names()));
                        Module module = EventHub.class.getModule();
                        System.out.println("named " + module.getName() + ", exports internal: "
                                + module.isExported("dev.eventhub.internal"));
                        try {
                            Class.forName("dev.eventhub.internal.Checks")
                                    .getMethod("notNull", String.class, Object.class).invoke(null, "x", "y");
                            System.out.println("internal reached");
                        } catch (IllegalAccessException expected) {
                            System.out.println("internal refused");
                        }
                    }
                }
                """);
        Path classes = dir.resolve("classes");
        assertThat(compile(source, classes)).as("compiler output").isEmpty();

        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", MODULE + java.io.File.pathSeparator + classes, "-m", "consumer/consumer.Main")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output.lines()).containsExactly(
                "delivered [a, b] then HUB_CLOSED",
                "sink kinds " + new java.util.TreeSet<>(dev.eventhub.io.Sinks.names()),
                "named dev.eventhub, exports internal: false",
                "internal refused");
    }

    @Test
    void codeThatImportsTheInternalPackageDoesNotCompile(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("src");
        write(source.resolve("module-info.java"), "module intruder { requires dev.eventhub; }\n");
        write(source.resolve("intruder/Main.java"), """
                package intruder;

                public class Main {
                    public static void main(String[] args) {
                        dev.eventhub.internal.Checks.notNull("x", args);
                    }
                }
                """);
        String errors = compile(source, dir.resolve("classes"));
        assertThat(errors).contains("package dev.eventhub.internal is not visible");
    }

    /** Compiles a module; returns what the compiler printed (empty on success without warnings). */
    private static String compile(Path source, Path classes) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "--module-path", MODULE.toString(),
                "-d", classes.toString()));
        try (var files = Files.walk(source)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> arguments.add(f.toString()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        javac.run(null, out, out, arguments.toArray(new String[0]));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
