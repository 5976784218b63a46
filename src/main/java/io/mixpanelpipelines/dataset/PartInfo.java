package io.mixpanelpipelines.dataset;

import java.util.ArrayList;
import java.util.List;

/** A closed Parquet part file of a day: its name, rows and bytes. */
public record PartInfo(String name, long rows, long bytes) {

    /** Encodes a list for an ExecutionContext (plain text keeps the checkpoint readable in the database). */
    public static String encode(List<PartInfo> parts) {
        StringBuilder sb = new StringBuilder();
        for (PartInfo p : parts) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(p.name).append(':').append(p.rows).append(':').append(p.bytes);
        }
        return sb.toString();
    }

    public static List<PartInfo> decode(String s) {
        List<PartInfo> parts = new ArrayList<>();
        if (s == null || s.isEmpty()) {
            return parts;
        }
        for (String item : s.split(";")) {
            String[] f = item.split(":");
            parts.add(new PartInfo(f[0], Long.parseLong(f[1]), Long.parseLong(f[2])));
        }
        return parts;
    }
}
