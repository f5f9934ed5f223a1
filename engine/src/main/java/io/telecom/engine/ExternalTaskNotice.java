package io.telecom.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import org.operaton.bpm.engine.ProcessEngineException;
import org.operaton.bpm.engine.impl.context.Context;
import org.operaton.bpm.engine.impl.interceptor.CommandContext;
import org.operaton.bpm.engine.impl.interceptor.Session;
import org.operaton.bpm.engine.impl.interceptor.SessionFactory;
import org.operaton.bpm.engine.impl.persistence.entity.ExternalTaskManager;

/**
 * Tells the other engine nodes that this transaction made an external task available.
 *
 * <p>Operaton answers a pending long poll (fetchAndLock) early only when its own JVM created or
 * unlocked a task: the engine signals {@code ProcessEngineImpl.EXT_TASK_CONDITIONS} at commit, and
 * the REST layer's fetch-and-lock handler waits on it. A worker parked on another node waits for
 * its poll's timeout. Here the engine's {@link ExternalTaskManager} is replaced by one that, where
 * the engine would signal its own node, also marks the command; when the command flushes, a
 * {@code NOTIFY external_task} carrying this node's id is sent on the engine's own connection, so
 * it reaches the others exactly when the transaction commits (nothing for a rolled-back command).
 * {@link ExternalTaskListener} on every node turns it into the local signal.
 */
public final class ExternalTaskNotice implements Session {
  static final String CHANNEL = "external_task";
  /** This JVM: a node ignores its own notices (the engine has signalled it already). */
  static final String NODE_ID = UUID.randomUUID().toString();

  private boolean available;

  @Override
  public void flush() {
    if (!available) return;
    available = false;
    Connection connection = Context.getCommandContext().getDbSqlSession().getSqlSession().getConnection();
    try (PreparedStatement notify = connection.prepareStatement("select pg_notify(?, ?)")) {
      notify.setString(1, CHANNEL);
      notify.setString(2, NODE_ID);
      notify.execute();
    } catch (SQLException e) {
      throw new ProcessEngineException("could not notify the other engine nodes: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    available = false;
  }

  /** The engine's manager, plus the notice wherever the engine signals a task available on this node. */
  public static final class Manager extends ExternalTaskManager {
    @Override
    public void fireExternalTaskAvailableEvent() {
      super.fireExternalTaskAvailableEvent();
      CommandContext context = Context.getCommandContext();
      if (context != null) context.getSession(ExternalTaskNotice.class).available = true;
    }
  }

  /** Opens our manager wherever the engine asks for its ExternalTaskManager. */
  static final class ManagerFactory implements SessionFactory {
    @Override
    public Class<?> getSessionType() {
      return ExternalTaskManager.class;
    }

    @Override
    public Session openSession() {
      return new Manager();
    }
  }

  static final class Factory implements SessionFactory {
    @Override
    public Class<?> getSessionType() {
      return ExternalTaskNotice.class;
    }

    @Override
    public Session openSession() {
      return new ExternalTaskNotice();
    }
  }
}
