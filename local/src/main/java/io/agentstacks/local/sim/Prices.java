package io.agentstacks.local.sim;

import io.agentstacks.spec.OperatingSystem;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * On-demand prices the simulator charges, US East (N. Virginia), USD, as AWS listed them in 2024–2025
 * (rounded to the cent's hundredth). Linux per instance-hour; Windows adds the license, about
 * $0.046 per vCPU-hour; macOS instances are priced per dedicated-host hour (the 24 h minimum allocation
 * is not charged here). Every instance, and every warm-pool instance while it is stopped, also pays its
 * root volume: gp3 at $0.08 per GB-month (730 h). A warm-pool instance is billed as running while it
 * warms (boots once before stopping), and for EBS only while stopped.
 */
public final class Prices {

    public static final double EBS_GP3_PER_GB_MONTH = 0.08;
    public static final double HOURS_PER_MONTH = 730;
    public static final double WINDOWS_PER_VCPU_HOUR = 0.046;

    /** type -> {Linux $/h, vCPUs}. */
    private static final Map<String, double[]> TABLE = new TreeMap<>();

    static {
        put("t2.micro", 0.0116, 1);
        put("t2.small", 0.023, 1);
        put("t2.medium", 0.0464, 2);
        put("t2.large", 0.0928, 2);
        put("t3.micro", 0.0104, 2);
        put("t3.small", 0.0208, 2);
        put("t3.medium", 0.0416, 2);
        put("t3.large", 0.0832, 2);
        put("t3.xlarge", 0.1664, 4);
        put("t3.2xlarge", 0.3328, 8);
        put("t3a.medium", 0.0376, 2);
        put("t3a.large", 0.0752, 2);
        put("t3a.xlarge", 0.1504, 4);
        put("t4g.small", 0.0168, 2);
        put("t4g.medium", 0.0336, 2);
        put("t4g.large", 0.0672, 2);
        put("t4g.xlarge", 0.1344, 4);
        put("m5.large", 0.096, 2);
        put("m5.xlarge", 0.192, 4);
        put("m5.2xlarge", 0.384, 8);
        put("m6i.large", 0.096, 2);
        put("m6i.xlarge", 0.192, 4);
        put("m6i.2xlarge", 0.384, 8);
        put("m7i.large", 0.1008, 2);
        put("m7i.xlarge", 0.2016, 4);
        put("m6g.large", 0.077, 2);
        put("m6g.xlarge", 0.154, 4);
        put("m7g.large", 0.0816, 2);
        put("m7g.xlarge", 0.1632, 4);
        put("c5.large", 0.085, 2);
        put("c5.xlarge", 0.17, 4);
        put("c5.2xlarge", 0.34, 8);
        put("c6i.large", 0.085, 2);
        put("c6i.xlarge", 0.17, 4);
        put("c6i.2xlarge", 0.34, 8);
        put("c7i.large", 0.08925, 2);
        put("c7i.xlarge", 0.1785, 4);
        put("c6g.large", 0.068, 2);
        put("c6g.xlarge", 0.136, 4);
        put("c7g.large", 0.0725, 2);
        put("c7g.xlarge", 0.145, 4);
        put("mac1.metal", 1.083, 12);
        put("mac2.metal", 0.65, 8);
        put("mac2-m2.metal", 0.878, 8);
        put("mac2-m2pro.metal", 1.56, 12);
    }

    private static void put(String type, double linuxPerHour, int vcpus) {
        TABLE.put(type, new double[] {linuxPerHour, vcpus});
    }

    private Prices() {
    }

    /** Per instance-hour for this type and OS, when the table knows the type. */
    public static Optional<Double> perHour(String instanceType, OperatingSystem os) {
        double[] row = TABLE.get(instanceType);
        if (row == null) {
            return Optional.empty();
        }
        double windows = os.family() == OperatingSystem.Family.WINDOWS ? WINDOWS_PER_VCPU_HOUR * row[1] : 0;
        return Optional.of(row[0] + windows);
    }

    public static java.util.Set<String> knownTypes() {
        return TABLE.keySet();
    }

    public static double ebsPerGbSecond() {
        return EBS_GP3_PER_GB_MONTH / HOURS_PER_MONTH / 3600;
    }
}
