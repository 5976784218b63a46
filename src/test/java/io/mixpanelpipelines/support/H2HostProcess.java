package io.mixpanelpipelines.support;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate JVM that opens an H2 file database first, in AUTO_SERVER mode, so that it is the host the
 * processes started after it reach as clients; it then stays until told to go. Stands for the first of two
 * commands on one job (the one the job lock refuses, which exits while the other runs). Ends with
 * {@link #exit()} as a command ends (H2's shutdown hook closes the database under the clients) or
 * {@link Process#destroyForcibly()} ({@code kill -9}), or from inside one of the client's statements
 * ({@link #endOnInsertInto}): H2 runs a trigger in the host's JVM, so the host can end while the client
 * waits for that statement, at a point of its run chosen exactly.
 */
public final class H2HostProcess implements AutoCloseable {

    /** What the host prints on stdout once it holds the database. */
    static final String READY = "hosting";

    private final Process process;

    private H2HostProcess(Process process) {
        this.process = process;
    }

    /** Starts the host on {@code jdbcUrl} and returns once it holds the database (or fails). */
    public static H2HostProcess start(Path dir, String jdbcUrl) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-Xmx64m", "-D" + HOST_PROPERTY + "=true"));
        cmd.addAll(ChildJvm.QUICK_START);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), H2HostProcess.class.getName(), jdbcUrl));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(dir.resolve("h2-host.err").toFile()).start();
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        if (!READY.equals(line)) {
            p.destroyForcibly();
            throw new IllegalStateException("the H2 host did not start: " + line + " "
                    + java.nio.file.Files.readString(dir.resolve("h2-host.err")));
        }
        return new H2HostProcess(p);
    }

    public Process process() {
        return process;
    }

    /** Ends the host as a command ends (System.exit: H2 closes the database in its shutdown hook); waits for it. */
    public void exit() throws IOException, InterruptedException {
        process.getOutputStream().close();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException("the H2 host did not exit");
        }
    }

    /** {@code kill -9}; waits for it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    /**
     * Makes the host end the first time a client inserts into {@code table} (already created), while that
     * insert is in flight: by {@code System.exit} ({@code exit}) or {@code Runtime.halt} ({@code halt}, as
     * {@code kill -9}: no shutdown hook runs). Only in the host's JVM: the trigger is stored in the database,
     * and the client that hosts it next runs it as a no-op.
     */
    public void endOnInsertInto(String jdbcUrl, String table, String how) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "sa", "")) {
            c.createStatement().execute("CREATE TRIGGER end_h2_host BEFORE INSERT ON " + table + " FOR EACH ROW CALL '"
                    + EndHost.class.getName() + "'");
            c.createStatement().execute("CREATE TABLE end_h2_host_how AS SELECT '" + how + "' AS how");
        }
    }

    /** The trigger of {@link #endOnInsertInto}; ends the JVM it runs in only if that is the host. */
    public static final class EndHost implements org.h2.api.Trigger {

        @Override
        public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
            if (System.getProperty(HOST_PROPERTY) == null) {
                return;
            }
            String how;
            try (var rs = conn.createStatement().executeQuery("SELECT how FROM end_h2_host_how")) {
                rs.next();
                how = rs.getString(1);
            }
            if (how.equals("halt")) {
                Runtime.getRuntime().halt(137);
            }
            // System.exit waits for H2's shutdown hook, which closes the database under this statement
            new Thread(() -> System.exit(0), "end-h2-host").start();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final String HOST_PROPERTY = "h2host.process";

    /** The host: opens {@code args[0]}, says so, and holds it until its stdin closes. */
    public static void main(String[] args) throws SQLException, IOException {
        Connection c = DriverManager.getConnection(args[0], "sa", "");
        c.createStatement().execute("SELECT 1");
        System.out.println(READY);
        System.out.flush();
        while (System.in.read() >= 0) {
            // held until the test closes stdin
        }
        System.exit(0);
    }
}
