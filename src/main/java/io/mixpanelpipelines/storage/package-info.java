/**
 * Where files go: a typed location parsed once, and a minimal storage interface (output files that know
 * their position, listing, deleting, renaming) that the technologies in the sub-packages implement.
 */
package io.mixpanelpipelines.storage;
