/**
 * The control plane of the move to Cloud Run Jobs (DESIGN §6): {@link io.sandboxops.core.rollout.SandboxFactory}
 * and {@link io.sandboxops.core.rollout.Bucketing} choose a backend per new session; the
 * {@link io.sandboxops.core.rollout.RolloutController} reads and writes the flag and percentage on the agent
 * backend's Cloud Run service and rolls back with verification; {@link io.sandboxops.core.rollout.RolloutPlanner}
 * runs the step plan and its gates; {@link io.sandboxops.core.rollout.RolloutAuditLog} keeps the local,
 * append-only record. Nothing here knows a backend's classes: backends come in as
 * {@link io.sandboxops.core.api.SandboxBackend} suppliers.
 */
package io.sandboxops.core.rollout;
