package io.mixpanelpipelines.warehouse;

/** A load that did not happen: the warehouse table is as it was. The next {@code load} tries again. */
public class WarehouseLoadException extends RuntimeException {

    public WarehouseLoadException(String message, Throwable cause) {
        super(message, cause);
    }

    public WarehouseLoadException(String message) {
        super(message);
    }
}
