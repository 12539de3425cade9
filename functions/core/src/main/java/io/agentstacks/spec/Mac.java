package io.agentstacks.spec;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@code mac}: dedicated hosts for macOS stacks. */
public record Mac(
        List<String> families,
        List<String> dedicatedHosts,
        Optional<String> licenseConfigurationArn,
        boolean autoAllocateHost,
        boolean autoReleaseHost,
        int reservedHosts) {

    public Mac {
        families = List.copyOf(families);
        dedicatedHosts = List.copyOf(dedicatedHosts);
        Objects.requireNonNull(licenseConfigurationArn, "licenseConfigurationArn");
    }

    public static Mac defaults() {
        return new Mac(List.of("mac2"), List.of(), Optional.empty(), true, true, 0);
    }
}
