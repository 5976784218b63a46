/**
 * The JDBC implementation of the state contracts and of {@code source}'s request budget, on H2 or
 * PostgreSQL, with the schema Flyway owns ({@code sql/}).
 */
package io.mixpanelpipelines.state.jdbc;
