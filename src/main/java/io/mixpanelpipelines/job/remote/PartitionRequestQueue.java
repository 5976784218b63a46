package io.mixpanelpipelines.job.remote;

import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.jdbc.store.JdbcChannelMessageStore;
import org.springframework.integration.jdbc.store.channel.PostgresChannelMessageStoreQueryProvider;
import org.springframework.integration.store.MessageGroupQueue;
import org.springframework.messaging.Message;

/**
 * The channel of a job's partition requests: a {@link QueueChannel} kept in the state database by Spring
 * Integration's {@link JdbcChannelMessageStore} (table {@code INT_CHANNEL_MESSAGE}, migration V70), so the
 * manager and every worker of the job share it without a broker. The manager sends one
 * {@code StepExecutionRequest} per partition; a worker's poller takes one at a time (PostgreSQL: one
 * {@code DELETE ... FOR UPDATE SKIP LOCKED ... RETURNING}), so each request reaches exactly one worker.
 * One queue per job ({@code <job name>} is the message group), so workers of different jobs never take
 * each other's partitions.
 *
 * <p>{@link #close()} makes the channel of this process stop handing out requests (a worker stopping on
 * SIGTERM takes no new partition); the requests stay queued for the other workers. Thread-safe.
 */
public final class PartitionRequestQueue {

    /** The store's region: this application's rows among other Spring Integration users of the database. */
    static final String REGION = "mixpanel-pipelines";

    private final JdbcChannelMessageStore store;
    private final Channel channel;
    private final String groupId;

    /** @param dataSource the state database: PostgreSQL (remote workers on other machines must reach it) */
    public PartitionRequestQueue(DataSource dataSource, String jobName) {
        store = new JdbcChannelMessageStore(dataSource);
        store.setRegion(REGION);
        store.setChannelMessageStoreQueryProvider(new PostgresChannelMessageStoreQueryProvider());
        // Java serialization of the message: only the partition request and the headers' types are accepted back
        store.addAllowedPatterns("org.springframework.batch.integration.partition.StepExecutionRequest",
                "org.springframework.messaging.*", "org.springframework.integration.*", "java.util.*", "java.lang.*");
        store.afterPropertiesSet();
        groupId = "partitions:" + jobName;
        channel = new Channel(new MessageGroupQueue(store, groupId));
    }

    /**
     * Drops the requests still waiting: those of a manager that died before its workers took them. Called by
     * the manager (the job's lock holder, so the only one) before it sends a run's requests; a stale request
     * would otherwise start a partition of an execution that was recovered and restarted meanwhile.
     */
    public int discardWaiting() {
        int waiting = store.messageGroupSize(groupId);
        if (waiting > 0) {
            store.removeMessageGroup(groupId);
        }
        return waiting;
    }

    /** The channel: the manager's output, a worker's input. */
    public QueueChannel channel() {
        return channel;
    }

    /** Requests waiting for a worker. */
    public int waiting() {
        return channel.getQueueSize();
    }

    /** This process takes no more requests from now on. */
    public void close() {
        channel.closed.set(true);
    }

    /** A queue channel that returns nothing once closed. */
    private static final class Channel extends QueueChannel {

        private final AtomicBoolean closed = new AtomicBoolean();

        Channel(MessageGroupQueue queue) {
            super(queue);
        }

        @Override
        protected Message<?> doReceive(long timeout) {
            return closed.get() ? null : super.doReceive(timeout);
        }
    }
}
