/**
 * The durable state of a job in the state database: partitions (days and their states), loads and the
 * contracts to reach them. Implementations live in {@code state.jdbc}; nothing above uses them directly
 * except the Spring configuration that wires them.
 */
package io.mixpanelpipelines.state;
