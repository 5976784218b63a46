/**
 * The Mixpanel side: the export client contract, credentials, the request budget contract and the spool
 * contract (response bodies kept until their day is published). It uses only {@code config}.
 */
package io.mixpanelpipelines.source;
