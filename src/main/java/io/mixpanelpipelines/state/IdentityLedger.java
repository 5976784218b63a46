package io.mixpanelpipelines.state;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** Which days' identity mappings are published, from which events. Implementations are thread-safe. */
public interface IdentityLedger {

    Optional<IdentityRecord> find(String jobName, LocalDate day);

    /** Every day of a job with published mappings, oldest first. */
    List<IdentityRecord> list(String jobName);

    /** Records the day's mappings as published, replacing its previous record. Called after {@code _SUCCESS} is written. */
    void published(IdentityRecord record);
}
