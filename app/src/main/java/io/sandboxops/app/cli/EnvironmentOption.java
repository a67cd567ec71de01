package io.sandboxops.app.cli;

import io.sandboxops.core.env.Actor;

import io.sandboxops.app.env.RunningEmulator;
import io.sandboxops.core.env.CloudTarget;
import io.sandboxops.core.env.Environment;
import io.sandboxops.core.env.Environments;
import io.sandboxops.core.rollout.ControlPlane;
import io.sandboxops.core.rollout.RolloutAuditLog;
import io.sandboxops.core.rollout.RolloutController;
import picocli.CommandLine.Option;

/** {@code --env NAME}: which environment a control-plane verb works on (DESIGN §8). */
final class EnvironmentOption {
    @Option(names = "--env", paramLabel = "NAME",
            description = "Environment from ~/.sandbox-ops/environments.json (default: the file's default, else local).")
    String name;

    Environment environment() {
        Environments all = Environments.load(Environments.defaultFile());
        return name == null ? all.defaultEnvironment() : all.get(name);
    }

    static CloudTarget target(Environment env) {
        return env.kind() == Environment.Kind.LOCAL ? RunningEmulator.target(env) : env.googleTarget();
    }

    ControlPlane open(RolloutController.Options options) {
        Environment env = environment();
        return new ControlPlane(env, target(env), RolloutAuditLog.inUserHome(), options);
    }

    /** Who is acting, for the audit log: $SANDBOXOPS_ACTOR, else the OS user. */
    static String actor() {
        return Actor.current();
    }
}
