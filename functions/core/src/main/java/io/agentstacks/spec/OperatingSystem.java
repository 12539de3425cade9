package io.agentstacks.spec;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The agent's operating system, as written in a spec ({@code os}). */
public enum OperatingSystem {
    UBUNTU_FOCAL("ubuntu-focal", Family.LINUX, List.of(Arch.X86_64, Arch.ARM64)),
    UBUNTU_JAMMY("ubuntu-jammy", Family.LINUX, List.of(Arch.X86_64, Arch.ARM64)),
    UBUNTU_NOBLE("ubuntu-noble", Family.LINUX, List.of(Arch.X86_64, Arch.ARM64)),
    WINDOWS("windows", Family.WINDOWS, List.of(Arch.X86_64)),
    MACOS("macos", Family.MACOS, List.of(Arch.X86_64, Arch.ARM64));

    /** What kind of machine the agents run on; boot times, scripts and AMIs differ per family. */
    public enum Family { LINUX, WINDOWS, MACOS }

    private final String value;
    private final Family family;
    private final List<Arch> arches;

    OperatingSystem(String value, Family family, List<Arch> arches) {
        this.value = value;
        this.family = family;
        this.arches = arches;
    }

    public String value() {
        return value;
    }

    public Family family() {
        return family;
    }

    public boolean supports(Arch arch) {
        return arches.contains(arch);
    }

    public List<Arch> arches() {
        return arches;
    }

    public static Optional<OperatingSystem> fromValue(String value) {
        return Arrays.stream(values()).filter(os -> os.value.equals(value)).findFirst();
    }

    public static List<String> allValues() {
        return Arrays.stream(values()).map(OperatingSystem::value).toList();
    }

    @Override
    public String toString() {
        return value;
    }
}
