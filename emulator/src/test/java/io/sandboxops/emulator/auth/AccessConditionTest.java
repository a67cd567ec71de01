package io.sandboxops.emulator.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The CEL subset of access boundary conditions: what Google's examples write, evaluated as CEL would. */
class AccessConditionTest {
    private static final String OBJECT = "storage.googleapis.com/Object";
    private static final String BUCKET = "storage.googleapis.com/Bucket";

    private static AccessCondition.Resource object(String name) {
        return new AccessCondition.Resource("projects/_/buckets/b/objects/" + name, OBJECT, null);
    }

    private static AccessCondition.Resource list(String prefix) {
        return new AccessCondition.Resource("projects/_/buckets/b", BUCKET, prefix);
    }

    @Test
    void googlesSessionPrefixExampleAllowsItsObjectsAndListingsOnly() {
        AccessCondition c = AccessCondition.parse("resource.name.startsWith('projects/_/buckets/b/objects/sessions/a/') || "
                + "api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('sessions/a/')");
        assertThat(c.holds(object("sessions/a/state.json"))).isTrue();
        assertThat(c.holds(object("sessions/b/state.json"))).isFalse();
        assertThat(c.holds(object("sessions/a"))).isFalse();
        assertThat(c.holds(list("sessions/a/"))).isTrue();
        assertThat(c.holds(list("sessions/a/inbox/"))).isTrue();
        assertThat(c.holds(list("sessions/"))).isFalse();
        assertThat(c.holds(list(""))).isFalse();
    }

    @Test
    void typesNegationAndParenthesesCombineAsInCel() {
        AccessCondition c = AccessCondition.parse("resource.type == \"storage.googleapis.com/Object\" && "
                + "!(resource.name.endsWith('.key') || resource.name.startsWith('projects/_/buckets/b/objects/secret/'))");
        assertThat(c.holds(object("a.txt"))).isTrue();
        assertThat(c.holds(object("a.key"))).isFalse();
        assertThat(c.holds(object("secret/x"))).isFalse();
        assertThat(c.holds(list("a"))).isFalse();
        assertThat(AccessCondition.parse("resource.type != 'storage.googleapis.com/Object'").holds(list(""))).isTrue();
    }

    @Test
    void anythingOutsideTheSubsetIsRefusedNamingThePart() {
        assertThatThrownBy(() -> AccessCondition.parse("resource.name.matches('.*')"))
                .isInstanceOf(AccessCondition.Unsupported.class).hasMessageContaining("\".matches('.*')\"");
        assertThatThrownBy(() -> AccessCondition.parse("true"))
                .isInstanceOf(AccessCondition.Unsupported.class).hasMessageContaining("\"true\"");
        assertThatThrownBy(() -> AccessCondition.parse("api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly([])"))
                .isInstanceOf(AccessCondition.Unsupported.class).hasMessageContaining("modifiedGrantsByRole");
        assertThatThrownBy(() -> AccessCondition.parse("resource.name.startsWith('a') ||"))
                .isInstanceOf(AccessCondition.Unsupported.class).hasMessageContaining("the end of the condition");
        assertThatThrownBy(() -> AccessCondition.parse("resource.name.startsWith('a) "))
                .isInstanceOf(AccessCondition.Unsupported.class).hasMessageContaining("not closed");
        assertThatThrownBy(() -> AccessCondition.parse("resource.name.startsWith('a') resource.name.startsWith('b')"))
                .isInstanceOf(AccessCondition.Unsupported.class);
    }
}
