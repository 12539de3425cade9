package io.agentstacks.infra;

import software.amazon.awscdk.Aws;
import software.amazon.awscdk.services.iam.PolicyStatement;

import java.util.List;
import java.util.Map;

/**
 * Access to the agent registration token parameters, which specs name at run time, so that no policy
 * written at deploy time can list them. The rule: the control plane's functions may read (demand-poller,
 * token-rotator) and write (token-rotator) a parameter only when it carries the tag
 * {@value #TAG_KEY}={@value #TAG_VALUE}; the user tags each token parameter once when creating it
 * (README, "Deploy"). A tag works with every parameter name, including the older tool's unprefixed ones,
 * where a name prefix would force a rename. KMS use is allowed only through SSM in this region, which
 * first checks the parameter permission above. The agents themselves need no rule: each agent stack's
 * template names its own token parameter.
 */
public final class TokenParameters {

    public static final String TAG_KEY = "agent-stacks:token";
    public static final String TAG_VALUE = "true";

    /** Why the statements below name every parameter and key: the cdk-nag suppression's reason. */
    public static final String WILDCARD_REASON = "Token parameters are named by stack specs at run time, so no "
            + "deploy-time policy can list them: access is limited to parameters tagged " + TAG_KEY + "=" + TAG_VALUE
            + " (a condition on the parameter's tag), and KMS use to calls made through SSM in this region (kms:ViaService), "
            + "for the key the spec names (an id, ARN or alias that IAM cannot match to a key ARN).";

    private TokenParameters() {
    }

    static String parameters() {
        return "arn:" + Aws.PARTITION + ":ssm:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":parameter/*";
    }

    static String keys() {
        return "arn:" + Aws.PARTITION + ":kms:" + Aws.REGION + ":*:key/*";
    }

    private static Map<String, Object> tagged() {
        return Ordered.map("StringEquals", Ordered.map("aws:ResourceTag/" + TAG_KEY, TAG_VALUE));
    }

    private static Map<String, Object> viaSsm() {
        return Ordered.map("StringEquals", Ordered.map("kms:ViaService", "ssm." + Aws.REGION + "." + Aws.URL_SUFFIX));
    }

    /** GetParameter with decryption of tagged token parameters. */
    public static void allowRead(AgentFunction function) {
        function.allow(PolicyStatement.Builder.create()
                .sid("ReadTokenParameters")
                .actions(List.of("ssm:GetParameter"))
                .resources(List.of(parameters()))
                .conditions(tagged())
                .build());
        function.allow(PolicyStatement.Builder.create()
                .sid("DecryptTokens")
                .actions(List.of("kms:Decrypt"))
                .resources(List.of(keys()))
                .conditions(viaSsm())
                .build());
    }

    /** Also PutParameter (a new version) of tagged token parameters, encrypted with their key. */
    public static void allowWrite(AgentFunction function) {
        allowRead(function);
        function.allow(PolicyStatement.Builder.create()
                .sid("WriteTokenParameters")
                .actions(List.of("ssm:PutParameter"))
                .resources(List.of(parameters()))
                .conditions(tagged())
                .build());
        function.allow(PolicyStatement.Builder.create()
                .sid("EncryptTokens")
                .actions(List.of("kms:Encrypt", "kms:GenerateDataKey"))
                .resources(List.of(keys()))
                .conditions(viaSsm())
                .build());
    }
}
