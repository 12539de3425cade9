package io.agentstacks.lambdatesting;

import java.nio.file.Path;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One Lambda and one real invocation of it: what the stand-in must hold first, the input (as its trigger sends
 * it), and what the answer must be. The cold-start measurement runs it; each module's shaded-jar test runs it
 * and then more invocations of its own.
 *
 * @param module          the module under {@code functions/}, also the jar's name ({@code target/<module>.jar})
 * @param entryClass      the Lambda handler class (its no-argument constructor wires it with Micronaut)
 * @param plainEntryClass the same handler wired by hand, without Micronaut, in the module's test classes
 * @param arrange         seeds the stand-in and answers the invocation's input
 * @param check           checks the answer (and the stand-in's state); throws AssertionError
 */
public record LambdaScenario(String module, String entryClass, String plainEntryClass, Function<AwsStandIn, String> arrange,
                             BiConsumer<AwsStandIn, String> check) {

    /** The module's shaded jar, from the module's directory. */
    public Path jar(Path moduleDirectory) {
        return moduleDirectory.resolve("target").resolve(module + ".jar");
    }

    /** The entry (or the plain entry) in a new JVM on the module's shaded jar, with the stand-in's environment. */
    public LambdaProcess process(Path moduleDirectory, AwsStandIn aws, boolean plain) {
        LambdaProcess process = LambdaProcess.of(jar(moduleDirectory), plain ? plainEntryClass : entryClass)
                .environment(aws.lambdaEnvironment());
        aws.jvmFlags().forEach(process::jvmFlag);
        return plain ? process.withClasses(moduleDirectory.resolve("target").resolve("test-classes"), plainEntryClass) : process;
    }

    /** Arranges, invokes once and checks; answers the run (for more checks, or its wall time). */
    public LambdaProcess.Result run(Path moduleDirectory, AwsStandIn aws, boolean plain) {
        String input = arrange.apply(aws);
        LambdaProcess.Result result = process(moduleDirectory, aws, plain).invoke(input);
        check.accept(aws, result.answer(0));
        return result;
    }
}
