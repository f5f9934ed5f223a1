package io.telecom.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.operaton.bpm.engine.impl.ProcessEngineImpl;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Wakes this node's pending long polls when another node made an external task available
 * ({@link ExternalTaskNotice}): a connection of its own LISTENs on {@code external_task}, and each
 * notice from another node signals {@code ProcessEngineImpl.EXT_TASK_CONDITIONS}, as the engine does
 * for its own tasks. The fetch-and-lock handler then fetches for every pending request at once, so
 * a worker parked on any node gets the task within milliseconds.
 *
 * <p>A lost connection is opened again with back-off (250 ms doubling to 10 s); after each
 * (re)connection the polls are woken once, for notices missed meanwhile. An idle connection is
 * checked every 30 s, so a half-open one is noticed. Without this the other nodes' tasks are still
 * found, at the end of each poll (docs/scaling.md).
 */
@Component
@ConditionalOnProperty(name = "telecom.cluster-wakeup", havingValue = "true", matchIfMissing = true)
public class ExternalTaskListener implements SmartLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(ExternalTaskListener.class);
  private static final int WAIT_MS = 1_000;
  private static final long CHECK_IDLE_MS = 30_000;
  private static final long MAX_BACKOFF_MS = 10_000;

  private final DataSourceProperties dataSource;
  private volatile boolean running;
  private volatile Connection connection;
  private Thread thread;

  public ExternalTaskListener(DataSourceProperties dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public synchronized void start() {
    if (running) return;
    running = true;
    thread = new Thread(this::listen, "external-task-listener");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public synchronized void stop() {
    running = false;
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing to end the wait; nothing to do
      }
    }
    if (thread != null) thread.interrupt();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void listen() {
    long backoff = 250;
    while (running) {
      try (Connection c =
          DriverManager.getConnection(dataSource.determineUrl(), dataSource.determineUsername(), dataSource.determinePassword())) {
        connection = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + ExternalTaskNotice.CHANNEL);
        }
        LOG.info("listening for other nodes' external tasks (node {})", ExternalTaskNotice.NODE_ID);
        backoff = 250;
        ProcessEngineImpl.EXT_TASK_CONDITIONS.signalAll();
        PGConnection pg = c.unwrap(PGConnection.class);
        long quietSince = System.currentTimeMillis();
        while (running) {
          PGNotification[] notices = pg.getNotifications(WAIT_MS);
          if (notices != null && notices.length > 0) {
            quietSince = System.currentTimeMillis();
            boolean fromOthers = false;
            for (PGNotification n : notices) fromOthers |= !ExternalTaskNotice.NODE_ID.equals(n.getParameter());
            if (fromOthers) ProcessEngineImpl.EXT_TASK_CONDITIONS.signalAll();
          } else if (System.currentTimeMillis() - quietSince > CHECK_IDLE_MS) {
            try (Statement s = c.createStatement()) {
              s.setQueryTimeout(10);
              s.execute("select 1");
            }
            quietSince = System.currentTimeMillis();
          }
        }
      } catch (SQLException e) {
        if (!running) break;
        LOG.warn("external task notices: connection lost ({}); again in {} ms", e.getMessage(), backoff);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      } finally {
        connection = null;
      }
    }
  }
}
