package io.telecom.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collection;
import java.util.Map;
import org.operaton.bpm.engine.impl.variable.serializer.AbstractObjectValueSerializer;
import org.operaton.bpm.engine.impl.variable.serializer.ValueFields;

/**
 * Object variables as JSON (maps and lists): what the REST API sends as type Object with
 * serializationDataFormat application/json, and what expressions read as maps (order.customer.level).
 *
 * <p>Why ours: Operaton's JSON data format (Spin) is not resolvable from Maven Central here (see
 * docs/decisions.md). Values always come back as plain maps, lists, strings, numbers and booleans,
 * whatever objectTypeName a client names: no class is ever instantiated from a variable's text.
 */
public final class JsonValueSerializer extends AbstractObjectValueSerializer {
  public static final String NAME = "telecom-json";
  public static final String DATA_FORMAT = "application/json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public JsonValueSerializer() {
    super(DATA_FORMAT);
  }

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  protected boolean canSerializeValue(Object value) {
    return value instanceof Map || value instanceof Collection;
  }

  @Override
  protected String getTypeNameForDeserialized(Object value) {
    return value instanceof Map ? "java.util.Map" : "java.util.List";
  }

  @Override
  protected byte[] serializeToByteArray(Object value) throws Exception {
    return MAPPER.writeValueAsBytes(value);
  }

  @Override
  protected Object deserializeFromByteArray(byte[] bytes, ValueFields fields) throws Exception {
    return MAPPER.readValue(bytes, Object.class);
  }

  @Override
  protected Object deserializeFromByteArray(byte[] bytes, String objectTypeName) throws Exception {
    return MAPPER.readValue(bytes, Object.class);
  }

  @Override
  protected boolean isSerializationTextBased() {
    return true;
  }

  static Object parse(byte[] bytes) {
    try {
      return bytes == null ? null : MAPPER.readValue(bytes, Object.class);
    } catch (Exception e) {
      return null;
    }
  }
}
