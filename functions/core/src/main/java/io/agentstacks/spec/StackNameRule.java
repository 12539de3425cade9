package io.agentstacks.spec;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one rule for an agent stack's name, used wherever a name comes in: the spec's {@code stackName}, the
 * API's {@code /stacks/{name}} paths and the token route's {@code {name}}. A name that passes is one the
 * spec could have created, so a path that fails it cannot name a stack and is refused before any lookup.
 *
 * <ul>
 *   <li>CloudFormation's stack-name syntax: a letter, then letters, digits and hyphens;</li>
 *   <li>at most {@value #MAX_LENGTH} characters, so that the execution {@code <name>-delete-v<N>} fits
 *       Step Functions' 80;</li>
 *   <li>not {@value #RESERVED}: {@code /stacks/validate} is the API's dry-run resource, and API Gateway
 *       matches that static resource before {@code /stacks/{name}}, so a stack of that name could be
 *       created but never read, deleted or given a token through the API.</li>
 * </ul>
 */
public final class StackNameRule {

    public static final int MAX_LENGTH = 64;

    /** The name the API's own {@code /stacks/validate} route takes. */
    public static final String RESERVED = "validate";

    /** The syntax and the reservation, as a Java and ECMA-262 regular expression (the JSON Schema uses it). */
    public static final String PATTERN = "^(?!" + RESERVED + "$)[A-Za-z][A-Za-z0-9-]*$";

    /** What a name that does not match the syntax is told. */
    public static final String SYNTAX_HINT = "must be a CloudFormation stack name: a letter, then letters, digits and hyphens";

    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private StackNameRule() {
    }

    /** Why {@code name} cannot be a stack's name, or empty when it can. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("is required");
        }
        if (name.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters long (it has " + name.length() + ")");
        }
        if (name.equals(RESERVED)) {
            return Optional.of("must not be \"" + RESERVED + "\": the API reserves /stacks/" + RESERVED
                    + " for POST /stacks/validate");
        }
        return COMPILED.matcher(name).matches() ? Optional.empty() : Optional.of(SYNTAX_HINT);
    }
}
