package io.agentstacks.deployer;

import static io.agentstacks.deployer.Fixture.input;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.stacks.StackDeployments;
import io.agentstacks.stacks.StackDeployments.DeploymentStatus;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

/**
 * The race between provision-stack's deploy step and a DELETE: the step checks the registry, then calls
 * CreateStack; a DELETE landing in between may see no CloudFormation stack yet. Driven here by running the
 * other side while CreateStack is on its way.
 */
class DeleteDuringCreateTest {

    /** What runs after the deploy step's registry check, just before its CreateStack reaches CloudFormation. */
    Runnable meanwhile = () -> { };

    final Fixture f = Fixture.aroundCloudFormation(cfn -> new ForwardingDeployments(cfn) {
        @Override
        public void create(DeploymentRequest request) {
            Runnable r = meanwhile;
            meanwhile = () -> { };
            r.run();
            super.create(request);
        }
    });

    static final String DEADLINE = "\"deadline\":\"2030-01-01T03:30:00Z\"";

    /** destroy-stack from the DELETE to the end, as its state machine runs it when there is no group yet. */
    void destroyRunsToTheEnd() {
        f.requestDelete("ci");
        assertThat(f.call(input("scaleToZero", "ci", 1, "\"startedAt\":\"2030-01-01T00:00:00Z\"")).get("outcome").asText())
                .isEqualTo("NO_GROUP");
        assertThat(f.call(input("readInstances", "ci", 1, "\"groupName\":\"\",\"attempt\":0," + DEADLINE)).get("status").asText())
                .isEqualTo("DRAINED");
        assertThat(f.call(input("delete", "ci", 1, "\"attempt\":0," + DEADLINE)).get("outcome").asText()).isEqualTo("STARTED");
        assertThat(f.call(input("readStatus", "ci", 1, "\"workflow\":\"destroy\",\"attempt\":0," + DEADLINE)).get("status").asText())
                .isEqualTo("ABSENT");
        assertThat(f.call(input("markDeleted", "ci", 1, null)).get("outcome").asText()).isEqualTo("APPLIED");
    }

    @Test
    void aDeletionThatFinishesBeforeCreateStackLandsLeavesNoAgentStackBehind() {
        f.accept(Fixture.spec("ci"));
        meanwhile = this::destroyRunsToTheEnd;

        ObjectNode deploy = f.call(ProvisionStepsTest.deployInput("ci", 1, 0, ""));

        assertThat(deploy.get("outcome").asText()).isEqualTo("SUPERSEDED");
        assertThat(deploy.get("reason").asText()).contains("DELETED").contains("agent-stack-ci").contains("deleted again");
        assertThat(f.record("ci").status()).isEqualTo(StackStatus.DELETED);
        assertThat(f.cfn.calls()).extracting(c -> c.operation() + " " + c.clientRequestToken())
                .containsExactly("DeleteStack ci-v1-delete", "CreateStack ci-v1-create", "DeleteStack ci-v1-abandon");
        f.clock.advance(Duration.ofMinutes(5));
        assertThat(f.cfn.stackNames()).as("no orphaned agent stack").isEmpty();
    }

    @Test
    void aDeletionStillRunningWhenCreateStackLandsFindsTheStackGoingAndEndsDeleted() {
        f.accept(Fixture.spec("ci"));
        meanwhile = () -> f.requestDelete("ci");

        ObjectNode deploy = f.call(ProvisionStepsTest.deployInput("ci", 1, 0, ""));

        assertThat(deploy.get("outcome").asText()).isEqualTo("SUPERSEDED");
        assertThat(f.cfn.describe("agent-stack-ci")).isEqualTo(new DeploymentStatus.InProgress("DELETE_IN_PROGRESS"));
        // destroy-stack goes on: no group, a delete that finds the deletion under way, then the stack is gone.
        assertThat(f.call(input("scaleToZero", "ci", 1, "\"startedAt\":\"2030-01-01T00:00:00Z\"")).get("outcome").asText())
                .isEqualTo("NO_GROUP");
        assertThat(f.call(input("delete", "ci", 1, "\"attempt\":0," + DEADLINE)).get("outcome").asText()).isEqualTo("STARTED");
        assertThat(f.call(input("readStatus", "ci", 1, "\"workflow\":\"destroy\",\"attempt\":0," + DEADLINE)).get("status").asText())
                .isEqualTo("IN_PROGRESS");
        f.clock.advance(Duration.ofMinutes(5));
        assertThat(f.call(input("readStatus", "ci", 1, "\"workflow\":\"destroy\",\"attempt\":1," + DEADLINE)).get("status").asText())
                .isEqualTo("ABSENT");
        assertThat(f.call(input("markDeleted", "ci", 1, null)).get("outcome").asText()).isEqualTo("APPLIED");
        assertThat(f.cfn.stackNames()).isEmpty();
    }

    @Test
    void withoutARaceTheCreationGoesOnAsBefore() {
        f.accept(Fixture.spec("ci"));

        assertThat(f.call(ProvisionStepsTest.deployInput("ci", 1, 0, "")).get("outcome").asText()).isEqualTo("STARTED");
        assertThat(f.cfn.calls()).extracting(c -> c.operation() + " " + c.clientRequestToken()).containsExactly("CreateStack ci-v1-create");
    }

    /** Hands every call on; tests override what they interleave with. */
    static class ForwardingDeployments implements StackDeployments {
        private final StackDeployments delegate;

        ForwardingDeployments(StackDeployments delegate) {
            this.delegate = delegate;
        }

        @Override
        public void create(DeploymentRequest request) {
            delegate.create(request);
        }

        @Override
        public UpdateResult update(DeploymentRequest request) {
            return delegate.update(request);
        }

        @Override
        public void delete(String cloudFormationStackName, String clientRequestToken) {
            delegate.delete(cloudFormationStackName, clientRequestToken);
        }

        @Override
        public DeploymentStatus describe(String cloudFormationStackName) {
            return delegate.describe(cloudFormationStackName);
        }

        @Override
        public Optional<StackOutputs> outputs(String cloudFormationStackName) {
            return delegate.outputs(cloudFormationStackName);
        }
    }
}
