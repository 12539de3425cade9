package io.agentstacks.local.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

/**
 * The jobs a simulation replays: from a CSV file ({@code submit_s,duration_s[,pipeline]}, seconds from
 * the trace's start) or built in, reproducible from a seed:
 *
 * <ul>
 *   <li>{@code steady}: 8 h of single jobs, about one a minute (Poisson), 5 min median each;</li>
 *   <li>{@code bursty}: 8 h of pipelines of 1 to 40 parallel jobs, about one pipeline every 15 min,
 *       4 min median per job;</li>
 *   <li>{@code workday}: 24 h from midnight, pipelines of 1 to 8 jobs: about 1 an hour at night, a
 *       ramp from 07:00 to 30 an hour at 10:00, flat until 17:00, down to 3 an hour by 20:00, 2 an hour
 *       until midnight; 5 min median per job.</li>
 * </ul>
 *
 * Job durations are log-normal around their median (sigma 0.6, 0.5 for bursty), clipped to 30 s – 2 h.
 */
public record Trace(String name, List<Job> jobs) {

    public static final List<String> BUILT_IN = List.of("steady", "bursty", "workday");

    public Trace {
        Objects.requireNonNull(name, "name");
        jobs = jobs.stream().sorted(Comparator.comparingDouble(Job::submitSeconds).thenComparingInt(Job::id)).toList();
    }

    /** Seconds until the last job could end if it started at once. */
    public double lastEndSeconds() {
        return jobs.stream().mapToDouble(j -> j.submitSeconds() + j.durationSeconds()).max().orElse(0);
    }

    public double lastSubmitSeconds() {
        return jobs.stream().mapToDouble(Job::submitSeconds).max().orElse(0);
    }

    public static Trace builtIn(String name, long seed) {
        Random random = new Random(seed);
        return switch (name) {
            case "steady" -> new Trace(name, steady(random));
            case "bursty" -> new Trace(name, bursty(random));
            case "workday" -> new Trace(name, workday(random));
            default -> throw new IllegalArgumentException("unknown trace '" + name + "': use a CSV file or one of "
                    + BUILT_IN);
        };
    }

    /** Reads {@code submit_s,duration_s[,pipeline]}; the message of a bad row names its line. */
    public static Trace readCsv(String name, Reader in) throws IOException {
        BufferedReader r = new BufferedReader(in);
        String header = r.readLine();
        if (header == null) {
            throw new IllegalArgumentException(name + ": empty file; expected the header submit_s,duration_s[,pipeline]");
        }
        String h = header.strip().replace(" ", "");
        if (h.startsWith("\uFEFF")) {
            h = h.substring(1);
        }
        boolean withPipeline = h.equals("submit_s,duration_s,pipeline");
        if (!withPipeline && !h.equals("submit_s,duration_s")) {
            throw new IllegalArgumentException(name + " line 1: expected the header submit_s,duration_s[,pipeline], got '"
                    + header.strip() + "'");
        }
        List<Job> jobs = new ArrayList<>();
        String line;
        int n = 1;
        while ((line = r.readLine()) != null) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != (withPipeline ? 3 : 2)) {
                throw new IllegalArgumentException(name + " line " + n + ": expected " + (withPipeline ? 3 : 2)
                        + " comma-separated fields, got " + f.length);
            }
            try {
                double submit = Double.parseDouble(f[0].strip());
                double duration = Double.parseDouble(f[1].strip());
                long pipeline = withPipeline && !f[2].isBlank() ? Long.parseLong(f[2].strip()) : -1;
                jobs.add(new Job(jobs.size(), submit, duration, pipeline));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " line " + n + ": not a number: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + " line " + n + ": " + e.getMessage());
            }
        }
        if (jobs.isEmpty()) {
            throw new IllegalArgumentException(name + ": no jobs after the header");
        }
        return new Trace(name, jobs);
    }

    private static List<Job> steady(Random random) {
        List<Job> jobs = new ArrayList<>();
        double t = 0;
        double end = 8 * 3600;
        while (true) {
            t += exponential(random, 60);
            if (t >= end) {
                return jobs;
            }
            jobs.add(new Job(jobs.size(), t, duration(random, 300, 0.6), -1));
        }
    }

    private static List<Job> bursty(Random random) {
        List<Job> jobs = new ArrayList<>();
        double t = 0;
        double end = 8 * 3600;
        long pipeline = 0;
        while (true) {
            t += exponential(random, 900);
            if (t >= end) {
                return jobs;
            }
            int size = 1 + random.nextInt(40);
            for (int k = 0; k < size; k++) {
                jobs.add(new Job(jobs.size(), t + random.nextDouble() * 2, duration(random, 240, 0.5), pipeline));
            }
            pipeline++;
        }
    }

    private static List<Job> workday(Random random) {
        DoubleUnaryOperator perHour = s -> {
            double h = s / 3600;
            if (h < 7) {
                return 1;
            } else if (h < 10) {
                return 1 + (h - 7) / 3 * 29;
            } else if (h < 17) {
                return 30;
            } else if (h < 20) {
                return 30 - (h - 17) / 3 * 27;
            }
            return 2;
        };
        double max = 30;
        List<Job> jobs = new ArrayList<>();
        double t = 0;
        double end = 24 * 3600;
        long pipeline = 0;
        while (true) {
            t += exponential(random, 3600 / max);
            if (t >= end) {
                return jobs;
            }
            if (random.nextDouble() * max > perHour.applyAsDouble(t)) {
                continue;
            }
            int size = 1 + random.nextInt(8);
            for (int k = 0; k < size; k++) {
                jobs.add(new Job(jobs.size(), t + random.nextDouble() * 2, duration(random, 300, 0.6), pipeline));
            }
            pipeline++;
        }
    }

    private static double exponential(Random random, double mean) {
        return -mean * Math.log(1 - random.nextDouble());
    }

    private static double duration(Random random, double median, double sigma) {
        double d = median * Math.exp(sigma * random.nextGaussian());
        return Math.max(30, Math.min(7200, d));
    }
}
