/**
 * What the sandbox jobs are doing, for people: {@link io.sandboxops.core.observe.MetricsService} (Cloud
 * Monitoring, the Executions API and Cloud Logging, against the original plan's targets and alert thresholds as
 * {@link io.sandboxops.core.observe.MetricTargets}, priced by a {@link io.sandboxops.core.observe.PriceTable}) and
 * {@link io.sandboxops.core.observe.LogsService} (list, tail, and the prepared queries shipped in
 * {@code deploy/log-queries.json}).
 */
package io.sandboxops.core.observe;
