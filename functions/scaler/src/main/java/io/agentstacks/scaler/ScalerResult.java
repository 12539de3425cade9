package io.agentstacks.scaler;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the scaler did with one delivered event.
 *
 * @param outcome {@code scaled} (SetDesiredCapacity called), {@code held}, {@code duplicate} (this
 *                observation or a newer one was already decided), {@code ignored} (no live stack),
 *                {@code rejected} (malformed event), {@code failed} (Auto Scaling refused or failed)
 */
public record ScalerResult(String outcome, String stack, int previousDesired, int desired, String reason) {

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("outcome", outcome);
        o.put("stack", stack);
        o.put("previousDesired", previousDesired);
        o.put("desired", desired);
        o.put("reason", reason);
        return o;
    }
}
