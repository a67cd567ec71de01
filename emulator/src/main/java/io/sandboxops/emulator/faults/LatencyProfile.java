package io.sandboxops.emulator.faults;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * How long the real APIs take, per method, as data: a profile names, for each API method, a latency distribution
 * that the {@link FaultInjector} draws from for every call (and for {@link #EXECUTION_START}, the time from RunJob to
 * a task's container starting). The format is JSON, documented in the emulator's README ("Latency profiles"):
 *
 * <pre>{@code
 * {"name": "my-profile",
 *  "methods": {
 *    "storage.objects.get":                {"median_ms": 30, "p99_ms": 150},
 *    "storage.objects.*":                  {"median_ms": 50, "p99_ms": 250},
 *    "google.cloud.run.v2.Jobs/RunJob":    {"fixed_ms": 400},
 *    "execution.start":                    {"median_ms": 15000, "p99_ms": 40000, "max_ms": 60000}}}
 * }</pre>
 *
 * <p>A method matches its exact name first, then the longest pattern ending in {@code *} that begins it, then
 * {@code "*"}: one entry decides a call's latency. Built-in profiles are resources: {@code none} and
 * {@code gcp-regional}.
 */
public final class LatencyProfile {

    /** The pseudo-method of an execution's start: from RunJob to its tasks' containers being started. */
    public static final String EXECUTION_START = "execution.start";
    /** The built-in profiles, by name. */
    public static final List<String> BUILT_IN = List.of("none", "gcp-regional");
    /** No latency at all: the emulator as fast as it can answer. */
    public static final LatencyProfile NONE = new LatencyProfile("none", Map.of());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXAMPLE = "{\"name\": \"slow-storage\", \"methods\": {\"storage.objects.get\": "
            + "{\"median_ms\": 30, \"p99_ms\": 150}, \"execution.start\": {\"fixed_ms\": 10000}}}";
    /** z of the 99th percentile of the standard normal distribution. */
    private static final double Z99 = 2.3263478740408408;

    private final String name;
    private final Map<String, Distribution> methods;

    private LatencyProfile(String name, Map<String, Distribution> methods) {
        this.name = name;
        this.methods = Map.copyOf(methods);
    }

    /** A built-in profile ({@link #BUILT_IN}); anything else is an IllegalArgumentException naming the built-ins. */
    public static LatencyProfile named(String name) {
        if (!BUILT_IN.contains(name)) {
            throw new IllegalArgumentException("No built-in latency profile \"" + name + "\": the built-in ones are "
                    + String.join(", ", BUILT_IN) + "; or give a profile file, e.g. " + EXAMPLE);
        }
        if (name.equals("none")) {
            return NONE;
        }
        String resource = "latency-profiles/" + name + ".json";
        try (InputStream in = LatencyProfile.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the built-in latency profile " + name + " is missing from the emulator jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in profile " + name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in latency profile " + name, e);
        }
    }

    /** A built-in profile's name, or else the path of a profile file: what {@code --latency-profile} takes. */
    public static LatencyProfile of(String nameOrFile) {
        if (BUILT_IN.contains(nameOrFile)) {
            return named(nameOrFile);
        }
        Path file = Path.of(nameOrFile);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--latency-profile " + nameOrFile + ": neither a built-in profile ("
                    + String.join(", ", BUILT_IN) + ") nor a readable file");
        }
        return fromFile(file);
    }

    public static LatencyProfile fromFile(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the latency profile " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a profile; {@code source} names it in errors. A bad profile is an IllegalArgumentException that says
     * what is wrong, where, and shows a valid one.
     */
    public static LatencyProfile parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw bad(source, "not JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw bad(source, "the profile must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!List.of("name", "description", "methods").contains(field)) {
                throw bad(source, "unknown field \"" + field + "\" (known: name, description, methods)");
            }
        }
        JsonNode methodsNode = root.get("methods");
        if (methodsNode == null || !methodsNode.isObject()) {
            throw bad(source, "\"methods\" must be an object of method name → distribution");
        }
        Map<String, Distribution> methods = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = methodsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            methods.put(e.getKey(), Distribution.parse(e.getValue(), source, e.getKey()));
        }
        String name = root.hasNonNull("name") ? root.get("name").asText() : source;
        return new LatencyProfile(name, methods);
    }

    private static IllegalArgumentException bad(String source, String what) {
        return new IllegalArgumentException("Bad latency profile " + source + ": " + what + ". Example: " + EXAMPLE);
    }

    public String name() {
        return name;
    }

    /** True when no method has any latency: the emulator behaves as without a profile. */
    public boolean isEmpty() {
        return methods.isEmpty();
    }

    /** The distribution that decides {@code method}'s latency, if any entry matches it. */
    public Optional<Distribution> forMethod(String method) {
        Distribution exact = methods.get(method);
        if (exact != null) {
            return Optional.of(exact);
        }
        String best = null;
        for (String pattern : methods.keySet()) {
            if (pattern.endsWith("*") && method.startsWith(pattern.substring(0, pattern.length() - 1))
                    && (best == null || pattern.length() > best.length())) {
                best = pattern;
            }
        }
        return Optional.ofNullable(best == null ? null : methods.get(best));
    }

    /** The methods the profile names, with their distributions: what a start banner or a report shows. */
    public Map<String, Distribution> methods() {
        return methods;
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * One method's latency: fixed, or lognormal from its median and 99th percentile (the two figures measurements
     * and SLOs quote), never below {@code min} nor above {@code max}.
     */
    public record Distribution(Duration median, Duration p99, Duration min, Duration max) {

        public Distribution {
            Objects.requireNonNull(median, "median");
            Objects.requireNonNull(p99, "p99");
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
        }

        public static Distribution fixed(Duration latency) {
            return new Distribution(latency, latency, latency, latency);
        }

        /** Lognormal with this median and 99th percentile, from zero up to four times the p99. */
        public static Distribution lognormal(Duration median, Duration p99) {
            return new Distribution(median, p99, Duration.ZERO, p99.multipliedBy(4));
        }

        boolean isFixed() {
            return median.equals(p99);
        }

        /** One draw. */
        public Duration sample(SplittableRandom random) {
            if (isFixed() || median.isZero()) {
                return median;
            }
            double mu = Math.log(median.toNanos());
            double sigma = (Math.log(p99.toNanos()) - mu) / Z99;
            double nanos = Math.exp(mu + sigma * gaussian(random));
            return Duration.ofNanos((long) Math.max(min.toNanos(), Math.min(nanos, max.toNanos())));
        }

        private static double gaussian(SplittableRandom random) {
            // Box–Muller: SplittableRandom has no nextGaussian on Java 17.
            double u = 1.0 - random.nextDouble();
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
        }

        @Override
        public String toString() {
            return isFixed() ? median.toMillis() + " ms" : "median " + median.toMillis() + " ms, p99 " + p99.toMillis() + " ms"
                    + (min.isZero() ? "" : ", at least " + min.toMillis() + " ms");
        }

        static Distribution parse(JsonNode node, String source, String method) {
            String where = "method \"" + method + "\"";
            if (!node.isObject()) {
                throw bad(source, where + " must map to an object such as {\"median_ms\": 30, \"p99_ms\": 150} or {\"fixed_ms\": 50}");
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!List.of("fixed_ms", "median_ms", "p99_ms", "min_ms", "max_ms", "source").contains(field)) {
                    throw bad(source, where + ": unknown field \"" + field + "\" (known: fixed_ms, or median_ms with p99_ms and "
                            + "optionally min_ms, max_ms; source)");
                }
            }
            if (node.has("fixed_ms")) {
                if (node.has("median_ms") || node.has("p99_ms") || node.has("min_ms") || node.has("max_ms")) {
                    throw bad(source, where + ": fixed_ms excludes median_ms, p99_ms, min_ms and max_ms");
                }
                return fixed(millis(node, "fixed_ms", source, where));
            }
            if (!node.has("median_ms") || !node.has("p99_ms")) {
                throw bad(source, where + ": give fixed_ms, or both median_ms and p99_ms");
            }
            Duration median = millis(node, "median_ms", source, where);
            Duration p99 = millis(node, "p99_ms", source, where);
            if (p99.compareTo(median) < 0) {
                throw bad(source, where + ": p99_ms (" + p99.toMillis() + ") is below median_ms (" + median.toMillis() + ")");
            }
            if (median.isZero() && !p99.isZero()) {
                throw bad(source, where + ": a lognormal latency needs median_ms above 0");
            }
            Duration min = node.has("min_ms") ? millis(node, "min_ms", source, where) : Duration.ZERO;
            Duration max = node.has("max_ms") ? millis(node, "max_ms", source, where) : p99.multipliedBy(4);
            if (min.compareTo(median) > 0) {
                throw bad(source, where + ": min_ms (" + min.toMillis() + ") is above median_ms (" + median.toMillis() + ")");
            }
            if (max.compareTo(p99) < 0) {
                throw bad(source, where + ": max_ms (" + max.toMillis() + ") is below p99_ms (" + p99.toMillis() + ")");
            }
            return new Distribution(median, p99, min, max);
        }

        private static Duration millis(JsonNode node, String field, String source, String where) {
            JsonNode v = node.get(field);
            if (!v.isNumber() || v.asDouble() < 0 || v.asDouble() > Duration.ofHours(1).toMillis()) {
                throw bad(source, where + ": " + field + " must be a number of milliseconds from 0 to 3600000, not " + v);
            }
            return Duration.ofNanos(Math.round(v.asDouble() * 1_000_000));
        }
    }
}
