package io.mixpanelpipelines.state;

/** Where a day partition stands. */
public enum PartitionState {
    /** Being exported now (or a run that died while exporting it). */
    RUNNING,
    /** Its files and {@code _SUCCESS} manifest are in the destination. */
    PUBLISHED,
    /** The last attempt failed; {@code rerun --failed} or the next {@code export} tries again. */
    FAILED,
    /** An operator asked for it to be exported again and replaced. */
    RERUN_REQUESTED,
    /** Not fetched: the export budget was spent (or Mixpanel kept answering 429); a later run takes it. */
    DEFERRED
}
