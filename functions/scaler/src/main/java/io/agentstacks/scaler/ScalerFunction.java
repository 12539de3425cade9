package io.agentstacks.scaler;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.lambda.LambdaEntry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The scaler Lambda's entry: handler {@code io.agentstacks.scaler.ScalerFunction::handleRequest}, the
 * target of the EventBridge rule on {@code DemandObserved}. Answers the {@link ScalerResult} JSON. A
 * malformed event is answered {@code rejected} rather than failed: a retry would not mend it.
 */
public final class ScalerFunction extends LambdaEntry<Scaler> {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ScalerFunction() {
        super(Scaler.class);
    }

    /** Over a handler wired by hand (the plain entry of the cold-start comparison). */
    ScalerFunction(Scaler scaler) {
        super(scaler);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context lambdaContext) throws IOException {
        JSON.writeValue(output, handler().handle(JSON.readTree(input)).toJson());
    }
}
