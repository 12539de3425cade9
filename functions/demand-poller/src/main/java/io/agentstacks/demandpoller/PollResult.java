package io.agentstacks.demandpoller;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * What one invocation did, and when the state machine should invoke it next.
 *
 * @param nextOffsetSeconds the second of the minute of the next poll (60 or more: the minute is done)
 * @param nextPollAt        {@code scheduledTime + nextOffsetSeconds}, for the state machine's Wait
 * @param done              true when no poll is left in this minute (the next execution takes over)
 * @param polled            stacks polled
 * @param published         DemandObserved events put
 * @param failed            stacks whose demand could not be read (token rejected, unavailable, timeout)
 */
public record PollResult(Instant scheduledTime, int offsetSeconds, int nextOffsetSeconds, Instant nextPollAt,
                         boolean done, int polled, int published, int failed) {

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("scheduledTime", scheduledTime.toString());
        o.put("offsetSeconds", offsetSeconds);
        o.put("nextOffsetSeconds", nextOffsetSeconds);
        o.put("nextPollAt", nextPollAt.toString());
        o.put("done", done);
        o.put("polled", polled);
        o.put("published", published);
        o.put("failed", failed);
        return o;
    }
}
