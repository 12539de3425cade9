package io.agentstacks.inmemory;

import io.agentstacks.token.AgentToken;
import io.agentstacks.token.StoredToken;
import io.agentstacks.token.TokenStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * SSM SecureString parameters in memory, as SSM keeps them: every write (PutParameter with Overwrite)
 * makes a new version, numbered from 1; a read answers the newest version; reading a parameter that
 * does not exist fails with {@code notFound}. The KMS key of each version is kept, {@code alias/aws/ssm}
 * when the writer named none (SSM's default for SecureString).
 */
public final class InMemoryTokenStore implements TokenStore {

    /** SSM's default key for SecureString parameters. */
    public static final String SSM_DEFAULT_KEY = "alias/aws/ssm";

    /** One stored version of a parameter. {@link AgentToken#toString()} keeps it masked in test output. */
    public record Version(long version, AgentToken token, String kmsKeyId) {
    }

    private final Map<String, List<Version>> parameters = new HashMap<>();
    private String outage;
    private int reads;
    private int writes;

    @Override
    public synchronized StoredToken read(String parameterName) {
        Objects.requireNonNull(parameterName, "parameterName");
        reads++;
        failIfOut("GetParameter", parameterName);
        List<Version> versions = parameters.get(parameterName);
        if (versions == null) {
            throw new TokenStoreException("SSM GetParameter " + parameterName + ": ParameterNotFound", true, null);
        }
        Version newest = versions.get(versions.size() - 1);
        return new StoredToken(newest.token(), newest.version());
    }

    @Override
    public synchronized long write(String parameterName, AgentToken token, Optional<String> kmsKeyId) {
        Objects.requireNonNull(parameterName, "parameterName");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(kmsKeyId, "kmsKeyId");
        writes++;
        failIfOut("PutParameter", parameterName);
        List<Version> versions = parameters.computeIfAbsent(parameterName, n -> new ArrayList<>());
        long version = versions.size() + 1L;
        versions.add(new Version(version, token, kmsKeyId.filter(k -> !k.isBlank()).orElse(SSM_DEFAULT_KEY)));
        return version;
    }

    /** Makes every following read and write fail (not with notFound) until {@link #restore()}. */
    public synchronized void outage(String reason) {
        outage = Objects.requireNonNull(reason, "reason");
    }

    public synchronized void restore() {
        outage = null;
    }

    /** Every version of a parameter, oldest first; empty when it was never written. */
    public synchronized List<Version> versions(String parameterName) {
        return List.copyOf(parameters.getOrDefault(parameterName, List.of()));
    }

    /** Calls of {@link #read} so far, failed ones included. */
    public synchronized int reads() {
        return reads;
    }

    /** Calls of {@link #write} so far, failed ones included. */
    public synchronized int writes() {
        return writes;
    }

    private void failIfOut(String call, String parameterName) {
        if (outage != null) {
            throw new TokenStoreException("SSM " + call + " " + parameterName + " failed: " + outage, false, null);
        }
    }
}
