package io.mixpanelpipelines.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layout stays what {@code docs/architecture.md} draws: one package per stage of the data's way,
 * arrows only pointing down {@link #LAYERS}, no cycle between any two packages (sub-packages included), every
 * package saying its role in a {@code package-info.java}, and no main source file longer than
 * {@link #MAX_LINES} lines but the ones {@link #LONG_FILES} names with their reason.
 */
class LayeredArchitectureTests {

    private static final String ROOT = "io.mixpanelpipelines";

    /**
     * Top first: a class may use classes of its own layer's package or of a layer below. {@code x.*} stands for
     * every sub-package of {@code x} (one layer: technologies side by side, which the cycle rule keeps apart).
     */
    static final List<String> LAYERS = List.of(
            "cli",
            "cli.*",
            "schedule",
            "job",
            "job.*",
            "people",
            "warehouse.support",
            "warehouse.*",
            "warehouse",
            "identity",
            "dataset",
            "ingest",
            "convert.parquet",
            "convert.json",
            "convert",
            "state.jdbc",
            "state",
            "source.http",
            "source",
            "source.gzip",
            "config",
            "storage.support",
            "storage.*",
            "storage",
            "simulator");

    static final int MAX_LINES = 400;

    /** Main source files allowed past {@link #MAX_LINES}, each for a reason written here. */
    static final Set<String> LONG_FILES = Set.of(
            // one hand-unrolled, allocation-free scanner: splitting it would scatter the state machine
            "convert/json/JsonScanner.java");

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void noPackageImportsAPackageAboveIt() {
        Set<String> violations = new TreeSet<>();
        for (JavaClass origin : classes) {
            int from = layerOf(origin.getPackageName());
            for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getPackageName();
                if (!target.startsWith(ROOT) || target.equals(origin.getPackageName())) {
                    continue;
                }
                if (layerOf(target) < from) {
                    violations.add(relative(origin.getPackageName()) + " -> " + relative(target) + " ("
                            + origin.getSimpleName() + " uses " + d.getTargetClass().getSimpleName() + ")");
                }
            }
        }
        assertThat(violations).as("imports pointing up " + LAYERS).isEmpty();
    }

    /** The state store's JDBC implementations are chosen in one place: the Spring configuration that wires them. */
    @Test
    void onlyConfigurationUsesTheJdbcStateStore() {
        Set<String> violations = new TreeSet<>();
        for (JavaClass origin : classes) {
            String pkg = relative(origin.getPackageName());
            if (pkg.equals("state") || pkg.startsWith("state.") || isConfiguration(origin)) {
                continue;
            }
            for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                if (d.getTargetClass().getPackageName().equals(ROOT + ".state.jdbc")) {
                    violations.add(origin.getName() + " uses " + d.getTargetClass().getSimpleName());
                }
            }
        }
        assertThat(violations).as("state.jdbc used outside state and Spring configuration").isEmpty();
    }

    private static boolean isConfiguration(JavaClass c) {
        JavaClass top = c;
        while (top.getEnclosingClass().isPresent()) {
            top = top.getEnclosingClass().get();
        }
        return top.isAnnotatedWith("org.springframework.context.annotation.Configuration")
                || top.isMetaAnnotatedWith("org.springframework.context.annotation.Configuration");
    }

    @Test
    void everyPackageHasALayer() {
        Set<String> unknown = new TreeSet<>();
        for (JavaClass c : classes) {
            if (layerOf(c.getPackageName()) < 0) {
                unknown.add(c.getPackageName());
            }
        }
        assertThat(unknown).as("packages missing from LAYERS").isEmpty();
    }

    @Test
    void noCyclesBetweenPackages() {
        SlicesRuleDefinition.slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void everyPackageSaysItsRole() throws IOException {
        Path main = Path.of("src/main/java");
        Set<Path> missing = new TreeSet<>();
        try (Stream<Path> files = Files.walk(main)) {
            files.filter(p -> p.toString().endsWith(".java"))
                    .map(Path::getParent)
                    .distinct()
                    .filter(dir -> !Files.exists(dir.resolve("package-info.java")))
                    .forEach(dir -> missing.add(main.relativize(dir)));
        }
        assertThat(missing).as("packages without package-info.java").isEmpty();
    }

    @Test
    void mainSourceFilesStaySmall() throws IOException {
        Path main = Path.of("src/main/java", ROOT.split("\\."));
        Set<String> tooLong = new TreeSet<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String name = main.relativize(f).toString().replace('\\', '/');
                long lines;
                try (Stream<String> l = Files.lines(f)) {
                    lines = l.count();
                }
                if (lines > MAX_LINES && !LONG_FILES.contains(name)) {
                    tooLong.add(name + " (" + lines + " lines)");
                }
            }
        }
        assertThat(tooLong).as("main source files over " + MAX_LINES + " lines").isEmpty();
    }

    /** The index in {@link #LAYERS} of a package: its own entry, else the nearest {@code x.*}; -1 if none. */
    static int layerOf(String pkg) {
        String rel = relative(pkg);
        int exact = LAYERS.indexOf(rel);
        if (exact >= 0) {
            return exact;
        }
        for (String p = rel; p.contains("."); ) {
            p = p.substring(0, p.lastIndexOf('.'));
            int wildcard = LAYERS.indexOf(p + ".*");
            if (wildcard >= 0) {
                return wildcard;
            }
        }
        return -1;
    }

    private static String relative(String pkg) {
        return pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1);
    }
}
