package io.agentstacks.aws;

import io.agentstacks.hosts.HostGroups;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.resourcegroups.ResourceGroupsClient;

/**
 * Beans on Resource Groups: {@link HostGroups}, the host resource group of a macOS stack.
 * The client is built by {@link SdkClients}; the factory is only active when the service's SDK module is in the
 * jar, so a Lambda that leaves the module out never sees these beans. Plain entries (the cold-start
 * comparison) call the same methods by hand.
 */
@Factory
@Requires(classes = ResourceGroupsClient.class)
public final class ResourceGroupsFactory {

    @Singleton
    public ResourceGroupsClient client() {
        return SdkClients.build(ResourceGroupsClient.builder());
    }

    @Singleton
    public HostGroups hostGroups(ResourceGroupsClient resourceGroups) {
        return new ResourceGroupsHostGroups(resourceGroups);
    }
}
