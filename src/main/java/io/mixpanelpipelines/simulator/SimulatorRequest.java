package io.mixpanelpipelines.simulator;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One export request as the simulator saw it. Never holds credentials: the Authorization header is not
 * recorded and query values that contain a configured secret are redacted. Immutable; thread-safe.
 *
 * @param receivedAt when it arrived, by the simulator's clock
 * @param fromDate   the parsed {@code from_date}, or null when missing or invalid
 * @param toDate     the parsed {@code to_date}, or null when missing or invalid
 * @param status     the HTTP status sent
 * @param params     the decoded query parameters, in request order
 * @param fault      the injected fault, or null
 */
public record SimulatorRequest(Instant receivedAt, LocalDate fromDate, LocalDate toDate, int status,
        Map<String, String> params, Fault fault) {

    public SimulatorRequest {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** The injected fault, if one was consumed by this request. */
    public Optional<Fault> injectedFault() {
        return Optional.ofNullable(fault);
    }
}
