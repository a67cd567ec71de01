/**
 * Small pieces every part of the core shares, each the one way to do its thing: waiting between attempts
 * ({@link io.sandboxops.core.util.InterruptibleSleep}) and writing byte counts for people
 * ({@link io.sandboxops.core.util.ByteSize}). Nothing here knows a backend.
 */
package io.sandboxops.core.util;
