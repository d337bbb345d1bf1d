package dev.eventhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The artifact's shape: a module exporting the hub and its adapters and nothing else, no runtime dependency, and
 * the hub package independent of every other package of the jar.
 */
class PackagingTest {
    @Test
    void theModuleExportsTheHubAndItsAdaptersAndNothingElse() throws Exception {
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
        }
        assertThat(descriptor.name()).isEqualTo("dev.eventhub");
        assertThat(descriptor.exports()).allMatch(export -> !export.isQualified());
        assertThat(descriptor.exports().stream().map(ModuleDescriptor.Exports::source))
                .containsExactlyInAnyOrder("dev.eventhub", "dev.eventhub.io", "dev.eventhub.kafka", "dev.eventhub.micrometer");
        assertThat(descriptor.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("java.base", "jdk.jfr", "kafka.clients", "micrometer.core");
        // kafka-clients and micrometer-core are read only when present: optional dependencies of the Kafka bridge and
        // the metrics binder, nobody else's.
        assertThat(descriptor.requires())
                .filteredOn(r -> r.name().equals("kafka.clients") || r.name().equals("micrometer.core")).hasSize(2)
                .allMatch(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC));
    }

    /**
     * The rule of the layout: the hub ({@code dev.eventhub}) knows nothing of what is built on it. Read from the
     * compiled classes, so a fully qualified name or a string-free reference cannot slip past an import check.
     */
    @Test
    void theHubPackageReferencesNoOtherPackageOfTheJarButTheInternalOne() throws Exception {
        List<String> offenders = new ArrayList<>();
        try (var classes = Files.list(Path.of("target/classes/dev/eventhub"))) {
            for (Path file : (Iterable<Path>) classes.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String constants = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("dev/eventhub/([a-z]+)/").matcher(constants);
                while (m.find()) {
                    if (!m.group(1).equals("internal")) {
                        offenders.add(file.getFileName() + " -> dev.eventhub." + m.group(1));
                    }
                }
            }
        }
        assertThat(offenders).as("references from the hub package to the packages built on it").isEmpty();
    }

    /** The check above can fail: it finds the reference every adapter class makes to the hub package. */
    @Test
    void theReferenceScanSeesReferencesBetweenPackages() throws Exception {
        String constants = new String(Files.readAllBytes(Path.of("target/classes/dev/eventhub/io/Ingest.class")),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(constants).contains("dev/eventhub/EventHub");
    }

    @Test
    void thePomDeclaresNoRuntimeDependencyButTheOptionalKafkaClientsAndMicrometer() throws Exception {
        var document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        Element project = document.getDocumentElement();
        NodeList dependencyLists = project.getElementsByTagName("dependencies");
        List<String> nonTest = new ArrayList<>();
        for (int i = 0; i < dependencyLists.getLength(); i++) {
            Element list = (Element) dependencyLists.item(i);
            if (list.getParentNode() != project) {
                continue; // plugin dependencies are build-time only
            }
            NodeList dependencies = list.getElementsByTagName("dependency");
            for (int j = 0; j < dependencies.getLength(); j++) {
                Element dependency = (Element) dependencies.item(j);
                NodeList scope = dependency.getElementsByTagName("scope");
                String value = scope.getLength() == 0 ? "compile" : scope.item(0).getTextContent().trim();
                NodeList optional = dependency.getElementsByTagName("optional");
                if (optional.getLength() > 0 && optional.item(0).getTextContent().trim().equals("true")) {
                    value += ",optional";
                }
                if (!value.equals("test")) {
                    nonTest.add(dependency.getElementsByTagName("groupId").item(0).getTextContent() + ":"
                            + dependency.getElementsByTagName("artifactId").item(0).getTextContent() + ":" + value);
                }
            }
        }
        // An optional dependency is not inherited: a user of the Kafka bridge adds kafka-clients, a user of the metrics
        // binder micrometer-core, nobody else gets them.
        assertThat(nonTest).as("dependencies that are not test-only")
                .containsExactly("org.apache.kafka:kafka-clients:compile,optional",
                        "io.micrometer:micrometer-core:compile,optional");
    }

    /**
     * The price of the optional dependencies: only their own package may touch their classes, so that every other
     * class loads without them. Read from the compiled classes, like the check above.
     */
    @Test
    void onlyTheBindersPackageTouchesMicrometerAndOnlyTheBridgesTouchesKafka() throws Exception {
        List<String> offenders = new ArrayList<>();
        try (var classes = Files.walk(Path.of("target/classes"))) {
            for (Path file : (Iterable<Path>) classes.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String path = file.toString().replace('\\', '/');
                String constants = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                if (constants.contains("io/micrometer/") && !path.contains("/dev/eventhub/micrometer/")) {
                    offenders.add(path + " -> io.micrometer");
                }
                // The bridge, and the command line's --kafka reader, loaded only when --kafka is given
                // (KafkaAbsentTest runs the command line without kafka-clients).
                if (constants.contains("org/apache/kafka/") && !path.contains("/dev/eventhub/kafka/")
                        && !path.contains("/dev/eventhub/cli/KafkaEvents")) {
                    offenders.add(path + " -> org.apache.kafka");
                }
            }
        }
        assertThat(offenders).as("classes outside the adapters that reference an optional dependency").isEmpty();
        String binder = new String(Files.readAllBytes(
                Path.of("target/classes/dev/eventhub/micrometer/EventHubMetrics.class")),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(binder).contains("io/micrometer/core/instrument/binder/MeterBinder");
    }
}
