package io.agentstacks.stackapi;

import io.agentstacks.events.EventSink;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.stacks.StackCommands;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.WorkflowStarter;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.aws.proxy.payload1.ApiGatewayProxyRequestEventFunction;

import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The stack-api Lambda: API Gateway (REST API, proxy integration, payload 1.0) events in, the
 * {@link StacksController} routes, API Gateway proxy responses out.
 *
 * <p>Lambda runs the no-argument constructor (ports from the adapters' beans). Tests and the local
 * control plane use the constructor that takes the ports, which needs no AWS at all.
 */
public class StackApiHandler extends ApiGatewayProxyRequestEventFunction implements AutoCloseable {

    private final ApplicationContext ownContext;

    /** Lambda's entry: handler {@code io.agentstacks.stackapi.StackApiHandler::handleRequest}. */
    public StackApiHandler() {
        super();
        this.ownContext = null;
    }

    /** In process, over the given ports; log lines go to standard output. */
    public StackApiHandler(StackRegistry registry, WorkflowStarter workflows, EventSink events, FleetControl fleet,
                           Clock clock) {
        this(registry, workflows, events, fleet, clock, System.out::println);
    }

    /** In process, over the given ports, with log lines handed to {@code logLines}. */
    public StackApiHandler(StackRegistry registry, WorkflowStarter workflows, EventSink events, FleetControl fleet,
                           Clock clock, Consumer<String> logLines) {
        this(inProcess(new StackApiServices(new StackCommands(registry, workflows, events, fleet, clock),
                new ApiLog(logLines, clock))));
    }

    private StackApiHandler(ApplicationContext context) {
        super(context);
        this.ownContext = context;
    }

    private static ApplicationContext inProcess(StackApiServices services) {
        ApplicationContext context = ApplicationContext.builder()
                .properties(Map.of(StackApiFactory.IN_PROCESS, true))
                .deduceEnvironment(false)
                .banner(false)
                .build();
        context.registerSingleton(StackApiServices.class, services);
        return context.start();
    }

    /** Closes the context the in-process constructor built (Lambda's own lives as long as the runtime). */
    @Override
    public void close() {
        super.close();
        if (ownContext != null && ownContext.isRunning()) {
            ownContext.close();
        }
    }
}
