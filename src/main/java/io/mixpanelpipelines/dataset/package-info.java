/**
 * What a published day is: its layout under the destination, its manifest and parts, and the publisher
 * that makes a day visible at once ({@code _SUCCESS} last). Warehouse loaders read days through it; it
 * uses only {@code storage}.
 */
package io.mixpanelpipelines.dataset;
