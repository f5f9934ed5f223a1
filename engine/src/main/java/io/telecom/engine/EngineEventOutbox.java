package io.telecom.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.operaton.bpm.engine.ProcessEngineException;
import org.operaton.bpm.engine.impl.context.Context;
import org.operaton.bpm.engine.impl.interceptor.CommandContext;
import org.operaton.bpm.engine.impl.interceptor.Session;
import org.operaton.bpm.engine.impl.interceptor.SessionFactory;

/**
 * The engine's events for our read model, collected per command and written to public.engine_event
 * on the engine's own connection when the command flushes: in the engine's transaction, so an event
 * exists exactly when what it describes was committed (nothing lost across restarts, nothing
 * recorded for a rolled-back command). A NOTIFY wakes the projector on commit.
 *
 * <p>Rows carry the writing transaction's id (xid8): the projector reads only transactions older than
 * every one still running, so a slow transaction's rows are never skipped.
 */
public final class EngineEventOutbox implements Session {
  static final String CHANNEL = "engine_event";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String INSERT =
      "insert into public.engine_event (tx_id, kind, event_type, process_instance_id, payload)"
          + " values (pg_current_xact_id(), ?, ?, ?, ?::jsonb)";

  /** One event: what it is about (kind), what happened (eventType), and its fields. */
  record Event(String kind, String eventType, String processInstanceId, Map<String, Object> payload) {}

  private final List<Event> pending = new ArrayList<>();

  /** The outbox of the running command, or null outside a command (nothing to record then). */
  static EngineEventOutbox current() {
    CommandContext context = Context.getCommandContext();
    return context == null ? null : context.getSession(EngineEventOutbox.class);
  }

  void add(Event event) {
    pending.add(event);
  }

  @Override
  public void flush() {
    if (pending.isEmpty()) return;
    CommandContext context = Context.getCommandContext();
    Connection connection = context.getDbSqlSession().getSqlSession().getConnection();
    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
      for (Event e : pending) {
        insert.setString(1, e.kind());
        insert.setString(2, e.eventType());
        insert.setString(3, e.processInstanceId());
        insert.setString(4, MAPPER.writeValueAsString(e.payload()));
        insert.addBatch();
      }
      insert.executeBatch();
      try (Statement notify = connection.createStatement()) {
        notify.execute("select pg_notify('" + CHANNEL + "', '')");
      }
    } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
      // The command fails with its events: the engine retries it or the caller sees the error.
      throw new ProcessEngineException("could not record engine events: " + e.getMessage(), e);
    }
    pending.clear();
  }

  @Override
  public void close() {
    pending.clear();
  }

  static final class Factory implements SessionFactory {
    @Override
    public Class<?> getSessionType() {
      return EngineEventOutbox.class;
    }

    @Override
    public Session openSession() {
      return new EngineEventOutbox();
    }
  }
}
