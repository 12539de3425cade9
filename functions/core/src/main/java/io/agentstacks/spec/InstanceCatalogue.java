package io.agentstacks.spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The EC2 instance families the spec accepts and the architecture of each, read from
 * {@code instance-families.txt} next to this class. A type is {@code <family>.<size>}.
 */
public final class InstanceCatalogue {

    private static final String RESOURCE = "instance-families.txt";
    private static final String MAC_PREFIX = "mac";
    private static final Map<String, Arch> FAMILIES = load();

    private InstanceCatalogue() {
    }

    /** The family part of an instance type: {@code mac2-m2pro} for {@code mac2-m2pro.metal}. */
    public static String familyOf(String instanceType) {
        int dot = instanceType.indexOf('.');
        return dot < 0 ? instanceType : instanceType.substring(0, dot);
    }

    /** The architecture of a known family's instances; empty for a family the catalogue does not know. */
    public static Optional<Arch> archOf(String family) {
        return Optional.ofNullable(FAMILIES.get(family));
    }

    public static boolean isKnown(String family) {
        return FAMILIES.containsKey(family);
    }

    /** Mac families run macOS only, on dedicated hosts, in the one size {@code metal}. */
    public static boolean isMac(String family) {
        return family.startsWith(MAC_PREFIX) && FAMILIES.containsKey(family);
    }

    /** Every known family, in catalogue order. */
    public static List<String> families() {
        return List.copyOf(FAMILIES.keySet());
    }

    /** Known families of {@code arch}, Mac families included. */
    public static List<String> families(Arch arch) {
        return FAMILIES.entrySet().stream().filter(e -> e.getValue() == arch).map(Map.Entry::getKey).toList();
    }

    /** The Mac families, in catalogue order. */
    public static List<String> macFamilies() {
        return FAMILIES.keySet().stream().filter(InstanceCatalogue::isMac).toList();
    }

    private static Map<String, Arch> load() {
        Map<String, Arch> families = new LinkedHashMap<>();
        try (InputStream in = InstanceCatalogue.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String> problems = new ArrayList<>();
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                String[] parts = text.split("\\s+");
                Optional<Arch> arch = parts.length == 2 ? Arch.fromValue(parts[1]) : Optional.empty();
                if (arch.isEmpty() || families.put(parts[0], arch.get()) != null) {
                    problems.add("line " + number + ": " + text);
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException(RESOURCE + " has bad or repeated lines: " + problems);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableMap(families);
    }
}
