package io.sandboxops.core.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.SandboxUnavailableException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OverlappingLooksTest {
    /** A look that takes as long as the test says: it ends when {@code release} opens. */
    private static final class SlowLook {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger started = new AtomicInteger();
        volatile String found;

        Optional<String> look() {
            started.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.ofNullable(found);
        }
    }

    @Test
    void aNewLookStartsEachGapWithoutWaitingForTheOneBeforeUpToTheMostInFlight() {
        SlowLook slow = new SlowLook();
        OverlappingLooks<String> looks = new OverlappingLooks<>(slow::look, 3, "a test object");
        for (int i = 0; i < 6; i++) {
            assertThat(looks.next(1)).as("no look ended yet").isEmpty();
        }
        assertThat(slow.started).as("three looks in flight, none of them ended; no fourth").hasValue(3);

        slow.found = "there";
        slow.release.countDown();
        Optional<String> seen = Optional.empty();
        for (int i = 0; i < 100 && seen.isEmpty(); i++) {
            seen = looks.next(1);
        }
        assertThat(seen).as("what an ended look found").contains("there");
    }

    @Test
    void noLookStartsBeforeTheGapHasPassedWhateverEnded() {
        AtomicInteger started = new AtomicInteger();
        OverlappingLooks<String> looks = new OverlappingLooks<>(() -> {
            started.incrementAndGet();
            return Optional.empty();
        }, 4, "a test object");
        assertThat(looks.next(300)).as("the first look ended, finding nothing").isEmpty();
        assertThat(looks.next(300)).isEmpty();
        // The look ended at once, but the next was due 300 ms after it started: this wait was the pause, not a burst.
        assertThat(started).hasValue(1);
        looks.next(300);
        assertThat(started).as("due now").hasValue(2);
    }

    @Test
    void aFailedLookFailsTheWait() {
        OverlappingLooks<String> looks = new OverlappingLooks<>(() -> {
            throw new SandboxUnavailableException("the bucket answered 503");
        }, 2, "a test object");
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100; i++) {
                looks.next(1);
            }
        }).isInstanceOf(SandboxUnavailableException.class).hasMessage("the bucket answered 503");
    }

    @Test
    void anInterruptEndsTheWaitAndStaysSet() {
        SlowLook slow = new SlowLook();
        OverlappingLooks<String> looks = new OverlappingLooks<>(slow::look, 1, "a test object");
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> looks.next(1000)).isInstanceOf(SandboxUnavailableException.class)
                    .hasMessageContaining("interrupted while waiting for a test object");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
            slow.release.countDown();
        }
    }
}
