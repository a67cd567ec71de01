package io.sandboxops.app.console.shell;

import io.sandboxops.core.env.ControlCharacters;
import io.sandboxops.core.env.Secrets;

/**
 * One exported variable of the session.
 *
 * @param name   its name
 * @param value  its real value; shown only when revealed
 * @param secret whether its name or shape says it is a secret
 */
public record EnvVariable(String name, String value, boolean secret) {

    /** The variable as the table shows it: name and value inert, the secret decided on the real value. */
    public static EnvVariable of(String name, String value) {
        boolean secret = !Secrets.MASK.equals(value) && !java.util.Objects.equals(Secrets.mask(name, value), value);
        return new EnvVariable(ControlCharacters.escape(name), ControlCharacters.escape(value), secret);
    }

    /** @return what the table shows: the value, or the mask for a secret not revealed */
    public String shown(boolean reveal) {
        return secret && !reveal ? Secrets.MASK : value;
    }
}
