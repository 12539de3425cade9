package io.agentstacks.lambdatesting;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cold starts of the Lambdas, each next to the same handler wired by hand (scripts/cold-start.sh runs this).
 *
 * <p>A run is a new JVM on the Lambda's shaded jar, with the flags of Lambda's Java runtime, that builds the
 * handler (SDK clients included, pointed at a loopback {@link AwsStandIn}) and handles the Lambda's one real
 * invocation ({@link LambdaScenarios}); its time is the wall time of the whole process. {@code micronaut} is the
 * Lambda entry (lean Micronaut context); {@code plain} is the module's {@code Plain*} entry, which builds the same
 * adapters by calling the same factory methods by hand. Variants alternate run by run, so that the machine's
 * drift hits both alike; each run gets a fresh stand-in, and its answer is checked.
 *
 * <p>Args: {@code FUNCTIONS_DIR N [MODULE...]}. Prints one row per Lambda: medians, the ratio, classes loaded and
 * the jar's size, and the load average before and after.
 */
public final class ColdStart {

    private ColdStart() {
    }

    public static void main(String[] args) throws IOException {
        Path functions = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        List<LambdaScenario> scenarios = args.length > 2
                ? List.of(args).subList(2, args.length).stream().map(LambdaScenarios::named).toList()
                : LambdaScenarios.all();
        String loadBefore = loadAverage();
        Map<String, List<Long>> times = new LinkedHashMap<>();
        Map<String, Long> classes = new LinkedHashMap<>();
        for (LambdaScenario s : scenarios) {
            Path module = functions.resolve(s.module());
            for (boolean plain : new boolean[] {true, false}) {
                classes.put(key(s, plain), classesLoaded(s, module, plain));
            }
            for (int i = 0; i < n; i++) {
                for (boolean plain : new boolean[] {i % 2 == 0, i % 2 != 0}) {
                    try (AwsStandIn aws = AwsStandIn.start()) {
                        long ms = s.run(module, aws, plain).wallTime().toMillis();
                        times.computeIfAbsent(key(s, plain), k -> new ArrayList<>()).add(ms);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%-20s %9s %12s %6s %15s %8s%n", "lambda", "plain_ms", "micronaut_ms", "ratio",
                "classes_p/m", "jar_MB");
        for (LambdaScenario s : scenarios) {
            long plain = median(times.get(key(s, true)));
            long micronaut = median(times.get(key(s, false)));
            System.out.printf(Locale.ROOT, "%-20s %9d %12d %6.2f %15s %8.1f%n", s.module(), plain, micronaut,
                    (double) micronaut / plain, classes.get(key(s, true)) + "/" + classes.get(key(s, false)),
                    Files.size(s.jar(functions.resolve(s.module()))) / 1_000_000.0);
        }
        System.out.printf("N=%d runs per variant; load average before: %s; after: %s%n", n, loadBefore, loadAverage());
    }

    private static long classesLoaded(LambdaScenario s, Path module, boolean plain) {
        try (AwsStandIn aws = AwsStandIn.start()) {
            String input = s.arrange().apply(aws);
            LambdaProcess.Result r = s.process(module, aws, plain).jvmFlag("-Xlog:class+load=info").invoke(input);
            s.check().accept(aws, r.answer(0));
            return r.stdout().lines().filter(l -> l.contains(" source: ")).count();
        }
    }

    private static String key(LambdaScenario s, boolean plain) {
        return s.module() + (plain ? "/plain" : "/micronaut");
    }

    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
