package io.mixpanelpipelines.cli.command;

/** What {@code load --only} names: the events, the people (with group profiles and changes), the identity mappings. */
public enum LoadDataset {
    events, people, identity
}
