package io.agentstacks.lambdatesting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The size bar of a Lambda's shaded jar. */
public final class LambdaJars {

    /** Every Lambda jar stays under this many bytes (20 MB), so that uploads and cold starts stay small. */
    public static final long BUDGET_BYTES = 20_000_000L;

    private LambdaJars() {
    }

    /** The jar's size; fails when it is at or over {@link #BUDGET_BYTES}. */
    public static long assertUnderBudget(Path jar) {
        long size;
        try {
            size = Files.size(jar);
        } catch (IOException e) {
            throw new UncheckedIOException(jar + " cannot be read", e);
        }
        if (size >= BUDGET_BYTES) {
            throw new AssertionError(jar.getFileName() + " is " + size + " bytes, over the " + BUDGET_BYTES + "-byte budget: "
                    + "leave out SDK modules the Lambda never calls, or list only its operations in sdk-operations.txt "
                    + "(scripts/sdk-shade-filter.py)");
        }
        return size;
    }
}
