package io.sandboxops.core.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ActorTest {
    @Test
    void theNamedActorWinsOverTheOperatingSystemUser() {
        assertThat(Actor.current(Map.of("SANDBOXOPS_ACTOR", "alice@example.com"), "ci")).isEqualTo("alice@example.com");
    }

    @Test
    void withNoNamedActorTheOperatingSystemUserActs() {
        assertThat(Actor.current(Map.of(), "bob")).isEqualTo("bob");
        assertThat(Actor.current(Map.of("SANDBOXOPS_ACTOR", "  "), "bob")).as("a blank name names nobody").isEqualTo("bob");
    }

    @Test
    void nobodyRecordedIsShownAsUnknown() {
        assertThat(Actor.current(Map.of(), null)).isEqualTo("unknown");
        assertThat(Actor.recorded("")).isEqualTo("unknown");
        assertThat(Actor.recorded(null)).isEqualTo("unknown");
        assertThat(Actor.recorded("oncall@example.com")).isEqualTo("oncall@example.com");
    }

    @Test
    void theRuleReadsTheRealEnvironmentAndUser() {
        String expected = System.getenv("SANDBOXOPS_ACTOR") != null && !System.getenv("SANDBOXOPS_ACTOR").isBlank()
                ? System.getenv("SANDBOXOPS_ACTOR") : System.getProperty("user.name");
        assertThat(Actor.current()).isEqualTo(expected);
    }
}
