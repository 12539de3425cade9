package io.agentstacks.lambdatesting;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the Lambda runtime does, reduced: builds the entry class with its no-argument constructor, then hands it
 * each invocation's input and keeps its output. Runs in the child JVM of {@link LambdaProcess}, whose class path
 * is the shaded jar plus this one class (and a plain entry's classes): it uses nothing but the JDK and the
 * {@code RequestStreamHandler} interface the jar carries.
 *
 * <p>Args: {@code ENTRY_CLASS (INPUT_FILE OUTPUT_FILE)...}. An invocation that throws writes
 * {@code <ExceptionClass>: <message>} to {@code OUTPUT_FILE.error} (what Lambda reports as errorType and
 * errorMessage) and the next one runs; a constructor that throws ends the JVM with status 1.
 */
public final class LambdaInvoker {

    private LambdaInvoker() {
    }

    public static void main(String[] args) throws Exception {
        RequestStreamHandler entry = (RequestStreamHandler) Class.forName(args[0]).getConstructor().newInstance();
        for (int i = 1; i + 1 < args.length; i += 2) {
            try (InputStream in = Files.newInputStream(Path.of(args[i])); OutputStream out = Files.newOutputStream(Path.of(args[i + 1]))) {
                entry.handleRequest(in, out, null);
            } catch (Exception e) {
                Files.writeString(Path.of(args[i + 1] + ".error"), e.getClass().getName() + ": " + e.getMessage(), StandardCharsets.UTF_8);
            }
        }
        System.out.flush();
        // The SDK's and the JDK HTTP client's threads would keep the JVM up; Lambda freezes it instead.
        System.exit(0);
    }
}
