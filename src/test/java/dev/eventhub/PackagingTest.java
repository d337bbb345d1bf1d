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

/** The artifact's shape: a module exporting only the API package, and no runtime dependency. */
class PackagingTest {
    @Test
    void theModuleExportsOnlyTheApiPackage() throws Exception {
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
        }
        assertThat(descriptor.name()).isEqualTo("dev.eventhub");
        assertThat(descriptor.exports()).hasSize(1);
        ModuleDescriptor.Exports export = descriptor.exports().iterator().next();
        assertThat(export.source()).isEqualTo("dev.eventhub");
        assertThat(export.isQualified()).isFalse();
        assertThat(descriptor.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("java.base", "jdk.jfr");
    }

    @Test
    void thePomDeclaresNoRuntimeDependency() throws Exception {
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
                if (!value.equals("test")) {
                    nonTest.add(dependency.getElementsByTagName("artifactId").item(0).getTextContent() + ":" + value);
                }
            }
        }
        assertThat(nonTest).as("dependencies a user of the jar would inherit").isEmpty();
    }
}
