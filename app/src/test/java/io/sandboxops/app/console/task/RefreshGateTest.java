package io.sandboxops.app.console.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RefreshGateTest {
    private long now;
    private final RefreshGate gate = new RefreshGate(Duration.ofSeconds(30), () -> now);

    @Test
    void oneRefreshAtATime() {
        long first = gate.tryEnter();
        assertThat(first).isPositive();
        assertThat(gate.tryEnter()).isZero();
        gate.exit(first);
        assertThat(gate.tryEnter()).isPositive();
    }

    @Test
    void aHungRefreshStopsBlockingAfterThePatienceAndItsLateEndChangesNothing() {
        long hung = gate.tryEnter();
        now += Duration.ofSeconds(31).toNanos();
        long next = gate.tryEnter();
        assertThat(next).isPositive().isNotEqualTo(hung);
        gate.exit(hung);
        assertThat(gate.busy()).isTrue();
        gate.exit(next);
        assertThat(gate.busy()).isFalse();
    }
}
