package io.mixpanelpipelines.simulator;

import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * The settings of a {@link MixpanelSimulator} and their setters, which {@link MixpanelSimulator.Builder} offers;
 * apart from the simulator itself so that it stays readable. Every setting has a default. Not thread-safe.
 */
abstract class SimulatorSettings {

    long eventsPerDay = 1000;
    final java.util.Map<java.time.LocalDate, Long> eventsOn = new java.util.HashMap<>();
    long seed = 1;
    String projectId = "123456";
    String serviceAccountUser;
    String serviceAccountSecret;
    String projectSecret;
    ZoneId timezone = ZoneId.of("UTC");
    Clock clock = Clock.systemUTC();
    int hourlyLimit = 60;
    long bigEventEvery = 5000;
    int profiles;
    int queryLimit = 60;
    java.time.Duration sessionExpiry = java.time.Duration.ofMinutes(10);
    List<String> rareProfileValues = List.of();
    int unseenProfileEvery = 20;
    boolean hourBoundaryEvents;

    SimulatorSettings() {
    }

    /** Events in every day (default 1000). */
    public MixpanelSimulator.Builder eventsPerDay(long eventsPerDay) {
        if (eventsPerDay < 0) {
            throw new IllegalArgumentException("eventsPerDay must not be negative: " + eventsPerDay);
        }
        this.eventsPerDay = eventsPerDay;
        return self();
    }

    /**
     * Events on one {@code day} instead of {@link #eventsPerDay}: a day shape the uniform days do not make, such
     * as a large new day after small lookback days.
     */
    public MixpanelSimulator.Builder eventsOn(java.time.LocalDate day, long events) {
        if (events < 0) {
            throw new IllegalArgumentException("events on " + day + " must not be negative: " + events);
        }
        this.eventsOn.put(java.util.Objects.requireNonNull(day, "day"), events);
        return self();
    }

    /** The seed every event derives from (default 1). */
    public MixpanelSimulator.Builder seed(long seed) {
        this.seed = seed;
        return self();
    }

    /** The id a service account must pass as {@code project_id} (default "123456"). */
    public MixpanelSimulator.Builder projectId(String projectId) {
        this.projectId = requireText(projectId, "projectId");
        return self();
    }

    /** Accepts Basic auth {@code user:secret} together with the right {@code project_id}. */
    public MixpanelSimulator.Builder serviceAccount(String user, String secret) {
        this.serviceAccountUser = requireText(user, "service account user");
        this.serviceAccountSecret = requireText(secret, "service account secret");
        return self();
    }

    /** Accepts Basic auth with this secret as user name and an empty password. */
    public MixpanelSimulator.Builder projectSecret(String secret) {
        this.projectSecret = requireText(secret, "project secret");
        return self();
    }

    /** The project timezone: "today" and event times follow it (default UTC). */
    public MixpanelSimulator.Builder timezone(ZoneId timezone) {
        this.timezone = Objects.requireNonNull(timezone, "timezone");
        return self();
    }

    /** The clock for "today" and the hourly limit (default the system UTC clock). */
    public MixpanelSimulator.Builder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return self();
    }

    /** Export requests allowed per rolling hour before 429 (default 60; 0 = unlimited). */
    public MixpanelSimulator.Builder hourlyLimit(int hourlyLimit) {
        if (hourlyLimit < 0) {
            throw new IllegalArgumentException("hourlyLimit must not be negative: " + hourlyLimit);
        }
        this.hourlyLimit = hourlyLimit;
        return self();
    }

    /** Every Nth event of a day carries a string over 64 KiB (default 5000; 0 = never). */
    public MixpanelSimulator.Builder bigEventEvery(long bigEventEvery) {
        if (bigEventEvery < 0) {
            throw new IllegalArgumentException("bigEventEvery must not be negative: " + bigEventEvery);
        }
        this.bigEventEvery = bigEventEvery;
        return self();
    }

    /** User profiles served by the engage endpoint (default 0). */
    public MixpanelSimulator.Builder profiles(int profiles) {
        if (profiles < 0) {
            throw new IllegalArgumentException("profiles must not be negative: " + profiles);
        }
        this.profiles = profiles;
        return self();
    }

    /** Every {@code n}th user profile has no {@code $last_seen} (default 20; 1: none has one). */
    public MixpanelSimulator.Builder unseenProfileEvery(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("unseenProfileEvery must be at least 1: " + n);
        }
        this.unseenProfileEvery = n;
        return self();
    }

    /** Engage (Query API) requests allowed per rolling hour before 429 (default 60; 0 = unlimited). */
    public MixpanelSimulator.Builder queryLimit(int queryLimit) {
        if (queryLimit < 0) {
            throw new IllegalArgumentException("queryLimit must not be negative: " + queryLimit);
        }
        this.queryLimit = queryLimit;
        return self();
    }

    /** How long an engage {@code session_id} lives after its page 0 (default 10 minutes). */
    public MixpanelSimulator.Builder sessionExpiry(java.time.Duration sessionExpiry) {
        if (sessionExpiry == null || sessionExpiry.isNegative() || sessionExpiry.isZero()) {
            throw new IllegalArgumentException("sessionExpiry must be positive");
        }
        this.sessionExpiry = sessionExpiry;
        return self();
    }

    /** Raw JSON values, profile {@code i} carrying value {@code i} as its property {@code rare}. */
    public MixpanelSimulator.Builder rareProfileValues(List<String> values) {
        this.rareProfileValues = List.copyOf(values);
        return self();
    }

    private MixpanelSimulator.Builder self() {
        return (MixpanelSimulator.Builder) this;
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }

    /**
     * Places the first 72 events of every day on its wall-clock hour boundaries: {@code h:00:00.000},
     * {@code h:59:59.999} and {@code h:59:59.000} for every hour (default off), so that tests of sub-day
     * slices have events on both sides of every slice boundary.
     */
    public MixpanelSimulator.Builder hourBoundaryEvents(boolean on) {
        this.hourBoundaryEvents = on;
        return self();
    }
}
