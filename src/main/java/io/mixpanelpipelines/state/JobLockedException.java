package io.mixpanelpipelines.state;

/** Another run holds the job's lock: the command does nothing and says who holds it. */
public final class JobLockedException extends RuntimeException {

    private final transient JobLock.Holder holder;

    public JobLockedException(String jobName, JobLock.Holder holder) {
        super("job '" + jobName + "' is locked by another run (" + holder.describe() + "; its lease runs until "
                + holder.leaseUntil() + "); --wait waits for it");
        this.holder = holder;
    }

    public JobLock.Holder holder() {
        return holder;
    }
}
