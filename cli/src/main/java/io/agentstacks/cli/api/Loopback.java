package io.agentstacks.cli.api;

import java.net.URI;
import java.util.Locale;
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
