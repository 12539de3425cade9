package io.agentstacks.token;

import java.util.Optional;

/**
 * What a registration token handed to the control plane may look like, checked before anything else
 * happens (API and CLI use the same rule). The messages describe the rule, never the value.
 */
public final class TokenFormat {

    /** Semaphore's registration tokens are far shorter; anything longer is a pasted file, not a token. */
    public static final int MAX_LENGTH = 1024;

    private TokenFormat() {
    }

    /** Why {@code value} cannot be a token, or empty when it can. */
    public static Optional<String> problem(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (value.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters long, got " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return Optional.of("must be printable ASCII without spaces or line breaks; character "
                        + (i + 1) + " is not");
            }
        }
        return Optional.empty();
    }
}
