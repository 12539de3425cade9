package io.agentstacks.infra;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of {@link ImagePipelinesStack}.
 *
 * @param recipesDir                    the image-recipes directory (recipes.json, components, scripts)
 * @param macosEnabled                  whether the macOS pipeline runs: it needs a Mac dedicated host, so it is off
 *                                      unless the deployer turns it on (context {@value #MACOS_CONTEXT}=true)
 * @param macosLicenseConfigurationArn  the License Manager configuration the macOS build host resource group allows
 *                                      (context {@value #MACOS_LICENSE_CONTEXT}); required when macOS is on
 */
public record ImagePipelinesProps(Path recipesDir, boolean macosEnabled, Optional<String> macosLicenseConfigurationArn) {

    public static final String MACOS_CONTEXT = "macosImagePipeline";
    public static final String MACOS_LICENSE_CONTEXT = "macosLicenseConfigurationArn";

    public ImagePipelinesProps {
        Objects.requireNonNull(recipesDir, "recipesDir");
        Objects.requireNonNull(macosLicenseConfigurationArn, "macosLicenseConfigurationArn");
        if (macosEnabled && macosLicenseConfigurationArn.isEmpty()) {
            throw new IllegalArgumentException("the macOS image pipeline needs a build host resource group, which needs a"
                    + " license configuration: pass -c " + MACOS_LICENSE_CONTEXT + "=arn:aws:license-manager:...");
        }
        macosLicenseConfigurationArn.ifPresent(arn -> {
            if (!arn.matches("arn:aws[a-z-]*:license-manager:[a-z0-9-]+:\\d{12}:license-configuration:lic-[0-9a-f]+")) {
                throw new IllegalArgumentException(MACOS_LICENSE_CONTEXT + ": not a License Manager license configuration ARN: " + arn);
            }
        });
    }
}
