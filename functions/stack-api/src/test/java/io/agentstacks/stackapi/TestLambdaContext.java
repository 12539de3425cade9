package io.agentstacks.stackapi;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

import java.nio.charset.StandardCharsets;

/** The Lambda context of one invocation of the stack-api function, as the runtime fills it. */
final class TestLambdaContext implements Context {

    @Override
    public String getAwsRequestId() {
        return "8f5e3c2a-1b4d-4e6f-9a7b-0c1d2e3f4a5b";
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/SemaphoreAgentStacks-StackApi";
    }

    @Override
    public String getLogStreamName() {
        return "2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef";
    }

    @Override
    public String getFunctionName() {
        return "SemaphoreAgentStacks-StackApi";
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:eu-west-1:123456789012:function:SemaphoreAgentStacks-StackApi";
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return 29_000;
    }

    @Override
    public int getMemoryLimitInMB() {
        return 512;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                System.out.println(message);
            }

            @Override
            public void log(byte[] message) {
                System.out.println(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
