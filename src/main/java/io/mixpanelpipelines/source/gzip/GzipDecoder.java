package io.mixpanelpipelines.source.gzip;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns gzip (one member or several concatenated) into its decoded bytes, through {@code igzip -dc} when the
 * {@link Inflater} setting picks ISA-L, else through {@link GZIPInputStream}. The bytes are the same either
 * way, and so are the failures the callers rely on: a stream that is empty is an {@link EOFException} and one
 * that does not start as gzip a {@link ZipException}, both when opened; input that ends inside a member is an
 * {@link EOFException} and a corrupt member a {@link ZipException}, both from {@code read}, never fewer
 * bytes silently; a failure reading the raw stream surfaces from {@code read} as itself. Closing the decoded
 * stream closes the raw one (as {@code GZIPInputStream} does) and ends the child process. Only a file path or
 * stdin reach {@code igzip}: nothing secret is on its command line. Where perl can, igzip's pipes are widened
 * first ({@link #widened}). Thread-safe (no mutable state but the once-made choice).
 */
public final class GzipDecoder {

    private static final Logger log = LoggerFactory.getLogger(GzipDecoder.class);

    /** The gzip magic: what {@code GZIPInputStream} checks first. */
    private static final int MAGIC0 = 0x1f;
    private static final int MAGIC1 = 0x8b;
    private static final int DEFLATED = 8;
    /** The fixed part of a gzip member's header. */
    private static final int HEADER = 10;

    private GzipDecoder() {
    }

    /** Whether this process decodes through {@code igzip}: the setting, resolved (and logged) once. */
    public static boolean usesIsal() {
        if (Choice.ERROR != null) {
            throw new IllegalStateException(Choice.ERROR);
        }
        return Choice.ISAL;
    }

    /** The decoder in use, for a run's summary: {@code isal} or {@code jdk}. */
    public static String describe() {
        return usesIsal() ? "isal" : "jdk";
    }

    /**
     * Decodes a raw gzip stream. With {@code igzip}, a feeder thread copies the raw bytes into its stdin, so
     * the raw stream is read on that thread (a stream that copies what it reads elsewhere, like the spool's,
     * is only safe to use again once this stream returned end of stream or was closed).
     */
    public static InputStream open(InputStream raw, int bufferSize) throws IOException {
        return open(raw, bufferSize, usesIsal());
    }

    /** Decodes a gzip file ({@code igzip -dc FILE}: no thread of ours in between). */
    public static InputStream open(Path file, int bufferSize) throws IOException {
        return open(file, bufferSize, usesIsal());
    }

    static InputStream open(InputStream raw, int bufferSize, boolean isal) throws IOException {
        if (!isal) {
            return new GZIPInputStream(raw, bufferSize);
        }
        byte[] head = new byte[HEADER];
        int n = raw.readNBytes(head, 0, HEADER);
        checkHeader(head, n);
        return IgzipInputStream.feeding(command("-dc"), head, raw, bufferSize);
    }

    static InputStream open(Path file, int bufferSize, boolean isal) throws IOException {
        if (!isal) {
            return new GZIPInputStream(Files.newInputStream(file), bufferSize);
        }
        byte[] head = new byte[HEADER];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, HEADER);
        }
        checkHeader(head, n);
        return IgzipInputStream.reading(command("-dc", file.toAbsolutePath().toString()));
    }

    /**
     * The checks {@code GZIPInputStream}'s constructor makes on the fixed part of the first header, with its
     * exception types, so that an empty, foreign or cut-short body fails when opened either way.
     */
    private static void checkHeader(byte[] head, int n) throws IOException {
        if (n < 2) {
            throw new EOFException();
        }
        if ((head[0] & 0xff) != MAGIC0 || (head[1] & 0xff) != MAGIC1) {
            throw new ZipException("Not in GZIP format");
        }
        if (n < 3) {
            throw new EOFException();
        }
        if (head[2] != DEFLATED) {
            throw new ZipException("Unsupported compression method");
        }
        if (n < HEADER) {
            throw new EOFException();
        }
    }

    private static List<String> command(String... args) {
        List<String> command = new ArrayList<>(Choice.COMMAND);
        command.addAll(List.of(args));
        return command;
    }

    /** Whether {@code igzip} works here (for tests that need it): the probe, made again. */
    static String igzipProblem() {
        return IgzipProbe.problem(List.of(IGZIP));
    }

    /** The command {@code igzip} is run through in this process (for tests): widened, or igzip alone. */
    static List<String> igzipCommand() {
        return Choice.COMMAND;
    }

    /**
     * {@code igzip} started through a perl one-liner that first widens the pipes of its stdin and stdout to 1 MiB
     * (256 KiB if the system allows no more; Linux's {@code F_SETPIPE_SZ}, 1031, which the JVM cannot call), then
     * becomes it ({@code exec}: same process, same exit code and stderr; no shell). A pipe holds 64 KiB by default:
     * each 64 KiB decoded woke the reader and blocked igzip. Measured on a 2.3 GB body (3M web events): 35,000
     * reads of the output became 8,800, the decode took 1.4 s instead of 3.1 s, and the CPU of reader, feeder and
     * igzip together fell from 2.85 s to 2.0 s. Where perl is missing, igzip runs alone; where the call fails
     * (not Linux, or a lower {@code fs.pipe-max-size}), through perl with the pipes it has.
     */
    static List<String> widened(String perl, String igzip) {
        return List.of(perl, "-e", WIDEN, igzip);
    }

    /** How igzip is started ({@code command}), or why it cannot be ({@code problem}): one of them is null. */
    record Start(List<String> command, String problem) {
    }

    /**
     * How to start {@code igzip} here: through {@code perl} widening its pipes when that decodes the probe's body,
     * else igzip alone when that does; else the reason igzip alone did not.
     */
    static Start choose(String perl, String igzip) {
        List<String> widened = widened(perl, igzip);
        String why = IgzipProbe.problem(widened);
        if (why == null) {
            return new Start(widened, null);
        }
        log.debug("gzip inflater: igzip with wider pipes does not work ({}); trying igzip alone", why);
        why = IgzipProbe.problem(List.of(igzip));
        return why == null ? new Start(List.of(igzip), null) : new Start(null, why);
    }

    static final String IGZIP = "igzip";
    static final String PERL = "perl";
    private static final String WIDEN = "for my $fh (*STDIN, *STDOUT) { fcntl($fh, 1031, 1048576) or fcntl($fh, 1031, 262144) }"
            + " exec { $ARGV[0] } @ARGV or die \"cannot run $ARGV[0]: $!\\n\";";

    /** The setting resolved once per process: the probe starts a process, too dear to repeat per body. */
    private static final class Choice {
        /** How igzip is started: {@link #widened}, or igzip alone where that does not work. */
        static final List<String> COMMAND;
        /** Why the setting cannot be honoured (isal asked for, igzip not working, or an unknown value). */
        static final String ERROR;
        static final boolean ISAL;

        static {
            String error = null;
            boolean isal = false;
            List<String> command = List.of(IGZIP);
            try {
                Inflater setting = Inflater.configured();
                if (setting == Inflater.JDK) {
                    log.debug("gzip inflater: jdk (set)");
                } else {
                    Start start = choose(PERL, IGZIP);
                    isal = start.command() != null;
                    if (isal) {
                        command = start.command();
                        log.debug("gzip inflater: isal ({}, {})", command.size() > 1 ? "igzip, pipes widened by perl" : IGZIP,
                                setting == Inflater.ISAL ? "set" : "auto");
                    } else if (setting == Inflater.ISAL) {
                        error = "the gzip inflater is set to isal but " + start.problem();
                    } else {
                        log.debug("gzip inflater: jdk (auto: {})", start.problem());
                    }
                }
            } catch (IllegalArgumentException e) {
                error = e.getMessage();
            }
            ERROR = error;
            ISAL = isal;
            COMMAND = command;
        }
    }
}
