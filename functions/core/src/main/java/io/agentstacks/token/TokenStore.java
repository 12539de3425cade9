package io.agentstacks.token;

import java.util.Optional;

/** Port: where agent registration tokens live (SSM SecureString parameters). */
public interface TokenStore {

    /** Reads the current version of the parameter, decrypted. Throws {@link TokenStoreException} when it cannot. */
    StoredToken read(String parameterName);

    /**
     * Reads the current version of the parameter from the service itself, bypassing any cache {@link #read}
     * answers from (and refreshing it). For decisions a stale token would get wrong: whether Semaphore rejects
     * the token the parameter holds now, whether a rotation's token is written already. A store without a
     * cache reads as {@link #read} does.
     */
    default StoredToken readCurrent(String parameterName) {
        return read(parameterName);
    }

    /**
     * Writes {@code token} as a new version of the SecureString parameter, encrypted with {@code kmsKeyId}
     * (or the account's {@code alias/aws/ssm} when empty), and answers the new version.
     */
    long write(String parameterName, AgentToken token, Optional<String> kmsKeyId);

    /** Failure to read or write a parameter; the message names the parameter, never its value. */
    final class TokenStoreException extends RuntimeException {
        private final boolean notFound;

        public TokenStoreException(String message, boolean notFound, Throwable cause) {
            super(message, cause);
            this.notFound = notFound;
        }

        public boolean notFound() {
            return notFound;
        }
    }
}
