package io.sandboxops.core.observe;

/** A named Cloud Logging filter an on-call engineer runs often, from {@code deploy/log-queries.json}. */
public record PreparedQuery(String name, String description, String filter) {
}
