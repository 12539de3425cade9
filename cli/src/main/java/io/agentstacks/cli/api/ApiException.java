package io.agentstacks.cli.api;

/**
 * The API could not be asked at all: no endpoint, no credentials or region, a network failure. Its
 * message is one line a user can act on, and never holds a credential.
 */
public final class ApiException extends Exception {

    public ApiException(String message) {
        super(message);
    }

    public ApiException(String message, Throwable cause) {
        super(message, cause);
    }
}
