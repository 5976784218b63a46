package io.mixpanelpipelines.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The .dockerignore matcher behaves as Docker's: last match wins, exceptions, parents, {@code **}. */
class DockerIgnoreTests {

    @Test
    void everythingOutThenExceptionsIn() {
        DockerIgnore d = new DockerIgnore("""
                # comment
                *
                !target/mixpanel-pipelines.jar
                !target/lib/
                """);
        assertThat(d.excludes("pom.xml")).isTrue();
        assertThat(d.excludes("src/main/java/A.java")).isTrue();
        assertThat(d.excludes("target/mixpanel-pipelines.jar")).isFalse();
        assertThat(d.excludes("target/classes/A.class")).isTrue();
        // a folder let in lets in what it holds, at any depth
        assertThat(d.excludes("target/lib/ext/driver.jar")).isFalse();
        assertThat(d.excludes("target/libs/x.jar")).isTrue();
    }

    @Test
    void theOldFileExcludedTheLibrariesTheDockerfileCopies() {
        DockerIgnore d = new DockerIgnore("*\n!target/mixpanel-pipelines.jar\n");
        assertThat(d.excludes("target/lib/picocli-4.7.7.jar")).isTrue();
    }

    @Test
    void laterPatternsWinAndDoubleStarSpansFolders() {
        DockerIgnore d = new DockerIgnore("""
                **/*.log
                !keep/**/important.log
                target/lib/*.tmp
                /docs/
                a?c
                [xy]z
                """);
        assertThat(d.excludes("a.log")).isTrue();
        assertThat(d.excludes("deep/down/b.log")).isTrue();
        assertThat(d.excludes("keep/important.log")).isFalse();
        assertThat(d.excludes("keep/x/y/important.log")).isFalse();
        assertThat(d.excludes("keep/other.log")).isTrue();
        assertThat(d.excludes("target/lib/a.tmp")).isTrue();
        assertThat(d.excludes("target/lib/ext/a.tmp")).as("* does not cross /").isFalse();
        assertThat(d.excludes("docs/README.md")).isTrue();
        assertThat(d.excludes("abc")).isTrue();
        assertThat(d.excludes("abbc")).isFalse();
        assertThat(d.excludes("yz")).isTrue();
        assertThat(d.excludes("zz")).isFalse();
        assertThat(d.excludes("a.txt")).isFalse();
    }

    @Test
    void anExceptionCannotLetInWhatALaterPatternExcludes() {
        DockerIgnore d = new DockerIgnore("*\n!target/\ntarget/secret.key\n");
        assertThat(d.excludes("target/app.jar")).isFalse();
        assertThat(d.excludes("target/secret.key")).isTrue();
        assertThat(d.excludes("./target//app.jar")).isFalse();
    }
}
