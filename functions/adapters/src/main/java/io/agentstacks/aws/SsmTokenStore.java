package io.agentstacks.aws;

import io.agentstacks.token.AgentToken;
import io.agentstacks.token.StoredToken;
import io.agentstacks.token.TokenStore;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterResponse;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;
import software.amazon.awssdk.services.ssm.model.SsmException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Agent tokens in SSM SecureString parameters.
 *
 * <p>Reads (GetParameter with decryption) are cached per parameter for at most {@link #MAX_AGE}: within
 * that time the cached token and version are answered; after it, the parameter is read again, and the
 * version read then is used from then on. A {@link #write} puts its own new version in the cache, so a
 * rotated token is used by this process at once; {@link #readCurrent} reads past the cache, for a process
 * (the poller) that learns of another's rotation from Semaphore's 401 or the registry's recorded version. Messages name the parameter and the call, never the value.
 */
public final class SsmTokenStore implements TokenStore {

    public static final Duration MAX_AGE = Duration.ofSeconds(60);

    private record Cached(StoredToken token, Instant readAt) {
    }

    private final SsmClient ssm;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public SsmTokenStore(SsmClient ssm, Clock clock) {
        this.ssm = Objects.requireNonNull(ssm, "ssm");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public StoredToken read(String parameterName) {
        Objects.requireNonNull(parameterName, "parameterName");
        Instant now = clock.instant();
        Cached cached = cache.get(parameterName);
        if (cached != null && Duration.between(cached.readAt(), now).compareTo(MAX_AGE) < 0
                && !now.isBefore(cached.readAt())) {
            return cached.token();
        }
        return fetch(parameterName, now);
    }

    /** GetParameter itself, whatever the cache holds; the cache then holds what was read. */
    @Override
    public StoredToken readCurrent(String parameterName) {
        Objects.requireNonNull(parameterName, "parameterName");
        cache.remove(parameterName);
        return fetch(parameterName, clock.instant());
    }

    private StoredToken fetch(String parameterName, Instant now) {
        GetParameterResponse response;
        try {
            response = ssm.getParameter(r -> r.name(parameterName).withDecryption(true));
        } catch (ParameterNotFoundException e) {
            throw new TokenStoreException("GetParameter: SSM parameter " + parameterName + " does not exist", true, null);
        } catch (SdkException e) {
            throw new TokenStoreException("GetParameter on SSM parameter " + parameterName + " failed: " + code(e), false,
                    null);
        }
        String value = response.parameter().value();
        if (value == null || value.isBlank()) {
            throw new TokenStoreException("SSM parameter " + parameterName + " is empty", false, null);
        }
        StoredToken token = new StoredToken(new AgentToken(value), response.parameter().version());
        cache.compute(parameterName, (k, old) -> old != null && old.token().version() > token.version()
                ? old : new Cached(token, now));
        return cache.get(parameterName).token();
    }

    @Override
    public long write(String parameterName, AgentToken token, Optional<String> kmsKeyId) {
        Objects.requireNonNull(parameterName, "parameterName");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(kmsKeyId, "kmsKeyId");
        PutParameterRequest.Builder request = PutParameterRequest.builder()
                .name(parameterName)
                .value(token.reveal())
                .type(ParameterType.SECURE_STRING)
                .overwrite(true);
        kmsKeyId.filter(k -> !k.isBlank()).ifPresent(request::keyId);
        long version;
        try {
            version = ssm.putParameter(request.build()).version();
        } catch (SdkException e) {
            throw new TokenStoreException("PutParameter on SSM parameter " + parameterName + " failed: " + code(e), false,
                    null);
        }
        cache.put(parameterName, new Cached(new StoredToken(token, version), clock.instant()));
        return version;
    }

    /**
     * The AWS error code of a failure, or the exception's class. The SDK's own messages can quote request
     * fields, so they are left out (the value of a PutParameter is one of them).
     */
    static String code(SdkException e) {
        if (e instanceof SsmException s && s.awsErrorDetails() != null && s.awsErrorDetails().errorCode() != null) {
            return s.awsErrorDetails().errorCode() + " (HTTP " + s.statusCode() + ")";
        }
        return e.getClass().getSimpleName();
    }
}
