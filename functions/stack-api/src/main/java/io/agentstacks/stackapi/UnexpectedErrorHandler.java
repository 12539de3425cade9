package io.agentstacks.stackapi;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * A failure nobody planned for (AWS unreachable, throttled past the retries): logged with its cause
 * class and message, answered as a 500 problem that names the request id, not the internals.
 * A request that failed here is safe to retry: every command is idempotent.
 */
@Singleton
@Produces
@Requires(classes = ExceptionHandler.class)
final class UnexpectedErrorHandler implements ExceptionHandler<RuntimeException, HttpResponse<String>> {

    private final ApiLog log;

    UnexpectedErrorHandler(StackApiServices services) {
        this.log = services.log();
    }

    @Override
    public HttpResponse<String> handle(HttpRequest request, RuntimeException exception) {
        String requestId = StacksController.requestId(request);
        log.error("request.failed").put("method", request.getMethodName()).put("path", request.getPath())
                .put("error", exception.getClass().getName()).put("message", exception.getMessage())
                .put("requestId", requestId).write();
        return Problems.plain(HttpStatus.INTERNAL_SERVER_ERROR, "the request failed; retrying it is safe"
                + (requestId == null ? "" : " (request id " + requestId + ")"));
    }
}
