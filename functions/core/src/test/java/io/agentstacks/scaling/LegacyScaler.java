package io.agentstacks.scaling;

/**
 * The older tool's scaler, transcribed line by line from lambdas/agent-scaler/app.js
 * ({@code determineNewSize} and {@code scaleUpIfNeeded}), with JavaScript's number semantics: the
 * oracle the policy's {@code up-only} is compared with.
 */
final class LegacyScaler {

    private LegacyScaler() {
    }

    static int determineNewSize(int totalJobs, int min, int max, String strategy, int factor) {
        if (totalJobs < min) {
            return min;
        }
        double newSize = totalJobs;
        switch (strategy) {
            case "number" -> newSize += factor;
            case "percentage" -> newSize += Math.ceil((double) totalJobs * factor / 100);
            default -> { }
        }
        if (newSize > max) {
            return max;
        }
        return (int) newSize;
    }

    /** The capacity SetDesiredCapacity is called with, or -1 when it is not called. */
    static int scaleUpIfNeeded(int totalJobs, int min, int max, int desiredCapacity, String strategy, int factor) {
        int newSize = determineNewSize(totalJobs, min, max, strategy, factor);
        return newSize > desiredCapacity ? newSize : -1;
    }
}
