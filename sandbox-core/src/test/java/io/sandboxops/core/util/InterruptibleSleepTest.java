package io.sandboxops.core.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandboxops.core.api.SandboxUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InterruptibleSleepTest {
    @AfterEach
    void clearFlag() {
        Thread.interrupted();
    }

    @Test
    void aSleepThatIsNotInterruptedReturnsAndLeavesTheFlagClear() {
        InterruptibleSleep.sleep(Duration.ofMillis(1), "nothing");
        InterruptibleSleep.sleep(Duration.ZERO, "nothing");
        InterruptibleSleep.sleep(Duration.ofMillis(-5), "nothing");
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void anInterruptDuringTheSleepEndsItSaysWhichWaitAndKeepsTheFlag() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        CompletableFuture<Boolean> flag = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                InterruptibleSleep.sleep(Duration.ofMinutes(5), "the worker");
                failure.complete(null);
            } catch (RuntimeException e) {
                failure.complete(e);
            }
            flag.complete(Thread.currentThread().isInterrupted());
        });
        t.start();
        started.await();
        t.interrupt();
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(t.isAlive()).as("the sleep ended at the interrupt").isFalse();
        assertThat(failure.get()).isInstanceOf(SandboxUnavailableException.class)
                .hasMessageStartingWith("interrupted while waiting for the worker").hasCauseInstanceOf(InterruptedException.class);
        assertThat(flag.get()).as("the interrupt flag is set again for the thread's owner").isTrue();
    }

    @Test
    void aThreadAlreadyInterruptedDoesNotSleepAtAll() {
        Thread.currentThread().interrupt();
        long start = System.nanoTime();
        assertThatThrownBy(() -> InterruptibleSleep.sleepMillis(60_000, "an execution"))
                .isInstanceOf(SandboxUnavailableException.class).hasMessageContaining("an execution");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }
}
