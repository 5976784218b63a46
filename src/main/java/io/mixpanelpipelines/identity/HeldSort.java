package io.mixpanelpipelines.identity;

import io.mixpanelpipelines.identity.DayIdentities.Held;

/**
 * Sorts what a day holds in memory by {@code distinct_id}'s UTF-8 bytes ({@link IdOrder}): a merge sort of
 * its own (stable, n log n comparisons) rather than {@link java.util.Arrays#sort(Object[], java.util.Comparator)}.
 * Why: the JDK's TimSort is shared by every comparator of the process (Spring's at start-up among them), so
 * its compiled code was thrown away and compiled again, with ours, several times a run: about half a second
 * of the optimizing compiler's time on a 1M-event day, on a machine whose 2 cores the conversion keeps busy.
 * This one is compiled for one comparison, and compares the ids' first 8 bytes as one number first
 * ({@link IdOrder#prefix}).
 */
final class HeldSort {

    /** Below this many candidates a range is sorted by insertion. */
    private static final int INSERTION = 16;

    private HeldSort() {
    }

    static void sort(Held[] a) {
        if (a.length > 1) {
            mergeSort(a.clone(), a, 0, a.length);
        }
    }

    /** Sorts {@code src[lo..hi)} into {@code dst[lo..hi)}; both hold the same candidates there on entry. */
    private static void mergeSort(Held[] src, Held[] dst, int lo, int hi) {
        if (hi - lo < INSERTION) {
            for (int i = lo + 1; i < hi; i++) {
                Held h = dst[i];
                int j = i - 1;
                while (j >= lo && less(h, dst[j])) {
                    dst[j + 1] = dst[j];
                    j--;
                }
                dst[j + 1] = h;
            }
            return;
        }
        int mid = (lo + hi) >>> 1;
        mergeSort(dst, src, lo, mid);
        mergeSort(dst, src, mid, hi);
        if (!less(src[mid], src[mid - 1])) { // already in order
            System.arraycopy(src, lo, dst, lo, hi - lo);
            return;
        }
        for (int i = lo, p = lo, q = mid; i < hi; i++) {
            dst[i] = q >= hi || (p < mid && !less(src[q], src[p])) ? src[p++] : src[q++];
        }
    }

    private static boolean less(Held a, Held b) {
        return a.prefix != b.prefix ? Long.compareUnsigned(a.prefix, b.prefix) < 0 : IdOrder.compare(a.idUtf8, b.idUtf8) < 0;
    }
}
