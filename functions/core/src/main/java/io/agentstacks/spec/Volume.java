package io.agentstacks.spec;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code volume}: the root volume of every agent instance.
 *
 * @param deviceName root device name; when absent the OS's own ({@code /dev/sda1} or {@code /dev/xvda})
 */
public record Volume(
        Optional<String> deviceName,
        String type,
        int sizeGib,
        OptionalInt iops,
        OptionalInt throughputMibps) {

    public static final String DEFAULT_TYPE = "gp2";
    public static final int DEFAULT_SIZE_GIB = 64;

    public Volume {
        java.util.Objects.requireNonNull(deviceName, "deviceName");
        java.util.Objects.requireNonNull(type, "type");
        java.util.Objects.requireNonNull(iops, "iops");
        java.util.Objects.requireNonNull(throughputMibps, "throughputMibps");
    }

    public static Volume defaults() {
        return new Volume(Optional.empty(), DEFAULT_TYPE, DEFAULT_SIZE_GIB, OptionalInt.empty(), OptionalInt.empty());
    }
}
