package io.agentstacks.hosts;

import java.util.Arrays;

/** The allocation state of a dedicated host, as EC2's DescribeHosts reports it. */
public enum HostState {
    AVAILABLE("available"),
    /** After an instance on a Mac host stops or terminates, while the host is scrubbed. */
    PENDING("pending"),
    UNDER_ASSESSMENT("under-assessment"),
    PERMANENT_FAILURE("permanent-failure"),
    RELEASED("released"),
    RELEASED_PERMANENT_FAILURE("released-permanent-failure"),
    /** A state this code does not know yet: treated as "not settled, look again later". */
    UNKNOWN("unknown");

    private final String wire;

    HostState(String wire) {
        this.wire = wire;
    }

    /** The value EC2 uses on the wire and the registry shows, e.g. {@code under-assessment}. */
    public String wire() {
        return wire;
    }

    /** True once the host no longer belongs to the account (it still shows up in DescribeHosts for a while). */
    public boolean isReleased() {
        return this == RELEASED || this == RELEASED_PERMANENT_FAILURE;
    }

    public static HostState fromWire(String value) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(value)).findFirst().orElse(UNKNOWN);
    }
}
