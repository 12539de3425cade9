package io.agentstacks.demand;

import io.agentstacks.token.AgentToken;

/**
 * Port: Semaphore's {@code GET /api/v1/self_hosted_agents/metrics} for the agent type a token belongs to.
 * Never throws for what Semaphore answers; every failure is an {@link Observation}.
 */
public interface DemandSource {

    /**
     * @param endpointUrl the organization's base URL, e.g. {@code https://acme.semaphoreci.com}
     */
    Observation observe(String endpointUrl, AgentToken token);
}
