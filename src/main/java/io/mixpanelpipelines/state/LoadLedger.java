package io.mixpanelpipelines.state;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** What was loaded into each warehouse table, from which manifest. Implementations are thread-safe. */
public interface LoadLedger {

    Optional<LoadRecord> find(String jobName, LocalDate day, String target);

    /** All loads of a job into a target, oldest day first. */
    List<LoadRecord> list(String jobName, String target);

    /** Records a completed load, replacing the day's previous record. Called only after the warehouse committed. */
    void loaded(LoadRecord record);
}
