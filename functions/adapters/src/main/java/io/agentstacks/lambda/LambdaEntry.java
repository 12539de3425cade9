package io.agentstacks.lambda;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.ApplicationContextBuilder;

import java.util.Objects;

/**
 * The base of every Lambda entry class (lambda-recipe.md). Lambda runs the subclass's no-argument constructor,
 * which starts the lean Micronaut context once per execution environment and takes the handler bean from it;
 * both stay in fields, so SnapStart snapshots them. The subclass only reads an invocation, hands it to
 * {@link #handler()} and writes the answer.
 *
 * <p>The handler's port beans come from the adapters' factories, configured by environment variables only
 * ({@code io.agentstacks.aws.LambdaEnvironment}); a missing one fails the constructor with its name.
 *
 * @param <H> the handler: a plain class with a constructor taking its ports (tests and {@code local} use it so)
 */
public abstract class LambdaEntry<H> implements RequestStreamHandler, AutoCloseable {

    private final ApplicationContext context;
    private final H handler;

    /** Lambda's way: the handler bean of a new lean context. */
    protected LambdaEntry(Class<H> handlerType) {
        this(leanContext().start(), handlerType);
    }

    protected LambdaEntry(ApplicationContext context, Class<H> handlerType) {
        this.context = Objects.requireNonNull(context, "context");
        try {
            this.handler = context.getBean(handlerType);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /**
     * The same entry over a handler wired by hand, without Micronaut: the cold-start comparison's plain variant
     * (each module's {@code Plain*} entry in its tests) and in-process tests.
     */
    protected LambdaEntry(H handler) {
        this.context = null;
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * The lean context: compile-time bean definitions only; no environment deduction (it probes the cloud
     * provider), no property sources (no application.yml, no environment variables turned into properties),
     * no banner.
     */
    public static ApplicationContextBuilder leanContext() {
        return ApplicationContext.builder()
                .deduceEnvironment(false)
                .deduceCloudEnvironment(false)
                .banner(false)
                .environmentPropertySource(false)
                .enableDefaultPropertySources(false);
    }

    protected final H handler() {
        return handler;
    }

    /** The context the handler was built in, for checks of the wiring. */
    public final ApplicationContext context() {
        return Objects.requireNonNull(context, "this entry was wired by hand, without a context");
    }

    @Override
    public void close() {
        if (context != null && context.isRunning()) {
            context.close();
        }
    }
}
