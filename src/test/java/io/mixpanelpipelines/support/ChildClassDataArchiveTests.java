package io.mixpanelpipelines.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildClassDataArchiveTests {

    @TempDir
    Path tmp;

    @Test
    void theFoldersBecomeOneJarAtTheFirstFoldersPlaceTheFirstFoldersFileWinning() throws Exception {
        Path tests = Files.createDirectories(tmp.resolve("test-classes/db/migration"));
        Path main = Files.createDirectories(tmp.resolve("classes/db/migration"));
        Files.writeString(tests.resolve("V1__a.sql"), "from the tests");
        Files.writeString(main.resolve("V1__a.sql"), "from main");
        Files.writeString(main.resolve("V2__b.sql"), "only in main");
        Path lib = Files.writeString(tmp.resolve("lib.jar"), "not read");
        Path jar = tmp.resolve("out/classes.jar");
        Files.createDirectories(jar.getParent());

        String cp = String.join(File.pathSeparator, tmp.resolve("test-classes").toString(), lib.toString(),
                tmp.resolve("classes").toString(), "");
        String jarred = ChildClassDataArchive.jarringFolders(cp, jar);

        assertThat(jarred.split(File.pathSeparator)).containsExactly(jar.toString(), lib.toString());
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            assertThat(new String(loader.getResourceAsStream("db/migration/V1__a.sql").readAllBytes())).isEqualTo("from the tests");
            assertThat(new String(loader.getResourceAsStream("db/migration/V2__b.sql").readAllBytes())).isEqualTo("only in main");
            // a folder has its own entry, or a class path scan (Flyway's) finds no migrations in the jar
            List<URL> folders = Collections.list(loader.getResources("db/migration"));
            assertThat(folders).hasSize(1);
        }
    }

    @Test
    void aClassPathWithoutFoldersIsKept() throws Exception {
        String cp = String.join(File.pathSeparator, "/nowhere/a.jar", "/nowhere/b.jar");
        assertThat(ChildClassDataArchive.jarringFolders(cp, tmp.resolve("unused.jar"))).isEqualTo(cp);
        assertThat(tmp.resolve("unused.jar")).doesNotExist();
    }
}
