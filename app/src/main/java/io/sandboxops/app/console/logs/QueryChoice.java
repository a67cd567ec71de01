package io.sandboxops.app.console.logs;

/**
 * A query the person can pick: every sandbox execution's log, or one of the prepared queries.
 *
 * @param name        what the picker shows
 * @param description what it finds, for the tooltip
 * @param filter      the Cloud Logging filter
 */
public record QueryChoice(String name, String description, String filter) {
    @Override
    public String toString() {
        return name;
    }
}
