package io.sandboxops.app.cli;

import io.sandboxops.core.api.SandboxInvalidInputException;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Usage errors (exit 2, with the hint to {@code --help}): an argument whose form or range is wrong is refused before
 * anything is opened, whichever piece judges it. Picocli judges types and required options; a value only the core
 * can judge (a memory limit, a line range) goes through {@link #check}, so the core's rule stays the one rule and its
 * refusal still reads as a usage error.
 */
final class Usage {
    private Usage() {
    }

    /** @return a usage error of {@code spec}'s command, for a verb to throw */
    static ParameterException error(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Builds a value from arguments with the core's own check; its refusal becomes a usage error of {@code spec}. */
    static <T> T check(CommandSpec spec, Supplier<T> build) {
        try {
            return build.get();
        } catch (SandboxInvalidInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** A converter from the core's parser: its refusal is picocli's "Invalid value for option ..." usage error. */
    interface Converter<T> extends CommandLine.ITypeConverter<T> {
        T parse(String text);

        @Override
        default T convert(String text) {
            try {
                return parse(text);
            } catch (SandboxInvalidInputException | IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
