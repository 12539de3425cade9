package io.agentstacks.cli.api;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether an endpoint is this machine ({@code agent-stacks local}). Only there may a request go unsigned, when
 * no AWS credentials are found: a request to any other host is signed or not sent.
 */
public final class Loopback {

    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.\\d{1,3}){3}");

    /** The region signed for when a loopback endpoint gives none and the SDK's chain has none. */
    public static final String LOCAL_REGION = "us-east-1";

    private Loopback() {
    }

    /**
     * The one rule for an API endpoint, for every command: https anywhere; plain http only to this machine, since
     * requests carry SigV4 headers (with a session token) and set-token's body carries the registration token.
     *
     * @return why the URL is refused, or empty when it may be called
     */
    public static Optional<String> endpointProblem(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            return Optional.of("--endpoint must be an http(s) URL such as https://abc123.execute-api.eu-west-1.amazonaws.com/prod/, not " + uri);
        }
        if (scheme.equals("http") && !allowsPlainHttp(uri)) {
            return Optional.of("--endpoint must use https: plain http is allowed only to this machine (agent-stacks local),"
                    + " since signed requests and tokens must not cross the network in clear text; not " + uri);
        }
        return Optional.empty();
    }

    /** Whether plain http may be used: only to this machine. */
    public static boolean allowsPlainHttp(URI uri) {
        return is(uri);
    }

    public static boolean is(URI uri) {
        return uri != null && isHost(uri.getHost());
    }

    public static boolean isHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("[::1]") || h.equals("::1") || IPV4_LOOPBACK.matcher(h).matches();
    }
}
