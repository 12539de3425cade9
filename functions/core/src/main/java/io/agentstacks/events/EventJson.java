package io.agentstacks.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.spec.SpecJson;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link DomainEvent} as the {@code detail} of an EventBridge event, and back.
 *
 * <p>The detail is a JSON object with one field per record component, named as the component: strings,
 * numbers and booleans as such, {@link Instant}s as ISO-8601 UTC strings, lists as arrays, and an empty
 * {@link Optional} left out. The detail-type is {@link DomainEvent#detailType()}, and each detail-type has a
 * JSON Schema at {@code events/<DetailType>.schema.json} in this module's resources. Reading ignores fields
 * it does not know, so that consumers keep working when a producer adds one.
 */
public final class EventJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Every event type by its detail-type, in declaration order. */
    private static final Map<String, Class<? extends DomainEvent>> TYPES = types();

    private EventJson() {
    }

    /** The detail-types of every event the control plane puts on its bus. */
    public static List<String> detailTypes() {
        return List.copyOf(TYPES.keySet());
    }

    /** Classpath resource of the JSON Schema of {@code detailType}'s detail. */
    public static String schemaResource(String detailType) {
        return "events/" + detailType + ".schema.json";
    }

    public static ObjectNode detail(DomainEvent event) {
        ObjectNode o = F.objectNode();
        for (RecordComponent c : event.getClass().getRecordComponents()) {
            Object value = get(c, event);
            if (value instanceof Optional<?> opt) {
                opt.ifPresent(v -> o.set(c.getName(), scalar(v)));
            } else if (value instanceof List<?> list) {
                ArrayNode a = o.putArray(c.getName());
                list.forEach(v -> a.add(scalar(v)));
            } else {
                o.set(c.getName(), scalar(value));
            }
        }
        return o;
    }

    public static String detailString(DomainEvent event) {
        return detail(event).toString();
    }

    /**
     * {@code event} as EventBridge delivers it to a rule's target: the envelope ({@code version}, {@code id},
     * {@code detail-type}, {@code source}, {@code account}, {@code time} with second precision, {@code region},
     * {@code resources}) around its {@link #detail}. For tests and the local simulation; the id is derived from
     * the event, so the same event gets the same id.
     */
    public static ObjectNode envelope(DomainEvent event, String account, String region) {
        ObjectNode o = F.objectNode();
        o.put("version", "0");
        o.put("id", UUID.nameUUIDFromBytes((event.detailType() + event.stack() + event.at()).getBytes(StandardCharsets.UTF_8))
                .toString());
        o.put("detail-type", event.detailType());
        o.put("source", DomainEvent.SOURCE);
        o.put("account", account);
        o.put("time", event.at().truncatedTo(ChronoUnit.SECONDS).toString());
        o.put("region", region);
        o.putArray("resources");
        o.set("detail", detail(event));
        return o;
    }

    /**
     * Reads an event of {@code type} as EventBridge delivers it (the envelope around the detail).
     *
     * @throws IllegalArgumentException when it is not one: the message names the field that is wrong
     */
    public static <T extends DomainEvent> T fromEnvelope(JsonNode event, Class<T> type) {
        if (event == null || !event.isObject()) {
            throw new IllegalArgumentException("the input must be an EventBridge event (a JSON object)");
        }
        String source = event.path("source").asText("");
        if (!DomainEvent.SOURCE.equals(source)) {
            throw new IllegalArgumentException("source must be " + DomainEvent.SOURCE + ", got '" + source + "'");
        }
        String detailType = event.path("detail-type").asText("");
        if (!type.getSimpleName().equals(detailType)) {
            throw new IllegalArgumentException("detail-type must be " + type.getSimpleName() + ", got '" + detailType + "'");
        }
        return type.cast(read(detailType, event.get("detail")));
    }

    /**
     * Reads a detail of the given detail-type.
     *
     * @throws IllegalArgumentException for an unknown detail-type, or a detail that lacks a field or has one of
     *                                  the wrong type (the message names the field)
     */
    public static DomainEvent read(String detailType, JsonNode detail) {
        Class<? extends DomainEvent> type = TYPES.get(detailType);
        if (type == null) {
            throw new IllegalArgumentException("unknown detail-type " + detailType + "; known: " + TYPES.keySet());
        }
        if (detail == null || !detail.isObject()) {
            throw new IllegalArgumentException(detailType + ": the detail must be a JSON object");
        }
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            args[i] = value(detailType, components[i], detail.get(components[i].getName()));
        }
        try {
            Constructor<? extends DomainEvent> ctor = type.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(detailType + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    public static DomainEvent read(String detailType, String detailJson) {
        try {
            return read(detailType, SpecJson.MAPPER.readTree(detailJson));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(detailType + ": the detail is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Object value(String detailType, RecordComponent c, JsonNode node) {
        String field = detailType + "." + c.getName();
        boolean absent = node == null || node.isNull();
        if (c.getType() == Optional.class) {
            return absent ? Optional.empty() : Optional.of(scalarValue(field, elementType(c), node));
        }
        if (absent) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (c.getType() == List.class) {
            if (!node.isArray()) {
                throw new IllegalArgumentException(field + " must be an array");
            }
            List<Object> out = new ArrayList<>();
            for (JsonNode e : node) {
                out.add(scalarValue(field + "[]", elementType(c), e));
            }
            return out;
        }
        return scalarValue(field, c.getType(), node);
    }

    private static Object scalarValue(String field, Class<?> type, JsonNode node) {
        if (type == String.class && node.isTextual()) {
            return node.textValue();
        }
        if ((type == long.class || type == Long.class) && node.canConvertToLong() && node.isIntegralNumber()) {
            return node.longValue();
        }
        if ((type == int.class || type == Integer.class) && node.canConvertToInt() && node.isIntegralNumber()) {
            return node.intValue();
        }
        if ((type == boolean.class || type == Boolean.class) && node.isBoolean()) {
            return node.booleanValue();
        }
        if (type == Instant.class && node.isTextual()) {
            try {
                return Instant.parse(node.textValue());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(field + " must be an ISO-8601 instant: " + node.textValue(), e);
            }
        }
        throw new IllegalArgumentException(field + " must be a " + type.getSimpleName() + ", not " + node.getNodeType());
    }

    private static JsonNode scalar(Object v) {
        if (v instanceof String s) {
            return F.textNode(s);
        }
        if (v instanceof Long l) {
            return F.numberNode(l);
        }
        if (v instanceof Integer i) {
            return F.numberNode(i);
        }
        if (v instanceof Boolean b) {
            return F.booleanNode(b);
        }
        if (v instanceof Instant t) {
            return F.textNode(t.toString());
        }
        throw new IllegalStateException("no JSON form for " + v.getClass().getName() + " in an event");
    }

    private static Class<?> elementType(RecordComponent c) {
        Type t = c.getGenericType();
        if (t instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> k) {
            return k;
        }
        throw new IllegalStateException(c + " needs a concrete element type");
    }

    private static Object get(RecordComponent c, DomainEvent e) {
        try {
            return c.getAccessor().invoke(e);
        } catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("cannot read " + c, ex);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Class<? extends DomainEvent>> types() {
        Map<String, Class<? extends DomainEvent>> m = new LinkedHashMap<>();
        for (Class<?> k : DomainEvent.class.getPermittedSubclasses()) {
            m.put(k.getSimpleName(), (Class<? extends DomainEvent>) k);
        }
        return m;
    }
}
