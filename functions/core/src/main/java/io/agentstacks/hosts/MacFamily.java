package io.agentstacks.hosts;

import io.agentstacks.spec.Arch;
import io.agentstacks.spec.InstanceCatalogue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A Mac dedicated host family, with what the control plane must know of it: the instance type that
 * AllocateHosts takes for it (Mac hosts are allocated by {@code InstanceType}, never {@code InstanceFamily}),
 * its architecture, and how long EC2 may keep a host {@code pending} while it scrubs it after an instance.
 *
 * @param family      the host family, as in {@code mac.families} and the group's {@code allowed-host-families}
 * @param appleSilicon true for the arm64 (Apple silicon) families
 */
public record MacFamily(String family, boolean appleSilicon) {

    /** Scrubbing takes up to about 50 minutes on x86 Mac hosts. */
    public static final Duration SCRUB_MAX_X86 = Duration.ofMinutes(50);
    /** Scrubbing takes up to about 4.5 hours on Apple silicon Mac hosts. */
    public static final Duration SCRUB_MAX_APPLE_SILICON = Duration.ofMinutes(270);

    /** The Mac families the spec accepts: those of the instance catalogue (one list for spec and hosts). */
    public static final List<MacFamily> KNOWN = InstanceCatalogue.macFamilies().stream()
            .map(f -> new MacFamily(f, InstanceCatalogue.archOf(f).orElseThrow() == Arch.ARM64))
            .toList();

    public static Optional<MacFamily> of(String family) {
        return KNOWN.stream().filter(f -> f.family.equals(family)).findFirst();
    }

    /** The family of an instance type such as {@code mac2-m2pro.metal}, if it is a Mac type. */
    public static Optional<MacFamily> ofInstanceType(String instanceType) {
        int dot = instanceType.indexOf('.');
        return dot < 0 ? Optional.empty() : of(instanceType.substring(0, dot));
    }

    /** Mac hosts take exactly one bare-metal instance: {@code mac2} → {@code mac2.metal}. */
    public String instanceType() {
        return family + ".metal";
    }

    public Duration scrubMax() {
        return appleSilicon ? SCRUB_MAX_APPLE_SILICON : SCRUB_MAX_X86;
    }

    /**
     * The longest scrub of a host of this instance type; an unknown type gets the Apple silicon figure,
     * the longer one, so that no wait is ever cut short.
     */
    public static Duration scrubMaxOf(String instanceType) {
        return ofInstanceType(instanceType).map(MacFamily::scrubMax).orElse(SCRUB_MAX_APPLE_SILICON);
    }
}
