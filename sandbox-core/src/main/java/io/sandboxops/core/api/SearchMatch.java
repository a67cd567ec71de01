package io.sandboxops.core.api;

/**
 * A line that matched {@link Sandbox#fileSearch}.
 *
 * @param lineNumber 1-based line number
 * @param line       the whole line, without its line terminator
 */
public record SearchMatch(int lineNumber, String line) {
}
