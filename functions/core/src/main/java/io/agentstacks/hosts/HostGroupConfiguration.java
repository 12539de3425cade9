package io.agentstacks.hosts;

import io.agentstacks.spec.Mac;

import java.util.List;

/**
 * The settings of a stack's host resource group: the {@code AWS::EC2::HostManagement} part. The group is
 * always also {@code AWS::ResourceGroups::Generic} with {@code allowed-resource-types = AWS::EC2::Host} and
 * {@code deletion-protection = UNLESS_EMPTY}, as the older tool made it (and as AWS requires of host groups).
 *
 * @param families                 {@code allowed-host-families}
 * @param licenseConfigurationArns {@code allowed-host-based-license-configurations}; when empty, the group says
 *                                 {@code any-host-based-license-configuration = true} instead (AWS wants one of the two)
 */
public record HostGroupConfiguration(List<String> families, List<String> licenseConfigurationArns,
                                     boolean autoAllocateHost, boolean autoReleaseHost) {

    public static final String HOST_MANAGEMENT = "AWS::EC2::HostManagement";
    public static final String GENERIC = "AWS::ResourceGroups::Generic";
    public static final String ALLOWED_HOST_FAMILIES = "allowed-host-families";
    public static final String ALLOWED_LICENSES = "allowed-host-based-license-configurations";
    public static final String ANY_LICENSE = "any-host-based-license-configuration";
    public static final String AUTO_ALLOCATE_HOST = "auto-allocate-host";
    public static final String AUTO_RELEASE_HOST = "auto-release-host";
    public static final String ALLOWED_RESOURCE_TYPES = "allowed-resource-types";
    public static final String DELETION_PROTECTION = "deletion-protection";
    public static final String HOST_RESOURCE_TYPE = "AWS::EC2::Host";
    public static final String UNLESS_EMPTY = "UNLESS_EMPTY";

    public HostGroupConfiguration {
        families = List.copyOf(families);
        licenseConfigurationArns = List.copyOf(licenseConfigurationArns);
    }

    /**
     * The group's settings for a spec. With {@code mac.reservedHosts} above 0 the group's own {@code auto-release-host}
     * is off even when {@code mac.autoReleaseHost} is on: License Manager would release any empty host of the group,
     * the reserved ones included. The control plane's surplus release ({@link ReleasePass#surplus}) then releases
     * only the hosts above {@code reservedHosts}.
     */
    public static HostGroupConfiguration of(Mac mac) {
        return new HostGroupConfiguration(mac.families(), mac.licenseConfigurationArn().stream().toList(),
                mac.autoAllocateHost(), mac.autoReleaseHost() && mac.reservedHosts() == 0);
    }

    /** One item of a group configuration, as Resource Groups takes it: a type and named lists of values. */
    public record Item(String type, List<Parameter> parameters) {
        public Item {
            parameters = List.copyOf(parameters);
        }
    }

    public record Parameter(String name, List<String> values) {
        public Parameter {
            values = List.copyOf(values);
        }
    }

    /** The whole configuration, both items, in the order the older tool wrote them. */
    public List<Item> items() {
        List<Parameter> hostManagement = new java.util.ArrayList<>();
        if (licenseConfigurationArns.isEmpty()) {
            hostManagement.add(new Parameter(ANY_LICENSE, List.of("true")));
        } else {
            hostManagement.add(new Parameter(ALLOWED_LICENSES, licenseConfigurationArns));
        }
        hostManagement.add(new Parameter(ALLOWED_HOST_FAMILIES, families));
        hostManagement.add(new Parameter(AUTO_ALLOCATE_HOST, List.of(Boolean.toString(autoAllocateHost))));
        hostManagement.add(new Parameter(AUTO_RELEASE_HOST, List.of(Boolean.toString(autoReleaseHost))));
        return List.of(
                new Item(HOST_MANAGEMENT, hostManagement),
                new Item(GENERIC, List.of(
                        new Parameter(ALLOWED_RESOURCE_TYPES, List.of(HOST_RESOURCE_TYPE)),
                        new Parameter(DELETION_PROTECTION, List.of(UNLESS_EMPTY)))));
    }

    /** Reads the {@code AWS::EC2::HostManagement} item back from a group's configuration. */
    public static HostGroupConfiguration fromItems(List<Item> items) {
        List<String> families = List.of();
        List<String> licenses = List.of();
        boolean autoAllocate = false;
        boolean autoRelease = false;
        for (Item item : items) {
            if (!HOST_MANAGEMENT.equals(item.type())) {
                continue;
            }
            for (Parameter p : item.parameters()) {
                switch (p.name()) {
                    case ALLOWED_HOST_FAMILIES -> families = p.values();
                    case ALLOWED_LICENSES -> licenses = p.values();
                    case AUTO_ALLOCATE_HOST -> autoAllocate = p.values().contains("true");
                    case AUTO_RELEASE_HOST -> autoRelease = p.values().contains("true");
                    default -> { }
                }
            }
        }
        return new HostGroupConfiguration(families, licenses, autoAllocate, autoRelease);
    }
}
