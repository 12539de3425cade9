package io.agentstacks.hosts;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Port: host resource groups (AWS Resource Groups with the {@code AWS::EC2::HostManagement} configuration),
 * one per macOS stack; its launch template places instances into the group's hosts. A group is protected
 * with {@code deletion-protection = UNLESS_EMPTY}: it cannot be deleted while it holds hosts.
 * Calls that fail as a whole throw {@link HostGroupException}.
 */
public interface HostGroups {

    /** The group with its configuration, or empty when there is none of that name. */
    java.util.Optional<HostGroup> describe(String name);

    /** CreateGroup. Throws {@link HostGroupException} when a group of that name exists already. */
    HostGroup create(String name, HostGroupConfiguration configuration, Map<String, String> tags);

    /** The group's tags (GetTags on its ARN): {@code semaphore-agent-stack=<stack>} marks a stack's own group. */
    Map<String, String> tags(HostGroup group);

    /** Replaces the group's configuration (PutGroupConfiguration), e.g. after the spec's families changed. */
    void configure(String name, HostGroupConfiguration configuration);

    /** The ids of the dedicated hosts in the group (empty when the group does not exist). */
    List<String> hostIds(String name);

    /** Adds hosts to the group. */
    Membership group(String name, List<String> hostIds);

    /** Takes hosts out of the group. */
    Membership ungroup(String name, List<String> hostIds);

    /** Deletes the group, unless it still holds hosts. */
    DeleteResult delete(String name);

    record HostGroup(String name, String arn, HostGroupConfiguration configuration) {
        public HostGroup {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(arn, "arn");
            Objects.requireNonNull(configuration, "configuration");
        }
    }

    /** What a group/ungroup call did, host by host. */
    record Membership(List<String> succeeded, List<Failure> failed, List<String> pending) {
        public Membership {
            succeeded = List.copyOf(succeeded);
            failed = List.copyOf(failed);
            pending = List.copyOf(pending);
        }

        public record Failure(String hostId, String code, String message) {
        }
    }

    sealed interface DeleteResult {
        record Deleted() implements DeleteResult {
        }

        record NotFound() implements DeleteResult {
        }

        /** The group still holds these hosts ({@code UNLESS_EMPTY}). */
        record NotEmpty(List<String> hostIds) implements DeleteResult {
            public NotEmpty {
                hostIds = List.copyOf(hostIds);
            }
        }
    }

    final class HostGroupException extends RuntimeException {
        public HostGroupException(String message, Throwable cause) {
            super(message, cause);
        }

        public HostGroupException(String message) {
            super(message);
        }
    }
}
