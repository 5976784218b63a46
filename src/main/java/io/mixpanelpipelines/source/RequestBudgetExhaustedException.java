package io.mixpanelpipelines.source;

import java.time.Instant;

/** The project's hourly request budget is spent: the request was not sent, its work is deferred. */
public class RequestBudgetExhaustedException extends MixpanelException {

    private final Instant nextSlotAt;

    public RequestBudgetExhaustedException(String message, Instant nextSlotAt) {
        super(message, null);
        this.nextSlotAt = nextSlotAt;
    }

    /** When the next request fits in the budget. */
    public Instant nextSlotAt() {
        return nextSlotAt;
    }

    @Override
    public boolean isRetryableLater() {
        return true;
    }
}
