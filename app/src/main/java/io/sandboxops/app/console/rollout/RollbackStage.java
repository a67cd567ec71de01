package io.sandboxops.app.console.rollout;

/**
 * One stage of a rollback as the progress shows it: update → revision ready → traffic verified.
 *
 * @param label what the stage is, for a person
 * @param state how far it got
 */
public record RollbackStage(String label, State state) {

    public enum State { WAITING, RUNNING, DONE, FAILED }

    static final String UPDATE = "Update the service";
    static final String READY = "New revision ready";
    static final String VERIFIED = "Traffic verified";
}
