package io.agentstacks.stackapi;

import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

import java.util.stream.Collectors;

/**
 * Answers the framework's own errors (no such route 404, wrong method 405, unbindable parameters 400)
 * as problem JSON too, so that every error of the API has one shape.
 */
@Singleton
final class ProblemErrorResponseProcessor implements ErrorResponseProcessor<String> {

    @Override
    @SuppressWarnings("unchecked")
    public MutableHttpResponse<String> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        HttpStatus status = response.getStatus();
        String detail = switch (status) {
            case NOT_FOUND -> "no route " + context.getRequest().getPath() + "; the API has /stacks and /stacks/{name}";
            case METHOD_NOT_ALLOWED -> context.getRequest().getMethodName() + " is not allowed on "
                    + context.getRequest().getPath() + response.getHeaders().get("Allow", String.class)
                    .map(a -> "; allowed: " + a).orElse("");
            default -> context.getErrors().stream().map(Error::getMessage).collect(Collectors.joining("; "));
        };
        MutableHttpResponse<String> problem = (MutableHttpResponse<String>) response;
        String body = Problems.body(status, Problems.BLANK, status.getReason(),
                detail.isBlank() ? status.getReason() : detail).toString();
        return problem.contentType(Problems.MEDIA_TYPE).body(body);
    }
}
