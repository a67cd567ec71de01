package io.sandboxops.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Logback finds the configuration in code, and it is the one logback.xml had: warnings, to stderr. */
class StderrLogConfiguratorTest {

    @Test
    void logbackIsConfiguredInCodeWarningsToStderr() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        var appender = root.getAppender("STDERR");
        assertThat(appender).isInstanceOf(ConsoleAppender.class);
        assertThat(((ConsoleAppender<?>) appender).getTarget()).isEqualTo("System.err");
        assertThat(context.getLogger("io.sandboxops").getEffectiveLevel())
                .isEqualTo(Level.toLevel(System.getenv("SANDBOXCTL_LOG_LEVEL"), Level.WARN));
    }
}
